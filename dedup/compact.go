package dedup

import "math"

// Compact is a Signature kept at 16 bits per hash, the form in which
// sketches and indexes hold signatures (256 bytes at 128 hashes instead of
// 1 KiB). Each minimum m becomes the top 16 bits of mix(m): b-bit minwise
// hashing (Li and König, 2010). Mixing first makes the code a uniform
// function of the minimum, so two different minimums share a code with
// probability 2^-16 (CodeCollision) whatever their values. Codes that kept
// the leading bits of the minimums (the ordering a MinHash union needs)
// would not: the minimums of tiny documents, one or two shingles, are a
// shingle's hash functions themselves, h_i(s) = s + i·c(s), and two such
// documents whose s and c are close agree in their leading bits at every
// position, so two unrelated one-word texts could look like copies.
// EstimateIntersection takes the collisions into account.
//
// The empty minimum (a document without shingles) has the code EmptyCode,
// which no other minimum gets.
//
// Compact codes are a stored format, part of SignatureVersion: Store logs
// and snapshots keep them, and TestCode freezes them with known answers.
type Compact []uint16

// EmptyCode is the code of the empty minimum (math.MaxUint64).
const EmptyCode = math.MaxUint16

// CodeCollision is the probability that two different minimums share a
// compact code: one in 65,535, the codes other than EmptyCode.
const CodeCollision = 1.0 / EmptyCode

// Code returns the 16-bit code of a minimum.
func Code(m uint64) uint16 {
	if m == math.MaxUint64 {
		return EmptyCode
	}
	// The 65,535 codes other than EmptyCode, uniformly: the top 16 bits
	// of a uniform 64-bit value scaled to [0, 65535).
	return uint16(mix(m) >> 32 * EmptyCode >> 32)
}

// AppendCompact appends the codes of s to dst.
func (s Signature) AppendCompact(dst Compact) Compact {
	for _, m := range s {
		dst = append(dst, Code(m))
	}
	return dst
}
