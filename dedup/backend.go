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

// AddSketch is QueryAdd as a Backend method.
func (ix *Index) AddSketch(_ context.Context, id string, s *Sketch) ([]Found, error) {
	f, _, err := ix.QueryAdd(id, *s)
	return f, err
}

// IndexKey is a key under which an index files a document: two
// documents are candidates when they share one (see Pair). Keys are what
// an external index stores (a Redis hash, a Parquet export joined in SQL);
// they are a stored format, versioned with signatures (SignatureVersion).
type IndexKey struct {
	// Band is the signature band the key comes from, 0 to Bands-1 of the
	// Config's LSHParams; Bands for the lead; Bands+1 for a run key.
	Band int
	// Hash is the key's value.
	Hash uint64
}

// AppendIndexKeys appends the keys of s under c's banding to dst and
// returns the extended slice: one per band, one for the lead when s has
// one, then its run keys (see RunChunks), in text order; none when s has
// no shingles. An invalid Config, or a sketch of another signature length,
// is an error wrapping ErrConfig.
func (c Config) AppendIndexKeys(dst []IndexKey, s *Sketch) ([]IndexKey, error) {
	if err := c.Validate(); err != nil {
		return dst, err
	}
	c = c.withDefaults()
	if len(s.Sig) != c.Hashes {
		return dst, fmt.Errorf("%w: a sketch of %d hashes, Config has %d", ErrConfig, len(s.Sig), c.Hashes)
	}
	if s.Shingles == 0 {
		return dst, nil
	}
	p := c.LSH()
	last := p.Bands - 1
	if s.Lead != 0 {
		last = p.Bands
	}
	for b := 0; b <= last; b++ {
		dst = append(dst, IndexKey{b, tableKey(p, s.Sig, s.Lead, b)})
	}
	var runs [64]uint64
	for _, k := range appendRunKeys(runs[:0], s.Chunks, 0, 1) {
		dst = append(dst, IndexKey{p.Bands + 1, k})
	}
	return dst, nil
}

// Postings says how an index treats the keys of a band (see IndexKey):
// the first limit documents filed under a key are its postings. A later
// document meets each of them when the key is open, as band and lead keys
// are; under a run key it meets none, since a passage that more than limit
// documents share is a common one (a press release quoted everywhere, a
// stock paragraph) rather than the mark of a copy, and the postings made
// before it was known to be common stay.
func (p LSHParams) Postings(band int) (limit int, open bool) {
	switch {
	case band < p.Bands:
		return MaxPostings, true
	case band == p.Bands:
		return MaxLeadPostings, true
	}
	return MaxRunPostings, false
}

// Binary layout of a sketch (Sketch.AppendBinary):
//
//	"NDSK" | version (1 byte, SignatureVersion) | hashes (uvarint) |
//	shingles (uvarint) | lead (8 bytes) | hashes × 2-byte codes |
//	number contexts (uvarint) | number kind (uvarint: 0 none in the
//	content, 1 real, 2 masked) |
//	sample length (uvarint) | sample × (2-byte context, 2-byte value) |
//	headline (4 bytes) | chunks (uvarint) | chunks × 4 bytes
//
// little-endian throughout. The part after hashes is the one the Store log
// writes.
var sketchMagic = [4]byte{'N', 'D', 'S', 'K'}

// AppendBinary appends the versioned encoding of what an index keeps of s
// to verify a match: Sig, Shingles, Lead, Headline, Chunks and Numbers
// but Count and Real, of which it keeps whether the content has numbers and
// whether they are real (decoded as 0 or 1 each). Words, Marked and
// BoilerplateWords are not encoded.
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
