package dedup

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// The stages of ClusterFunc, for engines that run them on many machines
// (examples/beam): sketch every document with SketchLines, learn
// boilerplate from all of them with LearnBoilerplate, sketch again with
// FinalSketch, and group with ClusterSketches. Composed as
// ClusterFunc composes them, they give its result.

// Line is a distinct line of a document as boilerplate learning counts
// it: its hash (Config.LineHash), its number of words, and its place
// among the document's lines that have words.
type Line struct {
	Hash       uint64
	Words, Pos int32
}

// SketchLines is Sketch without a filter that also returns the
// document's distinct lines, ordered by hash (none for an invalid Config).
// It is safe for concurrent use.
func (c Config) SketchLines(text []byte) (Sketch, []Line) {
	if c.Validate() != nil {
		return Sketch{}, nil
	}
	return c.sketch(text, nil, make([]Line, 0, 32))
}

// Boilerplate is a set of learned boilerplate lines: a LineFilter that
// also keeps a line that heads the article it names (a link elsewhere).
// Its zero value is an empty set. It is safe for concurrent reads.
type Boilerplate struct{ set lineSet }

// LearnBoilerplate learns the boilerplate of a corpus from every
// document's first sketch and lines (SketchLines), in input order, as
// ClusterFunc does.
func (c Config) LearnBoilerplate(sk []Sketch, lines [][]Line) (*Boilerplate, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(lines) != len(sk) {
		return nil, fmt.Errorf("dedup: LearnBoilerplate: %d line lists for %d sketches", len(lines), len(sk))
	}
	c = c.withDefaults()
	if c.BoilerplateArticles <= 0 {
		return &Boilerplate{}, nil
	}
	return &Boilerplate{c.learnBoilerplate(sk, lines)}, nil
}

// FinalSketch is a document's sketch as ClusterFunc keeps it once b is
// learned: without b's lines, unless nothing else would be left. A
// document that carries none of b's lines sketches as it did at first.
func (c Config) FinalSketch(text []byte, b *Boilerplate) Sketch {
	if s := c.Sketch(text, b); s.Words > 0 {
		return s
	}
	return c.Sketch(text, nil) // all boilerplate, or no words at all
}

// Boilerplate reports whether the line with hash h is boilerplate.
func (b *Boilerplate) Boilerplate(h uint64) bool { return b.set.Boilerplate(h) }

func (b *Boilerplate) keepHeadline(h uint64) bool { return b.set.keepHeadline(h) }

// Len returns the number of lines in the set.
func (b *Boilerplate) Len() int { return len(b.set) }

// Carries reports whether a document with these lines carries some
// boilerplate: the documents ClusterFunc sketches again.
func (b *Boilerplate) Carries(lines []Line) bool {
	return b.set.carries(lines)
}

// AppendBinary appends the set's encoding: a count, then per line in
// ascending hash order its hash (8 bytes, little-endian) and a byte that
// is 1 for a line kept as a headline.
func (b *Boilerplate) AppendBinary(dst []byte) ([]byte, error) {
	hs := make([]uint64, 0, len(b.set))
	for h := range b.set {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	dst = binary.AppendUvarint(dst, uint64(len(hs)))
	for _, h := range hs {
		dst = binary.LittleEndian.AppendUint64(dst, h)
		if b.set[h] {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	}
	return dst, nil
}

// MarshalBinary returns AppendBinary(nil).
func (b *Boilerplate) MarshalBinary() ([]byte, error) { return b.AppendBinary(nil) }

// UnmarshalBinary decodes what AppendBinary wrote.
func (b *Boilerplate) UnmarshalBinary(data []byte) error {
	n, k := binary.Uvarint(data)
	if k <= 0 || uint64(len(data)-k) != 9*n {
		return fmt.Errorf("%w: boilerplate set", ErrFormat)
	}
	data = data[k:]
	set := make(lineSet, n)
	for i := range int(n) {
		rec := data[9*i:]
		set[binary.LittleEndian.Uint64(rec)] = rec[8] == 1
	}
	b.set = set
	return nil
}
