// Package pipeline is neardup as an Apache Beam pipeline: the same
// clusters and canonicals as the neardup command, from the same JSONL
// input, with neardup's own normalization, shingling and signing.
//
// The per-document work (parsing, both sketching passes) runs in
// parallel on the runner's workers; the two corpus-wide steps, learning
// boilerplate and grouping, each run on one worker over the sketches
// (about 400 bytes a document), as dedup.Config.ClusterReader runs them (package dedup/stage):
//
//	files ─ read lines (position, line) ─ reshuffle ─┬─ sketch, lines ─ all ─ learn boilerplate ─┐
//	                                                 └──────────── sketch again (side input) ◄───┘
//	                                                          ─ all ─ group, pick canonicals ─ write JSONL
//
// It is a module of its own so that Beam's dependencies stay out of
// neardup's go.mod. cmd/neardup-beam runs it on any runner by flags.
package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

func init() {
	register.DoFn3x1[context.Context, string, func(int64, []byte), error](&readFn{})
	register.Emitter2[int64, []byte]()
	register.DoFn3x1[int64, []byte, func([]byte), error](&sketchFn{})
	register.Emitter1[[]byte]()
	register.DoFn3x1[int, func(*[]byte) bool, func([]byte), error](&learnFn{})
	register.Iter1[[]byte]()
	register.DoFn4x1[int64, []byte, []byte, func([]byte), error](&resketchFn{})
	register.DoFn3x1[context.Context, int, func(*[]byte) bool, error](&clusterFn{})
}

// Options are the pipeline's settings. Config must be the neardup
// command's (its zero value is the command's defaults).
type Options struct {
	Inputs []string // JSONL files, read in this order (local paths, gs://, ...)
	Output string   // the JSONL result
	Config dedup.Config
}

// Build adds the pipeline to scope s.
func Build(s beam.Scope, opt Options) {
	cfg, err := json.Marshal(opt.Config)
	if err != nil {
		panic(err)
	}
	paths := beam.CreateList(s, opt.Inputs)
	lines := beam.ParDo(s, &readFn{Inputs: opt.Inputs}, paths)
	lines = beam.Reshuffle(s, lines)

	first := beam.ParDo(s, &sketchFn{Config: cfg}, lines)
	boiler := beam.ParDo(s, &learnFn{Config: cfg}, beam.GroupByKey(s, beam.AddFixedKey(s, first)))

	final := beam.ParDo(s, &resketchFn{Config: cfg}, lines, beam.SideInput{Input: boiler})
	beam.ParDo0(s, &clusterFn{Config: cfg, Output: opt.Output}, beam.GroupByKey(s, beam.AddFixedKey(s, final)))
}

// A document's position is its file's index in Inputs times 2^40 plus
// its line number: input order, as the neardup command reads it.
const fileShift = 40

// readFn reads one JSONL file and emits its non-blank lines with their
// positions.
type readFn struct{ Inputs []string }

func (f *readFn) ProcessElement(ctx context.Context, path string, emit func(int64, []byte)) error {
	idx := slices.Index(f.Inputs, path)
	if idx < 0 {
		return fmt.Errorf("readFn: %s is not an input", path)
	}
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, path)
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for n := int64(1); ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			emit(int64(idx)<<fileShift|n, line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
}

// document is what the per-document stages hand on, JSON-encoded: its
// position, id, sketch with every field scoring reads (stage.Inspect),
// and lines.
type document struct {
	Pos    int64
	ID     string
	Sketch stage.Fields
	Lines  []stage.Line `json:",omitempty"`
}

// parse decodes one input line as the neardup command does.
func parse(pos int64, line []byte) (id string, text []byte, err error) {
	var rec struct {
		ID   *string `json:"id"`
		Text *string `json:"text"`
	}
	place := fmt.Sprintf("input %d line %d", pos>>fileShift, pos&(1<<fileShift-1))
	if err := json.Unmarshal(line, &rec); err != nil {
		return "", nil, fmt.Errorf("%s: invalid JSON: %w", place, err)
	}
	switch {
	case rec.ID == nil || *rec.ID == "":
		return "", nil, fmt.Errorf(`%s: missing or empty "id"`, place)
	case rec.Text == nil:
		return "", nil, fmt.Errorf(`%s: missing "text"`, place)
	}
	return *rec.ID, []byte(*rec.Text), nil
}

