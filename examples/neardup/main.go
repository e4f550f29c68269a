package main

import (
	"bufio"
	"bytes"
	"cmp"
	"math"

	"embed"

	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/eval"
	"github.com/neardup/neardup/dedup/stage"
	"github.com/neardup/neardup/examples/internal/extract"
	"github.com/neardup/neardup/shingle"
	"github.com/parquet-go/parquet-go"
)

//go:embed testdata/seeds/*.txt
var sample embed.FS

// gcPercent is the garbage collector's target when GOGC is not set: the
// heap may grow a quarter beyond what is live before a collection, not
// the default doubling. Most of what a run keeps lies in a few large
// pointer-free blocks (the sketches' arenas, the candidate keys), which
// a collection does not scan, so collecting more often costs little:
// measured on 10^5 generated documents, 5% more time for a third less
// memory (305 -> 205 MB), and on 10^6 no more time (fewer pages faulted
// in) for 2.77 -> 1.94 GB.
const gcPercent = 25

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "neardup:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("neardup", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg dedup.Config
	fl.Float64Var(&cfg.Threshold, "threshold", dedup.DefaultThreshold, "estimated Jaccard similarity at which two documents are copies")
	fl.Float64Var(&cfg.Containment, "containment", dedup.DefaultContainment, "share of a smaller document's content inside a larger one at which it is a copy")
	fl.Float64Var(&cfg.MinContainedFraction, "min-contained", dedup.DefaultMinContainedFraction, "smallest size ratio for a containment match")
	fl.IntVar(&cfg.ShingleSize, "shingle", 5, "words (syllables) per shingle, 1 to 16")
	fl.IntVar(&cfg.Hashes, "hashes", dedup.DefaultHashes, "MinHash signature length")
	fl.IntVar(&cfg.Bands, "bands", 0, "LSH bands (with -rows; default: chosen from the threshold)")
	fl.IntVar(&cfg.Rows, "rows", 0, "LSH rows per band (with -bands)")
	fl.BoolVar(&cfg.KeepDiacritics, "keep-diacritics", false, "compare with diacritics (accent-free copies then stay apart)")
	fl.BoolVar(&cfg.NoNumberCheck, "no-number-check", false, "merge copies even when their real numbers differ (template articles)")
	fl.IntVar(&cfg.BoilerplateArticles, "boilerplate", dedup.DefaultBoilerplateArticles, "lines carried by this many distinct articles are boilerplate; 0 or -1 turns learning off")
	explain := fl.Bool("explain", false, "print every cluster with its members' canonical score components to standard error")
	quiet := fl.Bool("q", false, "no summary or progress on standard error (progress shows only on a terminal)")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile to this file; its samples carry the stage as the label neardup.stage (go tool pprof -tags)")
	mem := fl.String("mem", "", "a soft limit on the memory the run's heap may take (`size`: 1.5GB, 1400MB, 1300MiB): the garbage collector works harder as the heap nears it, so that peak memory stays close to what the run keeps alive; that must fit below it (default: no limit, or GOMEMLIMIT)")
	fl.StringVar(&cfg.SpillDir, "spill", "", "keep the sketches' alignment chunks and number samples and the first reading's lines in temporary files in `dir` instead of memory, for corpora whose sketches outgrow it (about 40% less memory; same output); -mem implies it, in the system's temporary directory")
	timings := fl.Bool("timings", false, "print the wall time of each stage (reading and sketching, learning boilerplate, re-reading, clustering, writing) to standard error at the end")
	export := fl.String("export", "", "instead of clustering, write the documents' sketches and band keys to `dir`/docs.parquet and postings.parquet, for an engine to find the candidate pairs (see edges.sql)")
	edges := fl.String("edges", "", "cluster the export in `dir` with the candidate pairs an engine wrote to dir/edges.parquet, instead of reading documents")
	idField := fl.String("id-field", "id", "the JSONL field that holds a document's id; keys joined by dots reach into objects (meta.url)")
	textField := fl.String("text-field", "text", "the JSONL field that holds a document's text (content, or body.text)")
	keepOut := fl.String("keep", "", "also write the deduplicated corpus, one document per cluster byte for byte as it came in, to this `path`: a JSONL file for JSONL inputs (compressed if it ends in .gz or .zst), a directory for directories of .txt and .html files, a Parquet or WARC file for Parquet or WARC inputs")
	keepPolicy := fl.String("keep-policy", "canonical", "which member of each cluster -keep writes and -stats counts: canonical or first (in input order)")
	reportOut := fl.String("report", "", "write an HTML report to this `file`: charts of cluster sizes and similarities, and the largest clusters and a sample of the others, each member beside its canonical with the words that differ marked; one self-contained file")
	statsOut := fl.String("stats", "", "write a JSON summary (documents, clusters, cluster-size histogram, text bytes kept and removed) to this `file`")
	evaluate := fl.Bool("eval", false, "score the result against the labels in the JSONL input (\"cluster\", \"canonical_ok\", \"kind\", \"lang\", as in the dev set) and print the report to standard error")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: neardup [flags] [dir | file.jsonl | -] ...\n\nWith no path, processes the embedded sample documents.\n\nFlags:\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	// A flag's value is the one used: 0, which a Config reads as "the
	// default", is out of range on the command line.
	for _, f := range []struct {
		name string
		v    float64
	}{{"threshold", cfg.Threshold}, {"containment", cfg.Containment}, {"min-contained", cfg.MinContainedFraction}} {
		if !(f.v > 0 && f.v <= 1) {
			return fmt.Errorf("-%s %v: want a number in (0, 1]", f.name, f.v)
		}
	}
	if cfg.ShingleSize < 1 || cfg.ShingleSize > shingle.MaxSize {
		return fmt.Errorf("-shingle %d: want 1 to %d", cfg.ShingleSize, shingle.MaxSize)
	}
	if cfg.Hashes < 1 || cfg.Hashes > dedup.MaxHashes {
		return fmt.Errorf("-hashes %d: want 1 to %d", cfg.Hashes, dedup.MaxHashes)
	}
	if (cfg.Bands == 0) != (cfg.Rows == 0) {
		return errors.New("-bands and -rows go together")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *mem != "" {
		n, err := parseSize(*mem)
		if err != nil {
			return fmt.Errorf("-mem %q: %v", *mem, err)
		}
		debug.SetMemoryLimit(n)
		defer debug.SetMemoryLimit(math.MaxInt64)
		if cfg.SpillDir == "" {
			cfg.SpillDir = os.TempDir()
		}
	}
	if !slices.Contains(keepPolicies, *keepPolicy) {
		return fmt.Errorf("-keep-policy %q: want canonical or first", *keepPolicy)
	}
	var fields jsonFields
	var err error
	if fields.id, err = parseFieldPath("id-field", *idField); err != nil {
		return err
	}
	if fields.text, err = parseFieldPath("text-field", *textField); err != nil {
		return err
	}
	fields.custom = *idField != "id" || *textField != "text"
	if cfg.BoilerplateArticles == 0 {
		cfg.BoilerplateArticles = -1 // "-boilerplate 0" reads as "off", not "default"
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	paths := fl.Args()
	if n := slices.Index(paths, "-"); n >= 0 && slices.Contains(paths[n+1:], "-") {
		return errors.New(`"-" (standard input) can be read once: give it once`)
	}
	if *reportOut != "" && (*edges != "" || *export != "") {
		return errors.New("-report shows the documents' texts: not with -edges or -export")
	}
	var keepAs keepKind
	if *keepOut != "" {
		if *edges != "" || *export != "" {
			return errors.New("-keep writes documents as they came in: not with -edges or -export")
		}
		var err error
		if keepAs, err = inputKind(paths); err != nil {
			return err
		}
	}
	if *edges != "" {
		if len(paths) > 0 || *export != "" || *evaluate {
			return errors.New("-edges reads its export only: no paths, -export or -eval with it")
		}
		ids, sk, pairs, err := readExport(*edges, cfg)
		if err != nil {
			return err
		}
		res, err := stage.ClusterSketches(cfg, ids, sk, pairs)
		if err != nil {
			return err
		}
		return report(stdout, stderr, cfg, res, *explain, *quiet, 0, start)
	}
	show := !*quiet && isTerminal(stderr)
	var total int64
	if show {
		total = inputSize(paths)
	}
	prog := newProgress(stderr, show, total, 500*time.Millisecond)
	rd := &reader{evalLabels: *evaluate, prog: prog, streams: make(map[string][]dedup.Doc), stderr: stderr, fields: fields,
		keepRaw: *keepOut != "", streamRaw: make(map[string][][]byte)}
	read := func(need func(int) bool, yield func(dedup.Doc) bool) error {
		rd.pass++
		rd.yield, rd.need, rd.n = yield, need, 0
		if rd.pass > 1 {
			prog.setStage("re-reading documents with boilerplate")
		} else {
			prog.setStage("reading and sketching")
		}
		err := rd.read(paths, stdin)
		// Only the first reading checks ids: what it needed goes before
		// boilerplate learning, the run's peak of memory.
		rd.where, rd.lineOf, rd.fileOf = idSet{}, nil, nil
		if rd.pass == 1 {
			// And what the reading freed goes back to the system: the
			// peak's large arrays need fresh spans, which the reading's
			// small freed ones cannot serve, and the runtime would return
			// those only slowly. At 10^6 documents this took the peak RSS
			// from 1.59 to 1.43-1.51 GB, at the cost of one collection.
			debug.FreeOSMemory()
		}
		if rd.pass == 1 && cfg.BoilerplateArticles > 0 {
			prog.setStage("learning boilerplate")
		} else {
			prog.setStage("clustering")
		}
		return err
	}
	if *export != "" {
		sc, err := stage.SketchCorpus(cfg, read)
		prog.done()
		if err != nil {
			return err
		}
		n, err := exportParquet(*export, cfg, sc)
		if err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintf(stderr, "neardup: exported %d documents and %d index-key postings to %s; %.2fs\n", len(sc.IDs), n, *export, time.Since(start).Seconds())
		}
		return nil
	}
	res, err := cfg.ClusterReader(read)
	prog.done()
	if err != nil {
		return err
	}
	prog.setStage("writing")
	if *timings {
		defer func() { fmt.Fprintf(stderr, "neardup: time by stage: %s\n", prog.timings(time.Now())) }()
	}
	if *evaluate && rd.gold.len() != len(res.Docs) {
		return fmt.Errorf("-eval: %d of %d documents carry a gold \"cluster\" label; all must", rd.gold.len(), len(res.Docs))
	}
	if err := report(stdout, stderr, cfg, res, *explain, *quiet, rd.bytes, start); err != nil {
		return err
	}
	kept := keptDocs(res, *keepPolicy)
	if *statsOut != "" {
		if err := writeStats(*statsOut, clusterStats(res, rd.sizes, kept, *keepPolicy)); err != nil {
			return err
		}
	}
	if *keepOut != "" {
		n, err := writeKept(rd, paths, stdin, kept, *keepOut, keepAs)
		prog.done()
		if err != nil {
			return fmt.Errorf("-keep %s: %w", *keepOut, err)
		}
		if !*quiet {
			fmt.Fprintf(stderr, "neardup: kept %d of %d documents in %s\n", n, len(res.Docs), *keepOut)
		}
	}
	if *reportOut != "" {
		shown := reportClusters(res)
		texts, err := readTexts(rd, paths, stdin, reportDocs(res, shown))
		prog.done()
		if err != nil {
			return fmt.Errorf("-report %s: %w", *reportOut, err)
		}
		if err := writeReport(*reportOut, res, stage.LSH(cfg).String(), shown, texts); err != nil {
			return fmt.Errorf("-report: %w", err)
		}
	}
	if *evaluate {
		pred := make([]eval.Prediction, 0, len(res.Docs))
		for _, d := range res.Docs {
			pred = append(pred, eval.Prediction{ID: d.ID, Cluster: res.Docs[res.Clusters[d.ClusterIndex].Canonical].ID, Canonical: d.Canonical})
		}
		// The clustering and its sketches (about 640 bytes a document)
		// are garbage from here: returned to the system before scoring
		// allocates its own arrays, they keep the run's peak from
		// holding both.
		res, kept = nil, nil
		debug.FreeOSMemory()
		rep, err := eval.Score(rd.gold.labels(func(i int) string { return pred[i].ID }), pred)
		if err != nil {
			return err
		}
		fmt.Fprint(stderr, rep)
	}
	return nil
}

