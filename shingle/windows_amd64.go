//go:build amd64 && !purego

package shingle

import "golang.org/x/sys/cpu"

// hasAVX512 selects hashWindowsAVX512 for AppendShingles: eight windows
// hashed at once, one window a lane. XXH64 of a 40-byte shingle is about
// 25 multiplications in one dependent chain and another; a core does one
// scalar multiplication a cycle, and VPMULLQ eight. Tests turn it off to
// hold the portable loop to the same answers.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

// hashWindowsAVX512 writes to dst[0 : 8*blocks] the hashes HashTokens
// gives of the windows tokens[i : i+size] for i in [0, 8*blocks): tokens
// must hold 8*blocks+size-1 words, and size be 4 to MaxSize.
//
//go:noescape
func hashWindowsAVX512(dst, tokens *uint64, blocks, size int)

func setAVX512(on bool) { hasAVX512 = on && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ }
