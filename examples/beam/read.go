package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/klauspost/compress/zstd"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// A document's position is its file's index in Options.Inputs times 2^40
// plus the offset of its line's first byte in the file (decompressed):
// input order, as the neardup command reads it, known to a worker that
// reads any range of a file.
const fileShift = 40

// input is one input file and its index in Options.Inputs.
type input struct {
	Index int
	Path  string
}

// span is a byte range [Start, End) of an input file: the lines whose
// first byte lies in it. A compressed file (a gzip member or a zstd frame
// at its start, whatever its name, as the command tells them) is one
// span, Whole, read whole. A span of a Parquet file is its row groups
// [Start, End), whose first row is the file's Row-th (from 0).
type span struct {
	File       int
	Path       string
	Start, End int64
	Whole      bool
	Parquet    bool
	Row        int64
}

// spans returns the inputs' spans, spread over the workers.
func spans(s beam.Scope, inputs []string, rangeBytes int64) beam.PCollection {
	files := make([]input, len(inputs))
	for i, p := range inputs {
		files[i] = input{i, p}
	}
	return beam.Reshuffle(s, beam.ParDo(s, &splitFn{RangeBytes: rangeBytes}, beam.CreateList(s, files)))
}

// splitFn cuts a plain file into ranges of RangeBytes, and a Parquet
// file into runs of row groups of about as much.
type splitFn struct{ RangeBytes int64 }