// report writes the JSONL result to stdout and, unless quiet, the
// summary (and with explain the clusters) to stderr.
func report(stdout, stderr io.Writer, cfg dedup.Config, res *dedup.Clustering, explain, quiet bool, bytes int64, start time.Time) error {
	if err := res.WriteJSONL(stdout); err != nil {
		return err
	}
	if explain {
		printClusters(stderr, res)
	}
	if !quiet {
		summarize(stderr, cfg, res, bytes, time.Since(start))
	}
	return nil
}

func summarize(w io.Writer, cfg dedup.Config, res *dedup.Clustering, bytes int64, elapsed time.Duration) {
	multi, dups := 0, 0
	for _, c := range res.Clusters {
		if len(c.Members) > 1 {
			multi++
			dups += len(c.Members) - 1
		}
	}
	fmt.Fprintf(w, "neardup: %d documents (%.1f MB) in %d clusters: %d clusters have copies, %d documents are non-canonical copies; "+
		"LSH %s; %d boilerplate lines learned, found in %d documents; %.2fs (%.0f docs/s).\n",
		len(res.Docs), float64(bytes)/1e6, len(res.Clusters), multi, dups, stage.LSH(cfg), res.BoilerplateLines, res.BoilerplateDocs,
		elapsed.Seconds(), float64(len(res.Docs))/elapsed.Seconds())
}

