package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	minhash "github.com/dgryski/go-minhash"
)

// SignatureVersion identifies how signatures are computed and encoded. It
// changes whenever a stored signature would no longer compare with a new
// one: the shingle rules (shingle.Version), the hash functions below, or
// the binary layout.
const SignatureVersion = 1

// DefaultHashes is the signature length used when Config.Hashes is zero.
// 128 hashes estimate a Jaccard similarity of 0.5 with a standard error of
// 0.044, enough to tell copies (0.6 and up) from related articles (below
// 0.2), at 1 KiB per signature.
const DefaultHashes = 128

// Signature is a MinHash signature: element i is the minimum over the
// document's distinct shingles s of
//
//	h_i(s) = s + i*(mix(s)|1)  (mod 2^64)
//
// where s is the shingle hash (already a uniform XXH64 value) and mix is
// the SplitMix64 finalizer. These are go-minhash's MinWise h1 + i*h2 with
// h1(s) = s and h2(s) = mix(s)|1, fixed so that signatures compare across
// processes and machines. A document with no shingles has the all-ones
// signature, which matches nothing.
type Signature []uint64

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// mix is the SplitMix64 finalizer (Steele, Lea, Flood 2014).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func h2(b []byte) uint64 { return mix(le64(b)) | 1 }

// signer wraps a reusable go-minhash MinWise. MinWise has no reset, but
// Signature returns its internal slice, which we refill with the empty
// value.
type signer struct {
	mw  *minhash.MinWise
	buf [8]byte
}

var signers sync.Map // hashes (int) -> *sync.Pool of *signer

func getSigner(hashes int) *signer {
	p, ok := signers.Load(hashes)
	if !ok {
		p, _ = signers.LoadOrStore(hashes, &sync.Pool{New: func() any {
			return &signer{mw: minhash.NewMinWise(le64, h2, hashes)}
		}})
	}
	return p.(*sync.Pool).Get().(*signer)
}

func putSigner(hashes int, s *signer) {
	p, _ := signers.Load(hashes)
	p.(*sync.Pool).Put(s)
}

// AppendSignature appends to dst the signature of the shingle set, of
// length hashes (0 means DefaultHashes), and returns the extended buffer.
// shingles may hold duplicates; pushing a shingle twice changes nothing.
// It is safe for concurrent use.
func AppendSignature(dst Signature, shingles []uint64, hashes int) Signature {
	if hashes == 0 {
		hashes = DefaultHashes
	}
	s := getSigner(hashes)
	mins := s.mw.Signature()
	for i := range mins {
		mins[i] = math.MaxUint64
	}
	for _, sh := range shingles {
		binary.LittleEndian.PutUint64(s.buf[:], sh)
		s.mw.Push(s.buf[:])
	}
	dst = append(dst, mins...) // copy: mins is the sketch's own slice
	putSigner(hashes, s)
	return dst
}

// Similarity estimates the Jaccard similarity of the shingle sets behind
// two signatures of equal length, full (Signature) or compact (Compact):
// the fraction of equal elements. Empty documents (all elements the
// all-ones empty value) are similar to nothing.
func Similarity[S ~[]E, E uint16 | uint64](a, b S) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("dedup: signatures of different lengths %d and %d", len(a), len(b)))
	}
	if len(a) == 0 {
		return 0
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] && a[i] != ^E(0) {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}

// Binary layout of a signature:
//
//	"NDSG" | version (1 byte) | n (uvarint) | n × 8-byte little-endian values
var sigMagic = [4]byte{'N', 'D', 'S', 'G'}

// ErrFormat reports stored data that is not in a format this version reads.
var ErrFormat = errors.New("dedup: invalid or unsupported stored format")

// AppendBinary appends the versioned binary encoding of s to b.
func (s Signature) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, sigMagic[:]...)
	b = append(b, SignatureVersion)
	b = binary.AppendUvarint(b, uint64(len(s)))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b, nil
}

// MarshalBinary returns the versioned binary encoding of s.
func (s Signature) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary decodes a signature written by MarshalBinary. It rejects
// other versions with an error wrapping ErrFormat.
func (s *Signature) UnmarshalBinary(b []byte) error {
	if len(b) < 5 || [4]byte(b[:4]) != sigMagic {
		return fmt.Errorf("%w: not a signature", ErrFormat)
	}
	if b[4] != SignatureVersion {
		return fmt.Errorf("%w: signature version %d, this build reads %d", ErrFormat, b[4], SignatureVersion)
	}
	n, k := binary.Uvarint(b[5:])
	if k <= 0 || k != len(binary.AppendUvarint(nil, n)) || n > 1<<16 || uint64(len(b)-5-k) != 8*n {
		return fmt.Errorf("%w: bad signature length", ErrFormat)
	}
	b = b[5+k:]
	sig := make(Signature, n)
	for i := range sig {
		sig[i] = le64(b[8*i:])
	}
	*s = sig
	return nil
}
