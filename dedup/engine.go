package dedup

import (
	"fmt"
	"math"
	"slices"

	"github.com/neardup/neardup/dedup/internal/engine"
	"github.com/neardup/neardup/shingle"
)

// The pipeline's stages as package dedup/stage offers them to engines
// that run them on many machines (a Beam pipeline, SQL over an export, a
// shared index). Each is the code ClusterReader, Index and Stream run,
// reached through dedup/internal/engine, whose package comment explains
// the hooks.

// docLine is a distinct line of a document as boilerplate learning counts
// it (see engine.Line).
type docLine = engine.Line

func init() {
	engine.SketchLines = func(c Config, text []byte) (Sketch, []docLine) {
		if c.Validate() != nil {
			return Sketch{}, nil
		}
		return c.withDefaults().sketch(text, nil, make([]docLine, 0, 32), nil)
	}
	engine.LearnBoilerplate = func(c Config, sk []Sketch, lines [][]docLine) (map[uint64]bool, error) {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if len(lines) != len(sk) {
			return nil, fmt.Errorf("dedup/stage: LearnBoilerplate: %d line lists for %d sketches", len(lines), len(sk))
		}
		c = c.withDefaults()
		if c.BoilerplateArticles <= 0 {
			return map[uint64]bool{}, nil
		}
		set, _, err := c.learnFrom(sk, func() ([][]docLine, error) { return lines, nil })
		return set, err
	}
	engine.FinalSketch = func(c Config, text []byte, set map[uint64]bool) Sketch {
		if c.Validate() != nil {
			return Sketch{}
		}
		return c.withDefaults().finalSketch(text, lineSet(set))
	}
	engine.SketchCorpus = func(c Config, read ReadFunc) ([]string, []Sketch, int, int, error) {
		sc, err := c.sketchCorpus(read)
		if err != nil {
			return nil, nil, 0, 0, err
		}
		return sc.IDs, sc.Sketches, sc.BoilerplateLines, sc.BoilerplateDocs, nil
	}
	engine.GroupOrder = groupOrder
	engine.AppendIndexKeys = Config.appendIndexKeys
	engine.LSH = Config.lshBanding
	engine.ClusterSketches = Config.clusterSketches
	engine.Fingerprint = Config.fingerprint
	engine.Inspect = (*Sketch).fields
	engine.Assemble = assemble
	engine.ExactKey = (*Sketch).exactKey
}

// finalSketch is a document's sketch once the corpus's boilerplate set is
// learned: without its lines, unless nothing else would be left. A
// document that carries none of them sketches as it did at first.
func (c Config) finalSketch(text []byte, set lineSet) Sketch {
	if s := c.sketchFiltered(text, set); s.words > 0 {
		return s
	}
	return c.Sketch(text) // all boilerplate, or no words at all
}

// fingerprint names what makes two processes' sketches and index keys
// comparable: the format versions, the signature length, the shingle
// size, accent sensitivity and the banding.
func (c Config) fingerprint() (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	c = c.withDefaults()
	p := c.lshBanding()
	return fmt.Sprintf("signature %d shingle %d hashes %d size %d diacritics %t bands %d rows %d",
		signatureVersion, shingle.Version, c.Hashes, c.ShingleSize, c.KeepDiacritics, p.Bands, p.Rows), nil
}

// fields returns the sketch's fields.
func (s *Sketch) fields() engine.Fields {
	f := engine.Fields{
		Sig: s.sig, Shingles: int(s.shingles), Words: int(s.words), Marked: int(s.marked), Retyped: int(s.retyped),
		BoilerplateWords: int(s.boilerplateWords),
		NumberCount:      int(s.numbers.Count), RealNumbers: int(s.numbers.Real), NumberContexts: int(s.numbers.Contexts),
		Lead: s.lead, Headline: s.headline,
	}
	chunks, sample := s.coldIn(nil, true, true)
	if len(sample) > 0 {
		f.NumberSample = make([]uint32, len(sample))
		for i, e := range sample {
			f.NumberSample[i] = uint32(e.Context)<<16 | uint32(e.Value)
		}
	}
	if len(chunks) > 0 {
		f.Chunks = make([]uint32, len(chunks))
		for i, c := range chunks {
			f.Chunks[i] = uint32(c)
		}
	}
	return f
}

// sampledContexts counts the distinct contexts of a number sample (packed
// as Fields has it, sorted by context): a sample keeps every number of the
// numberSketchSize smallest contexts, so it may hold more numbers than that.
func sampledContexts(sample []uint32) int {
	n := 0
	for i, v := range sample {
		if i == 0 || v>>16 != sample[i-1]>>16 {
			n++
		}
	}
	return n
}

// assemble returns the sketch with fields f, refusing fields no sketch
// has.
func assemble(f engine.Fields) (Sketch, error) {
	switch {
	case len(f.Sig) > MaxHashes:
		return Sketch{}, fmt.Errorf("%w: sketch fields: %d hashes, over %d", ErrFormat, len(f.Sig), MaxHashes)
	case slices.ContainsFunc([]int{f.Shingles, f.Words, f.Marked, f.Retyped, f.BoilerplateWords,
		f.NumberCount, f.RealNumbers, f.NumberContexts}, func(n int) bool { return n < 0 || n > math.MaxInt32 }):
		return Sketch{}, fmt.Errorf("%w: sketch fields: a count below 0 or over %d", ErrFormat, math.MaxInt32)
	case sampledContexts(f.NumberSample) > numberSketchSize:
		return Sketch{}, fmt.Errorf("%w: sketch fields: numbers of %d contexts sampled, over %d", ErrFormat, sampledContexts(f.NumberSample), numberSketchSize)
	case len(f.Chunks) > maxChunks:
		return Sketch{}, fmt.Errorf("%w: sketch fields: %d chunks, over %d", ErrFormat, len(f.Chunks), maxChunks)
	}
	s := Sketch{
		sig: compact(f.Sig), shingles: int32(f.Shingles), words: int32(f.Words), marked: int32(f.Marked), retyped: int32(f.Retyped),
		boilerplateWords: int32(f.BoilerplateWords),
		numbers:          numberSketch{Count: int32(f.NumberCount), Real: int32(f.RealNumbers), Contexts: int32(f.NumberContexts)},
		lead:             f.Lead, headline: f.Headline,
	}
	if len(f.NumberSample) > 0 {
		s.numbers.Sample = make([]numberInContext, len(f.NumberSample))
		for i, v := range f.NumberSample {
			s.numbers.Sample[i] = numberInContext{Context: uint16(v >> 16), Value: uint16(v)}
		}
	}
	if len(f.Chunks) > 0 {
		s.chunks = make([]chunk, len(f.Chunks))
		for i, v := range f.Chunks {
			s.chunks[i] = chunk(v)
		}
	}
	return s, nil
}
