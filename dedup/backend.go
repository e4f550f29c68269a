package dedup

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// Backend is the index behind a Stream: Add returns the verified copies
// of s among the documents added before it, most similar first, and adds
// s under id, as one step: of two copies added concurrently, at least one
// is kept (reported without copies). An error means s was not added.
//
// *Index is the in-memory Backend. Package
// github.com/neardup/neardup/dedup/redisindex has one that a fleet of
// processes shares through Redis, so a crawler switches by configuration
// (NewStream). Package github.com/neardup/neardup/dedup/stage gives an
// implementation the keys and the verification rule.
type Backend interface {
	Add(ctx context.Context, id string, s *Sketch) ([]Found, error)
}

// Add returns the verified copies of s among the documents added before
// it, most similar first (ties: earliest added first), and adds s under
// id, in one step. Adding an id twice adds two documents. An exact copy of
// an indexed document is kept but filed under no key, where it would take
// a posting its twin already holds: later copies find the twin. The
// sketch must come from the index's Config: a sketch of another signature
// length is refused with an error wrapping ErrConfig, and a done ctx with
// its error; nothing else fails.
func (ix *Index) Add(ctx context.Context, id string, s *Sketch) ([]Found, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, _, err := ix.queryAdd(id, *s)
	return f, err
}

// indexKey is a key under which an index files a document: two
// documents are candidates when they share one (see Pair). Keys are what
// an external index stores (a Redis hash, a Parquet export joined in SQL);
// they are a stored format, versioned with signatures (signatureVersion).
type indexKey = engine.IndexKey

// appendIndexKeys appends the keys of s under c's banding to dst and
// returns the extended slice: one per band, one for the lead when s has
// one, then its run keys (see runChunks), in text order; none when s has
// no shingles. An invalid Config, or a sketch of another signature length,
// is an error wrapping ErrConfig.
func (c Config) appendIndexKeys(dst []indexKey, s *Sketch) ([]indexKey, error) {
	if err := c.Validate(); err != nil {
		return dst, err
	}
	c = c.withDefaults()
	if len(s.sig) != c.Hashes {
		return dst, fmt.Errorf("%w: a sketch of %d hashes, Config has %d", ErrConfig, len(s.sig), c.Hashes)
	}
	if s.shingles == 0 {
		return dst, nil
	}
	p := c.lshBanding()
	last := p.Bands - 1
	if s.lead != 0 {
		last = p.Bands
	}
	for b := 0; b <= last; b++ {
		dst = append(dst, indexKey{Band: b, Hash: tableKey(p, s.sig, s.lead, b)})
	}
	var runs [64]uint64
	for _, k := range appendRunKeys(runs[:0], s.chunks, 0, 1) {
		dst = append(dst, indexKey{Band: p.Bands + 1, Hash: k})
	}
	return dst, nil
}

// Binary layout of a sketch (Sketch.AppendBinary):
//
//	"NDSK" | version (1 byte, signatureVersion) | hashes (uvarint) |
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
	b = append(b, signatureVersion)
	b = binary.AppendUvarint(b, uint64(len(s.sig)))
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