func printClusters(w io.Writer, res *dedup.Clustering) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for k, c := range res.Clusters {
		if len(c.Members) < 2 {
			continue
		}
		fmt.Fprintf(bw, "cluster %d: canonical %s: %s\n", k, res.Docs[c.Canonical].ID, c.Reason(res.Docs))
		for _, s := range c.Scores {
			d := res.Docs[s.Doc]
			mark := " "
			if d.Canonical {
				mark = "*"
			}
			f := stage.Inspect(d.Sketch)
			fmt.Fprintf(bw, "  %s %-40s %s; words %d, boilerplate words %d, numbers %d (real %v); similarity %.3f",
				mark, d.ID, s, f.Words, f.BoilerplateWords, f.NumberCount, f.RealNumbers > 0, d.Similarity)
			if r := d.Match.Reason(); r != "" {
				fmt.Fprintf(bw, "; joined by %s", r)
			}
			fmt.Fprintln(bw)
		}
	}
}

// input errors name the place.
type inputError struct {
	path string
	line int
	msg  string
}

func (e *inputError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.path, e.msg)
}

// reader streams the input documents to yield, once per pass: files and
// directories are read again on every pass, standard input is kept in
// memory from the first.
type reader struct {
	pass  int // 1 on the first reading
	yield func(dedup.Doc) bool
	need  func(n int) bool // nil, or which documents this reading needs
	n     int              // documents read in this reading
	gold  goldLabels       // with -eval, the gold labels of JSONL documents that carry them
	// where holds each id of the first reading with its document's place
	// in the input; lineOf and fileOf tell where that document is: its
	// line (0 for a file of its own) and the file, by place of its first
	// document. Each document costs 4 bytes here and about 32 in where.
	where      idSet
	lineOf     []int32
	fileOf     []placeFile
	evalLabels bool
	// blockSize is the size of the blocks in which the readings that
	// sketch read JSONL (0: jsonlBlockSize); a negative one makes them
	// read line by line, as the readings for -keep and -report do.
	blockSize int
	bytes     int64 // text bytes read in the first pass
	prog      *progress
	// streams holds, from the first pass, the documents of inputs that
	// cannot be read twice: standard input, and paths that are not
	// regular files (a pipe, <(zcat corpus.jsonl.gz)).
	streams map[string][]dedup.Doc
	stderr  io.Writer // warnings about skipped files, in the first pass
	fields  jsonFields

	// sizes holds every document's text size, from the first reading.
	sizes []int32
	// block is the block of JSONL input whose documents are being
	// passed on, when ClusterReader is to release them (see
	// readJSONLBlocks).
	block *jsonlBlock
	// raw is the JSONL line of the document being added (nil for a file
	// of its own); streamRaw, with -keep, the lines of the inputs that
	// cannot be read again, kept from the first reading.
	raw       []byte
	keepRaw   bool
	inStream  string // the stream being read for the first time
	streamRaw map[string][][]byte
	// emit, set for the reading that writes -keep, takes each document
	// that reading needs instead of yield.
	emit func(id string, text, raw []byte) error
	// emitText makes emit get each document's text (for the report)
	// rather than its record as it came in (for -keep).
	emitText bool
	// emitRow is emit for the rows of Parquet inputs, emitRecord for the
	// records of WARC files (their bytes in f, gzip member and all).
	emitRow    func(schema *parquet.Schema, row parquet.Row) error
	emitRecord func(f *os.File, offset, size int64) error
}