func config(b []byte) (dedup.Config, error) {
	var c dedup.Config
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// sketchFn is the first pass: every document's sketch and lines.
type sketchFn struct{ Config []byte }

func (f *sketchFn) ProcessElement(pos int64, line []byte, emit func([]byte)) error {
	cfg, err := config(f.Config)
	if err != nil {
		return err
	}
	id, text, err := parse(pos, line)
	if err != nil {
		return err
	}
	sk, lines := stage.SketchLines(cfg, text)
	b, err := json.Marshal(document{pos, id, stage.Inspect(&sk), lines})
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// collect reads a grouped stream of documents, in input order.
func collect(next func(*[]byte) bool) ([]string, []dedup.Sketch, [][]stage.Line, error) {
	var docs []document
	var b []byte
	for next(&b) {
		var d document
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, nil, nil, err
		}
		docs = append(docs, d)
	}
	slices.SortFunc(docs, func(a, b document) int { return cmp.Compare(a.Pos, b.Pos) })
	ids := make([]string, len(docs))
	sk := make([]dedup.Sketch, len(docs))
	lines := make([][]stage.Line, len(docs))
	seen := make(map[string]int64, len(docs))
	for i, d := range docs {
		if prev, ok := seen[d.ID]; ok {
			return nil, nil, nil, fmt.Errorf("duplicate id %q (positions %d and %d)", d.ID, prev, d.Pos)
		}
		seen[d.ID] = d.Pos
		s, err := stage.Assemble(d.Sketch)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%q: %w", d.ID, err)
		}
		ids[i], sk[i], lines[i] = d.ID, s, d.Lines
	}
	return ids, sk, lines, nil
}

// learnFn learns the corpus's boilerplate from every first sketch.
type learnFn struct{ Config []byte }

func (f *learnFn) ProcessElement(_ int, docs func(*[]byte) bool, emit func([]byte)) error {
	cfg, err := config(f.Config)
	if err != nil {
		return err
	}
	_, sk, lines, err := collect(docs)
	if err != nil {
		return err
	}
	boiler, err := stage.LearnBoilerplate(cfg, sk, lines)
	if err != nil {
		return err
	}
	b, err := boiler.MarshalBinary()
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// resketchFn is the second pass: each document's final sketch
// (stage.FinalSketch), without the boilerplate learned.
type resketchFn struct {
	Config []byte
	cfg    dedup.Config
	boiler *stage.Boilerplate
}

func (f *resketchFn) ProcessElement(pos int64, line []byte, boiler []byte, emit func([]byte)) error {
	if f.boiler == nil {
		cfg, err := config(f.Config)
		if err != nil {
			return err
		}
		var b stage.Boilerplate
		if err := b.UnmarshalBinary(boiler); err != nil {
			return err
		}
		f.cfg, f.boiler = cfg, &b
	}
	id, text, err := parse(pos, line)
	if err != nil {
		return err
	}
	sk := stage.FinalSketch(f.cfg, text, f.boiler)
	b, err := json.Marshal(document{Pos: pos, ID: id, Sketch: stage.Inspect(&sk)})
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// clusterFn groups the final sketches, picks canonicals, and writes the
// neardup command's JSONL, in input order.
type clusterFn struct {
	Config []byte
	Output string
}

func (f *clusterFn) ProcessElement(ctx context.Context, _ int, docs func(*[]byte) bool) error {
	cfg, err := config(f.Config)
	if err != nil {
		return err
	}
	ids, sk, _, err := collect(docs)
	if err != nil {
		return err
	}
	res, err := stage.ClusterSketches(cfg, ids, sk, nil)
	if err != nil {
		return err
	}
	fs, err := filesystem.New(ctx, f.Output)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, f.Output)
	if err != nil {
		return err
	}
	if err := res.WriteJSONL(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
