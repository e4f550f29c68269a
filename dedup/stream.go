package dedup

import (
	"context"
	"sync"
)

// Stream deduplicates documents as they arrive, as a crawler sees them:
// each document is checked against every document added before it, then
// added. It learns boilerplate incrementally: the lines of each new
// article (one with no earlier copy) are counted, and a line counted for
// BoilerplateArticles articles is left out of every later document.
// Copies are not counted, so an article syndicated a hundred times does
// not turn its own lines into boilerplate. Documents added before a line
// was learned keep it in their sketch; containment still matches them
// with later, cleaned copies.
//
// Line counts use a doorkeeper Bloom filter (2 MiB) so that lines seen
// once, the vast majority, take no memory beyond it; lines seen twice or
// more cost about 16 bytes each.
//
// A Stream is safe for concurrent use. Add is atomic with respect to the
// index: of two copies added concurrently, exactly one is reported as the
// other's copy.
//
// A Stream from NewSharedStream keeps its index in a Backend that other
// processes share; boilerplate is still learned by each process from the
// articles it sees.
type Stream struct {
	cfg     Config
	ix      *Index // nil for a shared stream
	backend Backend

	mu     sync.RWMutex
	door   []uint64 // Bloom filter of lines seen at least once
	counts map[uint64]uint32
}

const doorBits = 1 << 24 // 2 MiB: about 1% false positives at 1.7M distinct lines

// NewStream returns an empty Stream using cfg, or cfg's Validate error.
func NewStream(cfg Config) (*Stream, error) {
	ix, err := NewIndex(cfg)
	if err != nil {
		return nil, err
	}
	s, _ := NewSharedStream(cfg, ix)
	s.ix = ix
	return s, nil
}

// NewSharedStream returns a Stream whose documents go to b, which must
// have been set up with the same Config, or cfg's Validate error.
func NewSharedStream(cfg Config, b Backend) (*Stream, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Stream{cfg: cfg.withDefaults(), backend: b, door: make([]uint64, doorBits/64), counts: make(map[uint64]uint32)}, nil
}

// Index returns the stream's in-memory index, or nil for a shared stream.
func (s *Stream) Index() *Index { return s.ix }

// Boilerplate reports whether a line hash has been learned as boilerplate.
// It implements LineFilter.
func (s *Stream) Boilerplate(h uint64) bool {
	if s.cfg.BoilerplateArticles < 0 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.counts[h] >= uint32(s.cfg.BoilerplateArticles)
}

// Add checks text against all earlier documents, adds it under id, and
// returns its verified earlier copies, most similar first. It is
// AddContext without a deadline; with an in-memory index it never fails.
func (s *Stream) Add(id string, text []byte) ([]Found, error) {
	return s.AddContext(context.Background(), id, text)
}

// AddContext is Add for any Backend: when it returns an error, the
// document was not added and nothing was learned from it.
func (s *Stream) AddContext(ctx context.Context, id string, text []byte) ([]Found, error) {
	sk, lines := s.cfg.sketch(text, s, make([]Line, 0, 32))
	found, err := s.backend.AddSketch(ctx, id, &sk)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 && s.cfg.BoilerplateArticles > 0 {
		s.learn(lines)
	}
	return found, nil
}

// learn counts the distinct lines of one new article.
func (s *Stream) learn(lines []Line) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		h := l.Hash
		if n, ok := s.counts[h]; ok {
			if n < ^uint32(0) {
				s.counts[h] = n + 1
			}
			continue
		}
		// Three Bloom probes from one 64-bit hash (double hashing).
		a, b := h, mix(h)|1
		seen := true
		for i := range uint64(3) {
			bit := (a + i*b) % doorBits
			if s.door[bit/64]&(1<<(bit%64)) == 0 {
				seen = false
				s.door[bit/64] |= 1 << (bit % 64)
			}
		}
		if seen {
			s.counts[h] = 2
		}
	}
}