// jsonFields are where a JSONL record holds its id and text: "id" and
// "text" unless -id-field or -text-field say otherwise (custom).
type jsonFields struct {
	id, text fieldPath
	custom   bool
}

// readAgain reads the inputs once more, after clustering, for the
// documents need marks (by input position), which go to the sinks the
// caller set (emit, emitText, emitRow, emitRecord) instead of yield. It
// clears the sinks when done, so that one reading's sinks never serve
// the next (-keep, then -report).
func (r *reader) readAgain(paths []string, stdin io.Reader, need []bool, stage string) error {
	defer func() { r.emit, r.emitText, r.emitRow, r.emitRecord = nil, false, nil, nil }()
	r.pass++
	r.n = 0
	r.need = func(i int) bool { return i >= 0 && i < len(need) && need[i] }
	r.prog.setStage(stage)
	return r.read(paths, stdin)
}

// add passes one document on; line is its line in a JSONL file, 0 for
// a file of its own.
func (r *reader) add(id string, text []byte, path string, line int) error {
	if r.emit != nil {
		r.n++
		return r.emit(id, text, r.raw)
	}
	if r.pass == 1 {
		if prev, seen := r.where.add(id); seen {
			return fmt.Errorf("%s: duplicate id %q (first seen at %s)", place(path, line), id, r.place(prev))
		}
		n := len(r.lineOf)
		if len(r.fileOf) == 0 || r.fileOf[len(r.fileOf)-1].path != path {
			r.fileOf = append(r.fileOf, placeFile{n, path})
		}
		r.lineOf = append(r.lineOf, int32(min(line, math.MaxInt32)))
		r.sizes = append(r.sizes, int32(min(len(text), math.MaxInt32)))
		r.bytes += int64(len(text))
	}
	r.prog.read(len(text))
	r.n++
	d := dedup.Doc{ID: id, Text: text}
	if b := r.block; b != nil {
		b.pending.Add(1)
		d.Release = b.release
	}
	r.yield(d)
	return nil
}