func (f *splitFn) ProcessElement(ctx context.Context, in input, emit func(span)) error {
	fs, rc, err := open(ctx, in.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	magic, _ := bufio.NewReaderSize(rc, 16).Peek(4)
	rc.Close()
	switch {
	case compressed(magic):
		emit(span{File: in.Index, Path: in.Path, Whole: true})
		return nil
	case bytes.Equal(magic, parquetMagic):
		return parquetSpans(ctx, in, f.RangeBytes, emit)
	}
	size, err := fs.Size(ctx, in.Path)
	if err != nil {
		return err
	}
	for start := int64(0); start < size; start += f.RangeBytes {
		emit(span{File: in.Index, Path: in.Path, Start: start, End: min(size, start+f.RangeBytes)})
	}
	return nil
}

// open opens path for reading on its file system; the caller closes
// both.
func open(ctx context.Context, path string) (filesystem.Interface, io.ReadCloser, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	rc, err := fs.OpenRead(ctx, path)
	if err != nil {
		fs.Close()
		return nil, nil, err
	}
	return fs, rc, nil
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// compressed reports whether a file that starts with magic is gzip or
// zstd compressed.
func compressed(magic []byte) bool {
	return bytes.HasPrefix(magic, gzipMagic) || bytes.HasPrefix(magic, zstdMagic)
}

// decompress returns a reader of br's decompressed content, as the
// command decompresses its input: concatenated gzip members or zstd
// frames read as one stream.
func decompress(br *bufio.Reader) (io.ReadCloser, error) {
	magic, _ := br.Peek(4)
	if bytes.HasPrefix(magic, gzipMagic) {
		return gzip.NewReader(br)
	}
	zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, err
	}
	return zr.IOReadCloser(), nil
}

// readSpan calls f with the non-blank lines of a span and their
// positions. Reading and sketching are one step, so that the runner
// never holds the corpus's text: each pass reads its spans again.
func readSpan(ctx context.Context, sp span, f func(pos int64, line []byte) error) error {
	fs, rc, err := open(ctx, sp.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	defer rc.Close()
	var r io.Reader = rc
	end := sp.End
	if sp.Whole {
		dr, err := decompress(bufio.NewReaderSize(rc, 1<<16))
		if err != nil {
			return fmt.Errorf("%s: %w", sp.Path, err)
		}
		defer dr.Close()
		r, end = dr, 1<<fileShift
	}
	off := int64(0)
	if sp.Start > 0 {
		// The line that holds byte Start-1 belongs to the range before.
		if sk, ok := rc.(io.Seeker); ok {
			if _, err := sk.Seek(sp.Start-1, io.SeekStart); err != nil {
				return err
			}
		} else if _, err := io.CopyN(io.Discard, rc, sp.Start-1); err != nil {
			return err
		}
		off = sp.Start - 1
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if sp.Start > 0 {
		skip, err := br.ReadBytes('\n')
		off += int64(len(skip))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	for off < end {
		line, err := br.ReadBytes('\n')
		body := line
		if off == 0 {
			body = bytes.TrimPrefix(line, []byte("\ufeff")) // a byte order mark, as the command drops it
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := f(int64(sp.File)<<fileShift|off, body); err != nil {
				return err
			}
		}
		off += int64(len(line))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s at byte %d: %w", sp.Path, off, err)
		}
	}
	return nil
}

// place names a position in errors.
func place(pos int64) string {
	return fmt.Sprintf("input %d byte %d", pos>>fileShift, pos&(1<<fileShift-1))
}

// parse decodes one input line as the neardup command does: it refuses
// what the command refuses (a missing or empty id, no text, an id that is
// not valid UTF-8, the optional fields with another type).
func parse(pos int64, line []byte) (id string, text []byte, err error) {
	var rec struct {
		ID          json.RawMessage `json:"id"`
		Text        *string         `json:"text"`
		Cluster     *string         `json:"cluster"`
		CanonicalOK *bool           `json:"canonical_ok"`
		Kind        string          `json:"kind"`
		Lang        string          `json:"lang"`
	}
	var idp *string
	if err := json.Unmarshal(line, &rec); err == nil && rec.ID != nil {
		err = json.Unmarshal(rec.ID, &idp)
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s: invalid JSON: %w", place(pos), err)
	}
	switch {
	case idp == nil || *idp == "":
		return "", nil, fmt.Errorf(`%s: missing or empty "id"`, place(pos))
	case rec.Text == nil:
		return "", nil, fmt.Errorf(`%s: missing "text"`, place(pos))
	case strings.Count(*idp, "\ufffd") > spelled(rec.ID):
		return "", nil, fmt.Errorf(`%s: "id" is not valid UTF-8 (invalid bytes or a lone surrogate), and the output could not give it back byte for byte`, place(pos))
	}
	return *idp, []byte(*rec.Text), nil
}

// spelled counts the U+FFFD that a JSON string token spells itself, as
// the character or its escape: decoding gives more when it replaced
// invalid UTF-8 or a lone surrogate.
func spelled(raw []byte) int {
	return bytes.Count(raw, []byte("\ufffd")) + bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`))
}

// doc is a document as the grouping steps hand it on.
type doc struct {
	Pos int64
	ID  string
	// Sk is the sketch (encodeSketch).
	Sk []byte
	// Lines are the document's distinct lines (first sketch only),
	// packLines.
	Lines []byte
	// Route is where a giant component's split sends the document
	// (splitComponents), set by labelFn: the position of the
	// representative of its exact copies (its own, for a representative),
	// or, under an exact key of more than Options.KeyGroup documents
	// (families.go), routeOwn for a copy (set by copyFn) and
	// routeEverywhere for the first.
	Route int64
}

// encodeSketch encodes every field of s: a uvarint length, the encoding
// dedup.Sketch.AppendBinary writes (what verification reads), then the
// counts it leaves out, which scoring reads.
func encodeSketch(s *dedup.Sketch) []byte {
	bin, _ := s.AppendBinary(nil)
	f := stage.Inspect(s)
	b := binary.AppendUvarint(make([]byte, 0, len(bin)+16), uint64(len(bin)))
	b = append(b, bin...)
	for _, v := range []int{f.Words, f.Marked, f.Retyped, f.BoilerplateWords, f.NumberCount, f.RealNumbers} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

// verifying returns the part of an encodeSketch encoding that
// verification reads: equal for sketches of the same content (exact
// copies).
func verifying(b []byte) []byte {
	n, k := binary.Uvarint(b)
	return b[k : k+int(n)]
}

// shinglesOf returns the number of content shingles of d's sketch, which
// gives d's place in group order.
func shinglesOf(d doc) (int64, error) {
	sk, err := decodeSketch(d.Sk)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", place(d.Pos), err)
	}
	return int64(stage.Inspect(&sk).Shingles), nil
}

// decodeSketch decodes what encodeSketch wrote.
func decodeSketch(b []byte) (dedup.Sketch, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return dedup.Sketch{}, fmt.Errorf("%w: sketch record", dedup.ErrFormat)
	}
	var s dedup.Sketch
	if err := s.UnmarshalBinary(b[k : k+int(n)]); err != nil {
		return s, err
	}
	f := stage.Inspect(&s)
	rest := b[k+int(n):]
	for _, v := range []*int{&f.Words, &f.Marked, &f.Retyped, &f.BoilerplateWords, &f.NumberCount, &f.RealNumbers} {
		x, k := binary.Uvarint(rest)
		if k <= 0 {
			return s, fmt.Errorf("%w: sketch counts", dedup.ErrFormat)
		}
		*v, rest = int(x), rest[k:]
	}
	return stage.Assemble(f)
}

// packLines packs lines in 16 bytes each: hash, words, place.
func packLines(lines []stage.Line) []byte {
	b := make([]byte, 0, 16*len(lines))
	for _, l := range lines {
		b = binary.LittleEndian.AppendUint64(b, l.Hash)
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Words))
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Pos))
	}
	return b
}

// unpackLines calls f with each line packLines packed.
func unpackLines(b []byte, f func(stage.Line)) {
	for ; len(b) >= 16; b = b[16:] {
		f(stage.Line{
			Hash:  binary.LittleEndian.Uint64(b),
			Words: int32(binary.LittleEndian.Uint32(b[8:])),
			Pos:   int32(binary.LittleEndian.Uint32(b[12:])),
		})
	}
}

// sketchFn is the first pass: every document's sketch and lines, and
// its index keys, filed by bucket (filer).
type sketchFn struct {
	Config  []byte
	Buckets int64
	cfg     *dedup.Config
}

func (f *sketchFn) ProcessElement(ctx context.Context, sp span, emit func(doc), file func(int64, []byte)) error {
	defer timed(ctx, "sketch", time.Now())
	if f.cfg == nil {
		cfg, err := config(f.Config)
		if err != nil {
			return err
		}
		f.cfg = &cfg
	}
	return sketchSpan(ctx, sp, newFiler(*f.cfg, f.Buckets), func(text []byte) (dedup.Sketch, []byte) {
		sk, lines := stage.SketchLines(*f.cfg, text)
		return sk, packLines(lines)
	}, emit, file)
}

// readDocs calls f with the documents of a span and their positions:
// rows of Parquet, lines of JSONL.
func readDocs(ctx context.Context, sp span, f func(pos int64, id string, text []byte) error) error {
	if sp.Parquet {
		return readParquetSpan(ctx, sp, f)
	}
	return readSpan(ctx, sp, func(pos int64, line []byte) error {
		id, text, err := parse(pos, line)
		if err != nil {
			return err
		}
		return f(pos, id, text)
	})
}

// sketchSpan reads a span and, for each document, emits its sketch and
// lines as sketch gives them and files its index keys in keys; then it
// emits the keys.
func sketchSpan(ctx context.Context, sp span, keys *filer, sketch func(text []byte) (dedup.Sketch, []byte), emit func(doc), file func(int64, []byte)) error {
	err := readDocs(ctx, sp, func(pos int64, id string, text []byte) error {
		sk, lines := sketch(text)
		d := doc{Pos: pos, ID: id, Sk: encodeSketch(&sk), Lines: lines}
		emit(d)
		return keys.add(pos, &sk, d.Sk)
	})
	if err != nil {
		return err
	}
	keys.flush(file)
	return nil
}

// checkIDs fails the pipeline when two documents share an id, as the
// command refuses them: a group per id.
func checkIDs(s beam.Scope, docs beam.PCollection) {
	byID := beam.ParDo(s, idOf, docs)
	beam.ParDo0(s, &uniqueFn{}, beam.GroupByKey(s, byID))
}

func idOf(d doc) (string, int64) { return d.ID, d.Pos }

type uniqueFn struct{}

func (f *uniqueFn) ProcessElement(ctx context.Context, id string, positions func(*int64) bool) error {
	defer timed(ctx, "ids", time.Now())
	var ps []int64
	var p int64
	for positions(&p) {
		ps = append(ps, p)
	}
	groupSize(ctx, "ids", len(ps), 8*len(ps))
	if len(ps) > 1 {
		slices.Sort(ps)
		return fmt.Errorf("duplicate id %q (%s and %s)", id, place(ps[0]), place(ps[1]))
	}
	return nil
}

// resketchFn is the second pass: it reads each span again and emits its
// documents' final sketches (stage.FinalSketch) once the boilerplate is
// learned. Every document is sketched again: a worker does not keep the
// first pass's lines to tell which documents carry boilerplate, and one
// that carries none sketches as before.
type resketchFn struct {
	Config  []byte
	Buckets int64
	cfg     dedup.Config
	boiler  *stage.Boilerplate
}

func (f *resketchFn) ProcessElement(ctx context.Context, sp span, boiler func(*uint64, *bool) bool, emit func(doc), file func(int64, []byte)) error {
	defer timed(ctx, "resketch", time.Now())
	if f.boiler == nil {
		cfg, err := config(f.Config)
		if err != nil {
			return err
		}
		b, err := boilerplateOf(boiler)
		if err != nil {
			return err
		}
		f.cfg, f.boiler = cfg, b
	}
	return sketchSpan(ctx, sp, newFiler(f.cfg, f.Buckets), func(text []byte) (dedup.Sketch, []byte) {
		return stage.FinalSketch(f.cfg, text, f.boiler), nil
	}, emit, file)
}

// boilerplateOf reads the learned lines (hash, link) into a Boilerplate.
func boilerplateOf(next func(*uint64, *bool) bool) (*stage.Boilerplate, error) {
	type entry struct {
		hash uint64
		link bool
	}
	var es []entry
	var e entry
	for next(&e.hash, &e.link) {
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.hash, b.hash) })
	b := binary.AppendUvarint(nil, uint64(len(es)))
	for _, e := range es {
		b = binary.LittleEndian.AppendUint64(b, e.hash)
		if e.link {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	var set stage.Boilerplate
	if err := set.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &set, nil
}
