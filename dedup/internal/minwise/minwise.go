// Package minwise computes neardup's MinHash signatures: element i of a
// signature is the minimum over a document's distinct shingles s of
//
//	h_i(s) = s + i*(Mix(s)|1)  (mod 2^64)
//
// where s is the shingle hash (already a uniform XXH64 value) and Mix is
// the SplitMix64 finalizer. These are go-minhash's MinWise h1 + i*h2 with
// h1(s) = s and h2(s) = Mix(s)|1, fixed so that signatures compare across
// processes and machines; a test in the oracle module beside this package
// holds both kernels to go-minhash, which stays out of the library's
// module graph. A document with no shingles has the all-ones signature.
package minwise

import (
	"math"
	"slices"
)

// Mix is the SplitMix64 finalizer (Steele, Lea, Flood 2014).
func Mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Append appends to dst the signature of the shingle set, of length
// hashes (at least 1), and returns the extended buffer. shingles may hold
// duplicates; pushing a shingle twice changes nothing. It is safe for
// concurrent use.
//
// With 128 hashes on a CPU with AVX-512 the values are computed 8 at a
// time with the minimums held in registers, and the steps Mix(s)|1 eight
// shingles at a time before them; otherwise four shingles at a
// time, h_i(s) one addition from h_{i-1}(s), each element loaded and
// stored once per four shingles.
func Append(dst []uint64, shingles []uint64, hashes int) []uint64 {
	start := len(dst)
	dst = slices.Grow(dst, hashes)[:start+hashes]
	mins := dst[start:]
	for i := range mins {
		mins[i] = math.MaxUint64
	}
	if hasAVX512 && hashes == 128 {
		var h2 [256]uint64
		for sh := shingles; len(sh) > 0; {
			n := min(len(sh), len(h2))
			if b := n / 8; b > 0 {
				mixAVX512(&h2[0], &sh[0], b)
			}
			for k := n &^ 7; k < n; k++ {
				h2[k] = Mix(sh[k]) | 1
			}
			signAVX512((*[128]uint64)(mins), sh[:n], h2[:n])
			sh = sh[n:]
		}
		return dst
	}
	sh := shingles
	for ; len(sh) >= 4; sh = sh[4:] {
		fold4(mins, sh[0], sh[1], sh[2], sh[3])
	}
	for _, a := range sh {
		d := Mix(a) | 1
		for i := range mins {
			mins[i] = min(mins[i], a)
			a += d
		}
	}
	return dst
}

// fold4 folds four shingles into mins. It is a function of its own, and
// takes the shingles alone (their steps computed here), so that its
// values travel in registers. Inlined in Append's loop over the shingles,
// or given the steps as arguments, they spill to the stack on every
// element, and the speed then depends on where the compiler places the
// loop: BenchmarkAppend (-tags purego, oracle module) took 21.7 µs
// inlined against 14.2 µs here, while in dedup's test binary both ran at
// 16.6 µs (BenchmarkAppendSignature).
//
//go:noinline
func fold4(mins []uint64, a0, a1, a2, a3 uint64) {
	d0, d1, d2, d3 := Mix(a0)|1, Mix(a1)|1, Mix(a2)|1, Mix(a3)|1
	for i := range mins {
		mins[i] = min(mins[i], a0, a1, a2, a3)
		a0 += d0
		a1 += d1
		a2 += d2
		a3 += d3
	}
}

// SetAVX512 switches the AVX-512 kernel off (or back on, where the CPU
// has it) and returns the previous setting, so that tests hold the
// portable kernel to the same answers. It is not safe to call while
// signatures are computed.
func SetAVX512(on bool) (was bool) {
	was = hasAVX512
	setAVX512(on)
	return was
}