// parseSize reads a size in bytes: a number with an optional unit, B,
// KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func parseSize(s string) (int64, error) {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' })
	unit := strings.ToUpper(s[len(num):])
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(v > 0) {
		return 0, errors.New("want a positive size such as 1.5GB or 1400MiB")
	}
	mult := map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("unknown unit %q: want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB", s[len(num):])
	}
	if v*mult >= math.MaxInt64 {
		return 0, errors.New("too large")
	}
	return int64(v * mult), nil
}

// placeFile is where the documents of one input file start, by place
// in the input.
type placeFile struct {
	start int
	path  string
}

// place names the place of a document: its path, and its line in a
// JSONL file.
func place(path string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}

// place names the place of the n-th document of the first reading.
func (r *reader) place(n int) string {
	k, _ := slices.BinarySearchFunc(r.fileOf, n, func(f placeFile, n int) int { return cmp.Compare(f.start, n+1) })
	return place(r.fileOf[k-1].path, int(r.lineOf[n]))
}

// readFile reads a file of records: Parquet or WARC (told by content or
// name), else JSONL, plain or compressed.
func (r *reader) readFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return &inputError{path: p, msg: "cannot read: " + errors.Unwrap(err).Error()}
	}
	defer f.Close()
	switch fileKind(p, f) {
	case keepParquet:
		return r.readParquet(f, p)
	case keepWARC:
		return r.readWARC(f, p)
	}
	return r.readJSONL(f, p)
}

// fileKind tells what a file of records holds: Parquet (by its magic),
// WARC (by name or first bytes), else JSONL, plain or compressed.
func fileKind(name string, f *os.File) keepKind {
	switch {
	case isParquet(f):
		return keepParquet
	case isWARC(name, f):
		return keepWARC
	}
	return keepJSONL
}

// recordFile reports whether a directory's file holds records, by its
// name: JSONL (.jsonl, .ndjson; plain, .gz or .zst), Parquet, WARC or
// WET (plain or .gz). A folder of shards is read shard by shard, in
// lexical path order with the documents.
func recordFile(name string) bool {
	n := strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".zst")
	return strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".ndjson") || strings.HasSuffix(name, ".parquet") ||
		strings.HasSuffix(n, ".warc") || strings.HasSuffix(n, ".wet")
}

// docFile reports whether a directory's file is a document: a .txt file,
// read as it is, or an .html (.htm) page, whose article is extracted.
func docFile(name string) bool {
	return strings.HasSuffix(name, ".txt") || isHTML(name)
}

