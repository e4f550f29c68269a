//go:build amd64 && !purego

package minwise

import "golang.org/x/sys/cpu"

// hasAVX512 selects signAVX512 for signatures of 128 hashes, the default:
// the 128 minimums stay in 16 ZMM registers while the shingles stream by,
// 8 hashes an instruction. Tests turn it off to hold the portable kernel
// to the same answers.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

// signAVX512 folds shingles into mins, which holds the running minimums:
// mins[i] = min(mins[i], h1[k] + i*h2[k]) for every k. len(h2) must equal
// len(h1).
//
//go:noescape
func signAVX512(mins *[128]uint64, h1, h2 []uint64)

// mixAVX512 sets h2[k] = Mix(h1[k]) | 1 for k in [0, 8*blocks), eight a
// step.
//
//go:noescape
func mixAVX512(h2, h1 *uint64, blocks int)

func setAVX512(on bool) { hasAVX512 = on && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ }
