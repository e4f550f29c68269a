package dedup

import (
	"math"
	"math/bits"
)

// Compact is a Signature kept at 16 bits per hash, the form in which
// sketches and indexes hold signatures (256 bytes at 128 hashes instead of
// 1 KiB). Each minimum m becomes a 16-bit floating-point code: its binary
// exponent (6 bits) and the 10 bits that follow its leading one. The code
// keeps the order of minimums (m1 < m2 gives code1 <= code2), so the
// union of signatures and the estimates of EstimateIntersection work on
// codes as on minimums. Two different minimums get the same code with
// probability under 1/2048 (same exponent, same 10 bits), which raises an
// estimated Jaccard similarity by less than 0.001 on average. The empty
// minimum (a document without shingles) has the code EmptyCode.
//
// Compact codes are a stored format, part of SignatureVersion: Store logs
// and snapshots keep them, and TestCodeOrder freezes them with known
// answers.
type Compact []uint16

// EmptyCode is the code of the empty minimum (math.MaxUint64).
const EmptyCode = math.MaxUint16

// Code returns the 16-bit code of a minimum.
func Code(m uint64) uint16 {
	if m == math.MaxUint64 {
		return EmptyCode
	}
	// Minimums of documents' shingle sets lie far above 2^16 (below it
	// with probability about n/2^48 for n shingles): those share code 0.
	e := 64 - bits.LeadingZeros64(m) // position of the leading one, 1-based
	if e <= 16 {
		return 0
	}
	mant := (m << (65 - e)) >> 54 // the 10 bits after the leading one
	return uint16(e-16)<<10 | uint16(mant)
}

// AppendCompact appends the codes of s to dst.
func (s Signature) AppendCompact(dst Compact) Compact {
	for _, m := range s {
		dst = append(dst, Code(m))
	}
	return dst
}
