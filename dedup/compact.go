package dedup

import "math"

// compact is a signature kept at 16 bits per hash, the form in which
// sketches and indexes hold signatures (256 bytes at 128 hashes instead of
// 1 KiB). Each minimum m becomes the top 16 bits of mix(m): b-bit minwise
// hashing (Li and König, 2010). Mixing first makes the code a uniform
// function of the minimum, so two different minimums share a code with
// probability 2^-16 (codeCollision) whatever their values. Codes that kept
// the leading bits of the minimums (the ordering a MinHash union needs)
// would not: the minimums of tiny documents, one or two shingles, are a
// shingle's hash functions themselves, h_i(s) = s + i·c(s), and two such
// documents whose s and c are close agree in their leading bits at every
// position, so two unrelated one-word texts could look like copies.
// estimateIntersection takes the collisions into account.
//
// The empty minimum (a document without shingles) has the code emptyCode,
// which no other minimum gets.
//
// compact codes are a stored format, part of signatureVersion: Store logs
// and snapshots keep them, and TestCode freezes them with known answers.
type compact []uint16

// emptyCode is the code of the empty minimum (math.MaxUint64).
const emptyCode = math.MaxUint16

// codeCollision is the probability that two different minimums share a
// compact code: one in 65,535, the codes other than emptyCode.
const codeCollision = 1.0 / emptyCode

// code returns the 16-bit code of a minimum.
func code(m uint64) uint16 {
	if m == math.MaxUint64 {
		return emptyCode
	}
	// The 65,535 codes other than emptyCode, uniformly: the top 16 bits
	// of a uniform 64-bit value scaled to [0, 65535).
	return uint16(mix(m) >> 32 * emptyCode >> 32)
}

// appendCompact appends the codes of s to dst.
func (s signature) appendCompact(dst compact) compact {
	for _, m := range s {
		dst = append(dst, code(m))
	}
	return dst
}
