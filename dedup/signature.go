package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/neardup/neardup/dedup/internal/engine"
	"github.com/neardup/neardup/dedup/internal/minwise"
)

// signatureVersion identifies how signatures and sketches are computed and
// encoded. It changes whenever a stored signature or sketch would no
// longer compare with a new one: the shingle rules (shingle.Version), the
// hash functions below, what a sketch holds (version 2 added chunks and
// the headline, and tells real numbers by their writing; version 3 reads
// text by shingle.Version 2's rules; version 4 reads English number words
// as figures in the number sample, and text by shingle.Version 3's), or
// the binary layout.
const signatureVersion = engine.SignatureVersion

// DefaultHashes is the signature length used when Config.Hashes is zero.
// 128 hashes estimate a Jaccard similarity of 0.5 with a standard error of
// 0.044, enough to tell copies (0.6 and up) from related articles (below
// 0.2), at 1 KiB per signature.
const DefaultHashes = 128

// signature is a MinHash signature (see package minwise for its hash
// functions). A document with no shingles has the all-ones signature,
// which matches nothing.
type signature []uint64

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// mix is the SplitMix64 finalizer.
func mix(x uint64) uint64 { return minwise.Mix(x) }

// appendSignature appends to dst the signature of the shingle set, of
// length hashes (0 means DefaultHashes), and returns the extended buffer.
// Its values are exactly those of go-minhash's MinWise.Push over the
// shingles (see package minwise). It is safe for concurrent use.
func appendSignature(dst signature, shingles []uint64, hashes int) signature {
	if hashes == 0 {
		hashes = DefaultHashes
	}
	return minwise.Append(dst, shingles, hashes)
}

// similarity estimates the Jaccard similarity of the shingle sets behind
// two signatures of equal length, full (signature) or compact (compact):
// the share of equal elements, less the share that compact codes of
// different minimums have in common by chance (see estimateIntersection).
// Empty documents (all elements the empty value) are similar to nothing,
// and so are signatures of different lengths.
func similarity[S ~[]E, E uint16 | uint64](a, b S) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	return jaccard(countEqual(a, b), len(a), collision[E]())
}

// Binary layout of a signature:
//
//	"NDSG" | version (1 byte) | n (uvarint) | n × 8-byte little-endian values
var sigMagic = [4]byte{'N', 'D', 'S', 'G'}

// ErrFormat reports stored data that is not in a format this version reads.
var ErrFormat = errors.New("dedup: invalid or unsupported stored format")

// appendBinary appends the versioned binary encoding of s to b.
func (s signature) appendBinary(b []byte) ([]byte, error) {
	b = append(b, sigMagic[:]...)
	b = append(b, signatureVersion)
	b = binary.AppendUvarint(b, uint64(len(s)))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b, nil
}

// checkHeader checks the magic and version that open an encoded
// signature or sketch (what names it in errors, which wrap ErrFormat).
func checkHeader(b []byte, magic [4]byte, what string) error {
	if len(b) < 5 || [4]byte(b[:4]) != magic {
		return fmt.Errorf("%w: not a %s", ErrFormat, what)
	}
	if b[4] != signatureVersion {
		return fmt.Errorf("%w: %s version %d, this build reads %d", ErrFormat, what, b[4], signatureVersion)
	}
	return nil
}

// marshalBinary returns the versioned binary encoding of s.
func (s signature) marshalBinary() ([]byte, error) { return s.appendBinary(nil) }

// unmarshalBinary decodes a signature written by MarshalBinary. It rejects
// other versions with an error wrapping ErrFormat.
func (s *signature) unmarshalBinary(b []byte) error {
	if err := checkHeader(b, sigMagic, "signature"); err != nil {
		return err
	}
	n, k := binary.Uvarint(b[5:])
	if k <= 0 || k != len(binary.AppendUvarint(nil, n)) || n > 1<<16 || uint64(len(b)-5-k) != 8*n {
		return fmt.Errorf("%w: bad signature length", ErrFormat)
	}
	b = b[5+k:]
	sig := make(signature, n)
	for i := range sig {
		sig[i] = le64(b[8*i:])
	}
	*s = sig
	return nil
}