func isHTML(name string) bool {
	return strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".htm")
}

// addFile passes on the document of a directory's file: its text, or an
// HTML page's article (package extract). A page without readable content
// is an error naming it.
func (r *reader) addFile(id string, b []byte, path string) error {
	if !isHTML(id) || r.emit != nil && !r.emitText { // -keep writes the file as it came in
		return r.add(id, b, path, 0)
	}
	text, ok := extract.Text(b, nil)
	if !ok {
		return &inputError{path: path, msg: "no readable article in the page"}
	}
	return r.add(id, text, path, 0)
}

// skip passes on a zero Doc for a document this reading does not need,
// and reports whether it did.
func (r *reader) skip(size int) bool {
	if r.need == nil || r.need(r.n) {
		return false
	}
	r.skipped(size)
	return true
}

// skipped passes over the next document, of size bytes, which this
// reading does not need.
func (r *reader) skipped(size int) {
	r.prog.read(size)
	r.n++
	if r.emit == nil && r.emitRow == nil && r.emitRecord == nil { // not the reading for -keep
		r.yield(dedup.Doc{})
	}
}

// read reads every path in order; no path means the embedded sample.
func (r *reader) read(paths []string, stdin io.Reader) error {
	if len(paths) == 0 {
		sub, err := fs.Sub(sample, "testdata/seeds")
		if err != nil {
			return err
		}
		return r.readDir(sub, "sample")
	}
	for _, p := range paths {
		var err error
		switch st, serr := os.Stat(p); {
		case p == "-":
			err = r.readStream(p, "<stdin>", func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil })
		case serr != nil:
			return &inputError{path: p, msg: "cannot read: " + errors.Unwrap(serr).Error()}
		case st.IsDir():
			err = r.readOSDir(p)
		case !st.Mode().IsRegular():
			err = r.readStream(p, p, func() (io.ReadCloser, error) { return os.Open(p) })
		default:
			err = r.readFile(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readStream reads JSONL from an input that cannot be read twice, once,
// and keeps its documents for the second pass.
func (r *reader) readStream(key, name string, open func() (io.ReadCloser, error)) error {
	if r.pass > 1 {
		for i, d := range r.streams[key] {
			if r.emit != nil {
				if r.skip(0) {
					continue
				}
				r.raw = nil
				if raw := r.streamRaw[key]; i < len(raw) { // kept for -keep
					r.raw = raw[i]
				}
				if err := r.add(d.ID, d.Text, name, 0); err != nil {
					return err
				}
				continue
			}
			r.n++
			r.yield(d)
		}
		return nil
	}
	in, err := open()
	if err != nil {
		return &inputError{path: name, msg: "cannot read: " + err.Error()}
	}
	defer in.Close()
	keep := r.yield
	r.yield = func(d dedup.Doc) bool { r.streams[key] = append(r.streams[key], d); return keep(d) }
	r.inStream = key
	defer func() { r.yield, r.inStream = keep, "" }()
	return r.readJSONL(in, name)
}

// warn reports a skipped input on standard error, once.
func (r *reader) warn(path, why string) {
	if r.pass == 1 {
		fmt.Fprintf(r.stderr, "neardup: skipped %q: %s\n", path, why)
	}
}

// readOSDir reads every .txt file under the directory root, in lexical
// path order, each a document whose id is its path below root. Files that
// are not regular files once links are followed (a pipe, a device: reading
// /dev/zero would never end), and names that are not valid UTF-8 (which
// no JSON id can carry byte for byte), are skipped with a warning.
func (r *reader) readOSDir(root string) error {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &inputError{path: p, msg: "cannot read: " + err.Error()}
		}
		if d.IsDir() || !docFile(p) && !recordFile(p) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		switch st, err := os.Stat(p); {
		case !utf8.ValidString(rel) && !recordFile(p):
			r.warn(p, "the file name is not valid UTF-8, and a document id must be")
		case err != nil:
			r.warn(p, err.Error())
		case !st.Mode().IsRegular():
			r.warn(p, "not a regular file")
		default:
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(paths)
	for _, p := range paths {
		full := filepath.Join(root, filepath.FromSlash(p))
		if recordFile(p) {
			if err := r.readFile(full); err != nil {
				return err
			}
			continue
		}
		if r.skip(0) {
			continue
		}
		b, err := os.ReadFile(full)
		if err != nil {
			return &inputError{path: full, msg: "cannot read: " + err.Error()}
		}
		if err := r.addFile(p, b, full); err != nil {
			return err
		}
	}
	return nil
}

// readDir reads every .txt file under fsys, in lexical path order.
func (r *reader) readDir(fsys fs.FS, name string) error {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &inputError{path: filepath.Join(name, p), msg: "cannot read: " + err.Error()}
		}
		if !d.IsDir() && docFile(p) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(paths)
	for _, p := range paths {
		if r.skip(0) {
			continue
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return &inputError{path: filepath.Join(name, p), msg: "cannot read: " + err.Error()}
		}
		if err := r.addFile(p, b, filepath.Join(name, p)); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) readJSONL(in io.Reader, name string) error {
	br := bufio.NewReaderSize(in, 64<<10)
	src, err := decompress(br)
	if err != nil {
		return &inputError{path: name, msg: "cannot read: " + err.Error()}
	}
	if src != nil {
		defer src.Close()
		br = bufio.NewReaderSize(src, 64<<10)
	}
	if r.emit == nil && r.blockSize >= 0 {
		return r.readJSONLBlocks(br, name, src != nil)
	}
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff")) // a byte-order mark
		}
		if len(bytes.TrimSpace(b)) > 0 && !r.skip(len(b)) {
			var aerr error
			if r.emit != nil && !r.emitText {
				// The reading for -keep: the line as it came in (parsing
				// decodes the text in place).
				r.n++
				aerr = r.emit("", nil, b)
			} else {
				aerr = r.addLine(b, name, line)
			}
			if aerr != nil {
				return aerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &inputError{path: name, line: line, msg: "cannot read: " + err.Error()}
		}
	}
}

// addLine parses one JSONL line and passes its document on.
func (r *reader) addLine(b []byte, name string, line int) error {
	var raw []byte
	if r.inStream != "" && r.keepRaw {
		raw = bytes.Clone(b)
	}
	var rec record
	var text []byte
	var jerr error
	if r.fields.custom {
		rec, text, jerr = parseFields(b, r.fields.id, r.fields.text)
	} else {
		rec, text, jerr = parseRecord(b)
	}
	return r.addParsed(rec, text, raw, jerr, name, line)
}

// addParsed passes on the document of a parsed JSONL line: rec, text and
// jerr are what parsing returned, raw the line as it came in when -keep
// needs it from a stream.
func (r *reader) addParsed(rec record, text, raw []byte, jerr error, name string, line int) error {
	var ferr fieldError
	switch {
	case errors.Is(jerr, errIDNotUTF8), errors.As(jerr, &ferr):
		return &inputError{path: name, line: line, msg: jerr.Error()}
	case jerr != nil:
		return &inputError{path: name, line: line, msg: "invalid JSON: " + jerr.Error()}
	}
	switch {
	case rec.ID == nil:
		return &inputError{path: name, line: line, msg: fmt.Sprintf("missing %q", r.fields.id.String())}
	case *rec.ID == "":
		return &inputError{path: name, line: line, msg: fmt.Sprintf("empty %q", r.fields.id.String())}
	case rec.Text == nil:
		return &inputError{path: name, line: line, msg: fmt.Sprintf("missing %q", r.fields.text.String())}
	}
	if raw != nil {
		r.streamRaw[r.inStream] = append(r.streamRaw[r.inStream], raw)
	}
	if err := r.add(*rec.ID, text, name, line); err != nil {
		return err
	}
	if rec.Cluster != nil && r.pass == 1 && r.evalLabels {
		ok := rec.CanonicalOK == nil || *rec.CanonicalOK
		if !r.gold.add(*rec.Cluster, ok, rec.Kind, rec.Lang) {
			return &inputError{path: name, line: line, msg: fmt.Sprintf("-eval: more than %d distinct \"kind\" or %d \"lang\" labels", maxKinds, maxKinds/2)}
		}
	}
	return nil
}

// decompress returns a reader of the decompressed content when br starts
// with a gzip member or a zstd frame, nil otherwise: compressed JSONL
// shards (.jsonl.gz, .jsonl.zst) are told by their content, whatever
// their name, and decompressed as they are read. Concatenated gzip
// members and zstd frames read as one stream.
func decompress(br *bufio.Reader) (io.ReadCloser, error) {
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return nil, nil
}
