package dedup

import (
	"context"
	"encoding/binary"
	"fmt"
)

// Backend is the index behind a Stream: AddSketch returns the verified
// copies of s among the documents added before it, most similar first, and
// adds s under id, as one step: of two copies added concurrently, at least
// one is kept (reported without copies). An error means s was not added.
//
// *Index is the in-memory Backend. Package
// github.com/neardup/neardup/dedup/redisindex has one that a fleet of
// processes shares through Redis, so a crawler switches by configuration
// (NewSharedStream).
type Backend interface {
	AddSketch(ctx context.Context, id string, s *Sketch) ([]Found, error)
}

// AddSketch is QueryAdd as a Backend method; it never fails.
func (ix *Index) AddSketch(_ context.Context, id string, s *Sketch) ([]Found, error) {
	f, _ := ix.QueryAdd(id, *s)
	return f, nil
}

// AppendBandKeys appends the LSH table keys of s under c's banding to dst
// and returns the extended slice: one per band, then one for the lead when
// s has one; none when s has no shingles. Two sketches are candidates when
// they share a key. Keys are what an external index stores (a Redis hash,
// a Parquet export joined in SQL); they are a stored format, versioned
// with signatures (SignatureVersion).
func (c Config) AppendBandKeys(dst []uint64, s *Sketch) []uint64 {
	if s.Shingles == 0 {
		return dst
	}
	c = c.withDefaults()
	p := c.LSH()
	if len(s.Sig) != c.Hashes {
		panic(fmt.Sprintf("dedup: AppendBandKeys: signature of %d hashes, Config has %d", len(s.Sig), c.Hashes))
	}
	last := p.Bands - 1
	if s.Lead != 0 {
		last = p.Bands
	}
	for b := 0; b <= last; b++ {
		dst = append(dst, tableKey(p, s.Sig, s.Lead, b))
	}
	return dst
}

// Binary layout of a sketch (Sketch.AppendBinary):
//
//	"NDSK" | version (1 byte, SignatureVersion) | hashes (uvarint) |
//	shingles (uvarint) | lead (8 bytes) | hashes × 2-byte codes |
//	number contexts (uvarint) | digits (2 bytes) | multi (uvarint, 0 or 1) |
//	sample length (uvarint) | sample × (2-byte context, 2-byte value)
//
// little-endian throughout. The part after hashes is the one the Store log
// writes.
var sketchMagic = [4]byte{'N', 'D', 'S', 'K'}

// AppendBinary appends the versioned encoding of what an index keeps of s
// to verify a match: Sig, Shingles, Lead and Numbers but its Count, with
// Numbers.Multi reduced to 0 or 1. Words, Marked and BoilerplateWords are
// not encoded.
func (s Sketch) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, sketchMagic[:]...)
	b = append(b, SignatureVersion)
	b = binary.AppendUvarint(b, uint64(len(s.Sig)))
	return appendSketchBody(b, &s), nil
}

// MarshalBinary returns AppendBinary(nil).
func (s Sketch) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary decodes what AppendBinary wrote. Errors wrap ErrFormat.
func (s *Sketch) UnmarshalBinary(b []byte) error {
	if err := checkHeader(b, sketchMagic, "sketch"); err != nil {
		return err
	}
	d := decoder{b: b[5:]}
	hashes := d.uvarint("hashes")
	if d.err == nil && (hashes == 0 || hashes > 1<<16) {
		d.fail("hashes")
	}
	var sk Sketch
	if d.err == nil {
		sk = decodeSketchBody(&d, int(hashes))
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return fmt.Errorf("%w: sketch: %v", ErrFormat, d.err)
	}
	*s = sk
	return nil
}
