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
// A Stream from NewStream with a Backend keeps its index there, shared
// with other processes; boilerplate is still learned by each process from
// the articles it sees. The zero Stream is ready to use: the default
// Config and an in-memory Index, made on its first Add.
type Stream struct {
	once    sync.Once
	cfg     Config
	ix      *Index // the in-memory index, when it is the backend
	backend Backend

	mu     sync.RWMutex
	door   []uint64 // Bloom filter of lines seen at least once
	counts map[uint64]uint32
}

const doorBits = 1 << 24 // 2 MiB: about 1% false positives at 1.7M distinct lines

// NewStream returns an empty Stream using cfg, or cfg's Validate error.
// Its documents go to b, which must have been set up with the same
// Config, or with b nil to a new in-memory Index.
func NewStream(cfg Config, b Backend) (*Stream, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Stream{}
	s.once.Do(func() { s.init(cfg, b) })
	return s, nil
}

// init sets up s with a valid cfg and b, a new Index when nil.
func (s *Stream) init(cfg Config, b Backend) {
	s.cfg = cfg.withDefaults()
	if b == nil {
		s.ix, _ = NewIndex(cfg) // valid: checked by NewStream, or the zero Config
		b = s.ix
	}
	s.backend = b
	s.door = make([]uint64, doorBits/64)
	s.counts = make(map[uint64]uint32)
}

// isBoilerplate reports whether a line hash has been learned as
// boilerplate.
func (s *Stream) isBoilerplate(h uint64) bool {
	if s.cfg.BoilerplateArticles < 0 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.counts[h] >= uint32(s.cfg.BoilerplateArticles)
}

// Add checks text against all earlier documents, adds it under id, and
// returns its verified earlier copies, most similar first. When it
// returns an error (from the Backend, or ctx's), the document was not
// added and nothing was learned from it; with an in-memory index only a
// done ctx fails.
func (s *Stream) Add(ctx context.Context, id string, text []byte) ([]Found, error) {
	s.once.Do(func() { s.init(Config{}, nil) })
	sk, lines := s.sketchNew(text)
	found, err := s.backend.Add(ctx, id, &sk)
	if err != nil {
		return nil, err
	}
	if lines := s.teaches(found, lines); len(lines) > 0 {
		s.learn(lines)
	}
	return found, nil
}

// sketchNew sketches text as the stream's next document: without the
// lines learned as boilerplate so far, and with its distinct lines, which
// it teaches if it is a new article (teaches). Store.Add shares it.
func (s *Stream) sketchNew(text []byte) (Sketch, []docLine) {
	return s.cfg.sketch(text, s, make([]docLine, 0, 32), nil)
}

// teaches returns the lines that a document with these earlier copies
// teaches boilerplate learning: all of a new article's, none of a copy's
// (an article syndicated a hundred times must not make its own lines
// boilerplate), none when learning is off.
func (s *Stream) teaches(found []Found, lines []docLine) []docLine {
	if len(found) == 0 && s.cfg.BoilerplateArticles > 0 {
		return lines
	}
	return nil
}

// learn counts the distinct lines of one new article.
func (s *Stream) learn(lines []docLine) {
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
