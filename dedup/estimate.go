package dedup

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
// excepted.
func countEqual[S ~[]E, E uint16 | uint64](a, b S) int {
	eq := 0
	for i := range a {
		if a[i] == b[i] && a[i] != ^E(0) {
			eq++
		}
	}
	return eq
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
