package dedup

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// estimateIntersection estimates |A∩B| from the signatures (signature or
// compact) of two shingle sets A and B and their exact sizes na and nb
// (Sketch.Shingles).
//
// Each of the k hash functions puts the minimum of A∪B in A∩B with
// probability J = |A∩B|/|A∪B|, and the two signatures then agree at that
// position; otherwise their minimums differ, and compact codes still agree
// with probability codeCollision (full 64-bit minimums, never). The share
// e of equal positions thus estimates J + (1−J)·r, and
//
//	Ĵ = (e − r)/(1 − r),   |A∩B| = Ĵ·(na+nb)/(1+Ĵ)
//
// (since |A∪B| = na + nb − |A∩B|), capped at min(na, nb). The standard
// error of Ĵ is about √(J(1−J)/k): 0.044 at J = 0.5 with 128 hashes.
//
// It returns 0 for an empty set, and for signatures of different lengths,
// which share nothing that can be compared.
func estimateIntersection[S ~[]E, E uint16 | uint64](a, b S, na, nb int) float64 {
	if len(a) != len(b) || na <= 0 || nb <= 0 || len(a) == 0 {
		return 0
	}
	return intersection(jaccard(countEqual(a, b), len(a), collision[E]()), na, nb)
}

// collision is the chance that two different minimums agree in a
// signature of E elements.
func collision[E uint16 | uint64]() float64 {
	if ^E(0) == E(emptyCode) {
		return codeCollision
	}
	return 0
}

// countEqual counts the positions where a and b agree, the empty minimum
// excepted. len(b) must be at least len(a).
func countEqual[S ~[]E, E uint16 | uint64](a, b S) int {
	if unsafe.Sizeof(E(0)) == 2 && len(b) >= len(a) {
		return countEqualCodes(unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(a))), len(a)),
			unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(b))), len(a)))
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] && a[i] != ^E(0) {
			eq++
		}
	}
	return eq
}

// countEqualCodes is countEqual for compact codes, four in a word: a
// lane of a^b that is zero agrees, and one of ^a that is zero holds the
// empty code. Comparing code by code, a branch on each, mispredicts on
// about every other code of a pair that verification looks at (half
// their minimums agree), which made countEqual 2.1 s of the 77 s of CPU
// of a 10^6 run. The words are read through a byte view, so lanes never
// straddle codes whatever the alignment or byte order.
func countEqualCodes(a, b []uint16) int {
	n := len(a) &^ 15
	ab := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), 2*n)
	bb := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b))), 2*n)
	eq := 0
	for len(ab) >= 32 && len(bb) >= 32 {
		// The four words' flags, each a lane's high bit, shifted apart
		// into one word: one population count for sixteen codes.
		x0, y0 := binary.LittleEndian.Uint64(ab[0:]), binary.LittleEndian.Uint64(bb[0:])
		x1, y1 := binary.LittleEndian.Uint64(ab[8:]), binary.LittleEndian.Uint64(bb[8:])
		x2, y2 := binary.LittleEndian.Uint64(ab[16:]), binary.LittleEndian.Uint64(bb[16:])
		x3, y3 := binary.LittleEndian.Uint64(ab[24:]), binary.LittleEndian.Uint64(bb[24:])
		m := zeroLanes(x0^y0)&^zeroLanes(^x0) |
			(zeroLanes(x1^y1)&^zeroLanes(^x1))>>1 |
			(zeroLanes(x2^y2)&^zeroLanes(^x2))>>2 |
			(zeroLanes(x3^y3)&^zeroLanes(^x3))>>3
		eq += bits.OnesCount64(m)
		ab, bb = ab[32:], bb[32:]
	}
	for i := n; i < len(a); i++ {
		if a[i] == b[i] && a[i] != emptyCode {
			eq++
		}
	}
	return eq
}

// zeroLanes sets the high bit of each 16-bit lane of x that is zero, and
// no other bit: adding 0x7FFF to a lane's low 15 bits carries into its
// high bit exactly when they are not all zero, and never out of the lane.
func zeroLanes(x uint64) uint64 {
	const low15 = 0x7FFF7FFF7FFF7FFF
	return ^((x&low15 + low15) | x | low15)
}

// jaccard is the estimate Ĵ from eq equal positions of k, with collision
// probability r.
func jaccard(eq, k int, r float64) float64 {
	return max(0, (float64(eq)/float64(k)-r)/(1-r))
}

// intersection is |A∩B| for Jaccard similarity j and sizes na, nb.
func intersection(j float64, na, nb int) float64 {
	return min(j*float64(na+nb)/(1+j), float64(min(na, nb)))
}

// cannotMatch reports, from the signatures alone, pairs that compare
// would not call duplicates: the estimated intersection lies below the
// least one any of compare's rules accepts. The margin (a millionth) keeps
// every pair that rounding could carry over the bar; those go on to
// compare.
func (c Config) cannotMatch(a, b *Sketch) bool {
	if a.shingles == 0 || b.shingles == 0 || len(a.sig) != len(b.sig) {
		return true
	}
	A, B := float64(a.shingles), float64(b.shingles)
	small := min(A, B)
	bar := c.bars(a, b)
	need := bar.jaccard * (A + B) / (1 + bar.jaccard) // the intersection at that Jaccard
	need = min(need, bar.containment*small, bar.lead*small, bar.aligned*small)
	need *= 1 - 1e-6
	if need <= 0 {
		return false
	}
	return estimateIntersection(a.sig, b.sig, int(a.shingles), int(b.shingles)) < need
}
