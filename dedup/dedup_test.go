package dedup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/neardup/neardup/dedup/internal/engine"
	"github.com/neardup/neardup/shingle"
)

// cluster, newIndex, newStream and addText are the library's calls that
// return an error, for tests whose Config is valid: an error fails the
// test.
func cluster(t testing.TB, cfg Config, docs []Doc) *Clustering {
	t.Helper()
	res, err := cfg.Cluster(docs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func newIndex(t testing.TB, cfg Config) *Index {
	t.Helper()
	ix, err := NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func newStream(t testing.TB, cfg Config) *Stream {
	t.Helper()
	s, err := NewStream(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addText(t testing.TB, s *Stream, id string, text []byte) []Found {
	t.Helper()
	found, err := s.Add(context.Background(), id, text)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seeds returns the five seed documents, ids without the .txt suffix.
func seeds(t testing.TB) []Doc {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "seeds", "*.txt"))
	if err != nil || len(paths) != 5 {
		t.Fatalf("seeds: %v %v", paths, err)
	}
	var docs []Doc
	for _, p := range paths {
		docs = append(docs, Doc{ID: strings.TrimSuffix(filepath.Base(p), ".txt")[:3], Text: readFile(t, p)})
	}
	return docs
}

// grouping renders a clustering as canonical id -> member ids.
func grouping(res *Clustering) map[string][]string {
	out := make(map[string][]string)
	for _, c := range res.Clusters {
		var ids []string
		for _, m := range c.Members {
			ids = append(ids, res.Docs[m].ID)
		}
		out[res.Docs[c.Canonical].ID] = ids
	}
	return out
}

func TestSeedsCluster(t *testing.T) {
	res := cluster(t, Config{}, seeds(t))
	want := map[string][]string{
		"001": {"000", "001"},
		"002": {"002"},
		"003": {"003"},
		"004": {"004"},
	}
	if diff := cmp.Diff(want, grouping(res), allFields); diff != "" {
		t.Errorf("seed clusters mismatch (-want +got):\n%s", diff)
	}
	for _, d := range res.Docs {
		if d.ID == "000" && (d.Canonical || d.Similarity < 0.9) {
			t.Errorf("000: canonical %v similarity %.3f; want a non-canonical copy of 001 with similarity >= 0.9", d.Canonical, d.Similarity)
		}
	}
}

func TestClusterDeterministic(t *testing.T) {
	docs := seeds(t)
	for _, f := range []string{"original", "boilerplate", "teaser", "accent_free", "template_a", "template_b"} {
		docs = append(docs, Doc{ID: f, Text: readFile(t, filepath.Join("..", "testdata", "fixtures", f+".txt"))})
	}
	first := grouping(cluster(t, Config{}, docs))
	for range 5 {
		if diff := cmp.Diff(first, grouping(cluster(t, Config{}, docs)), allFields); diff != "" {
			t.Fatalf("second run differs (-first +again):\n%s", diff)
		}
	}
}

// familiesCorpus returns the seeds and fixtures, and 1,500 documents
// made of their lines (more than one page of sketches, see pages):
// families of copies, some wrapped in lines that recur across families
// (boilerplate to learn), some cut short, some exact copies.
func familiesCorpus(t *testing.T) []Doc {
	docs := seedsAndFixtures(t)
	var pool [][]byte
	for _, d := range docs {
		for _, l := range bytes.Split(d.Text, []byte("\n")) {
			if len(bytes.Fields(l)) >= 6 {
				pool = append(pool, l)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	menu := [][]byte{[]byte("Trang chủ Thời sự Thế giới Kinh doanh Giải trí Thể thao Pháp luật"), []byte("Tin bài liên quan: những bài viết được quan tâm nhất trong ngày hôm nay")}
	for len(docs) < 1500 {
		var article [][]byte
		for range 4 + rng.IntN(8) {
			article = append(article, pool[rng.IntN(len(pool))])
		}
		for copyNo := range 1 + rng.IntN(4) {
			lines := article
			if copyNo > 0 && rng.IntN(3) == 0 {
				lines = lines[:max(1, len(lines)*2/3)]
			}
			if rng.IntN(2) == 0 {
				lines = append(append([][]byte{menu[0]}, lines...), menu[1])
			}
			docs = append(docs, Doc{ID: fmt.Sprintf("gen%d", len(docs)), Text: bytes.Join(lines, []byte("\n"))})
		}
	}
	return docs
}

// The stages that run on GOMAXPROCS goroutines split their work by the
// number of goroutines; the result must not depend on it.
func TestClusterIndependentOfGOMAXPROCS(t *testing.T) {
	docs := familiesCorpus(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	want := cluster(t, Config{}, docs)
	if want.BoilerplateDocs == 0 || len(want.Clusters) >= len(docs)-100 {
		t.Fatalf("corpus too easy: %d boilerplate docs, %d clusters of %d docs", want.BoilerplateDocs, len(want.Clusters), len(docs))
	}
	for _, procs := range []int{2, 3, 7, 64} {
		runtime.GOMAXPROCS(procs)
		if diff := cmp.Diff(want, cluster(t, Config{}, docs), cmpMatch, allFields); diff != "" {
			t.Errorf("GOMAXPROCS=%d differs from GOMAXPROCS=1 (-1 +%d):\n%s", procs, procs, diff)
		}
	}
}

// Chunks, number samples, lines and run keys kept in spill files give
// the result kept in memory, sketches included; Compare reads chunks and
// numbers back from the result's sketches; and each member's Similarity
// is Compare's Jaccard with its canonical.
func TestClusterSpill(t *testing.T) {
	docs := familiesCorpus(t)
	want := cluster(t, Config{}, docs)
	// Run keys go to their file 16 at a time, not 65,536: most of this
	// corpus's are read back from it.
	defer func(b int) { runSpillBlock = b }(runSpillBlock)
	runSpillBlock = 16
	got := cluster(t, Config{SpillDir: t.TempDir()}, docs)
	cold := 0
	for _, d := range got.Docs {
		if d.Sketch.cold != nil {
			cold++
		}
	}
	if cold != len(docs) {
		t.Fatalf("%d of %d sketches spilled", cold, len(docs))
	}
	if diff := cmp.Diff(want, got, cmpMatch, cmpSketch, allFields); diff != "" {
		t.Errorf("spilled result differs (-memory +spill):\n%s", diff)
	}
	var c Config
	aligned, numbered := 0, 0
	for k := range want.Docs {
		for _, j := range []int{k / 2, len(want.Docs) - 1 - k} {
			m, mc := c.Compare(want.Docs[k].Sketch, want.Docs[j].Sketch), c.Compare(got.Docs[k].Sketch, got.Docs[j].Sketch)
			if diff := cmp.Diff(m, mc, cmpMatch); diff != "" {
				t.Fatalf("Compare(%d, %d) differs (-memory +spill):\n%s", k, j, diff)
			}
			if m.Aligned.Coverage > 0 {
				aligned++
			}
			if m.NumberAgreement >= 0 {
				numbered++
			}
		}
	}
	if aligned == 0 {
		t.Error("no pair was aligned: the spilled chunks went unread")
	}
	if numbered == 0 {
		t.Error("no pair reached the number check: the spilled numbers went unread")
	}
	for _, res := range []*Clustering{want, got} {
		for i, d := range res.Docs {
			canon := res.Clusters[d.ClusterIndex].Canonical
			if i == canon {
				continue
			}
			if j := c.Compare(d.Sketch, res.Docs[canon].Sketch).Jaccard; d.Similarity != j {
				t.Fatalf("document %d: Similarity %v, Compare's Jaccard with its canonical %v", i, d.Similarity, j)
			}
		}
	}
	if _, err := (Config{SpillDir: filepath.Join(t.TempDir(), "absent")}).Cluster(docs); err == nil {
		t.Error("a spill directory that does not exist gave no error")
	}
}

// A number sample too long for a spill place to count stays in memory;
// the chunks go to the file all the same, and a shorter sample that
// replaces it goes there too.
func TestSpillLongSample(t *testing.T) {
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arena := sketchArena{spill: sp}
	long := make([]numberInContext, coldNumMask+1)
	for i := range long {
		long[i] = numberInContext{Context: uint16(i / 8), Value: uint16(i)}
	}
	chunks := []chunk{7, 8, 9}
	s := arena.keep(Sketch{chunks: chunks, numbers: numberSketch{Sample: long}})
	// The record after s's, which a replacement overflowing s's room
	// would overwrite.
	nextChunks, nextNumbers := []chunk{1, 2, 3, 4}, long[:3]
	next := arena.keep(Sketch{chunks: nextChunks, numbers: numberSketch{Sample: nextNumbers}})
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	if s.numbersCold() || s.chunks != nil {
		t.Fatalf("kept: numbers cold %v, chunks in memory %v; want the numbers in memory and the chunks spilled", s.numbersCold(), s.chunks != nil)
	}
	c, n := s.coldIn(nil, true, true)
	if diff := cmp.Diff(chunks, c); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(long, n, allFields); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	short := long[:5]
	r := arena.replace(s, Sketch{chunks: chunks[:2], numbers: numberSketch{Sample: short}})
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	if !r.numbersCold() {
		t.Fatal("a short sample replacing a long one stayed in memory")
	}
	c, n = r.coldIn(nil, true, true)
	if diff := cmp.Diff(chunks[:2], c); diff != "" {
		t.Errorf("replaced chunks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(short, n, allFields); diff != "" {
		t.Errorf("replaced numbers (-want +got):\n%s", diff)
	}
	c, n = next.coldIn(nil, true, true)
	if diff := cmp.Diff(nextChunks, c); diff != "" {
		t.Errorf("the next record's chunks after the replacement (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(nextNumbers, n, allFields); diff != "" {
		t.Errorf("the next record's numbers after the replacement (-want +got):\n%s", diff)
	}
	// The codec keeps a long sample too.
	b, err := (&Sketch{sig: make(compact, 4), shingles: 1, numbers: numberSketch{Contexts: 40, Sample: long}}).AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back Sketch
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatalf("a sketch with a %d-entry number sample does not decode: %v", len(long), err)
	}
	if diff := cmp.Diff(long, back.numbers.Sample, allFields); diff != "" {
		t.Errorf("decoded numbers (-want +got):\n%s", diff)
	}
}

// sameAs and exactKey read a spilled sketch's numbers: two sketches that
// differ only in a number's value are not the same, spilled or not, and
// a spilled sketch has its in-memory twin's key.
func TestSameAsSpilled(t *testing.T) {
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arena := sketchArena{spill: sp}
	x := Config{}.Sketch([]byte("Giá vàng hôm nay tăng 12 nghìn đồng, lên 85,5 triệu đồng một lượng vào lúc 9 giờ sáng."))
	if len(x.numbers.Sample) == 0 {
		t.Fatal("the text has no number sample")
	}
	y := x
	y.numbers.Sample = slices.Clone(x.numbers.Sample)
	y.numbers.Sample[0].Value++
	cx, cx2, cy := arena.keep(x), arena.keep(x), arena.keep(y)
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	if !cx.numbersCold() {
		t.Fatal("numbers not spilled")
	}
	for _, tt := range []struct {
		name string
		a, b *Sketch
		want bool
	}{
		{"in memory, same", &x, &x, true},
		{"in memory, other value", &x, &y, false},
		{"spilled, same", &cx, &cx2, true},
		{"spilled, other value", &cx, &cy, false},
		{"spilled and in memory, same", &cx, &x, true},
		{"spilled and in memory, other value", &cx, &y, false},
	} {
		if got := tt.a.sameAs(tt.b); got != tt.want {
			t.Errorf("%s: sameAs = %v, want %v", tt.name, got, tt.want)
		}
	}
	if cx.exactKey() != x.exactKey() || cy.exactKey() != y.exactKey() {
		t.Error("a spilled sketch's exact key differs from its in-memory twin's")
	}
	if x.exactKey() == y.exactKey() {
		t.Error("sketches that differ in a number share an exact key")
	}
}

// An Index keeps a number sample of any length: one longer than 255
// entries (a text built so that its context hashes collide) came back
// cut to its length modulo 256.
func TestIndexLongSample(t *testing.T) {
	ix, err := NewIndex(Config{})
	if err != nil {
		t.Fatal(err)
	}
	long := make([]numberInContext, 300)
	for i := range long {
		long[i] = numberInContext{Context: uint16(i / 8), Value: uint16(i)}
	}
	s := Config{}.Sketch([]byte("một văn bản ngắn có 12 con số"))
	s.numbers.Sample = long
	got := ix.sketch(ix.append("a", &s))
	if diff := cmp.Diff(long, got.numbers.Sample, allFields); diff != "" {
		t.Errorf("number sample through an Index (-want +got):\n%s", diff)
	}
	if size := unsafe.Sizeof(docMeta{}); size > 40 {
		t.Errorf("docMeta is %d bytes, want at most 40", size)
	}
}

// cmpSketch compares sketches by their fields, chunks read back from a
// spill file included.
var cmpSketch = cmp.Transformer("Sketch", func(s Sketch) engine.Fields { return s.fields() })

func TestClusterEmpty(t *testing.T) {
	res := cluster(t, Config{}, nil)
	if len(res.Docs) != 0 || len(res.Clusters) != 0 {
		t.Errorf("Cluster(nil) = %d docs, %d clusters; want none", len(res.Docs), len(res.Clusters))
	}
	res = cluster(t, Config{}, []Doc{{ID: "a"}, {ID: "b", Text: []byte("12 / 9")}, {ID: "c"}})
	if diff := cmp.Diff(map[string][]string{"a": {"a"}, "b": {"b"}, "c": {"c"}}, grouping(res), allFields); diff != "" {
		t.Errorf("documents without words must stay apart (-want +got):\n%s", diff)
	}
}

// Signatures are a stored format: these values freeze them. If this test
// fails, bump signatureVersion and update it on purpose.
func TestSignatureKnownAnswers(t *testing.T) {
	if signatureVersion != 4 || shingle.Version != 3 {
		t.Fatal("known answers are for SignatureVersion 4 and shingle.Version 3")
	}
	sh := shingle.Shingler{}.AppendHashes(nil, []byte("ASEAN ủng hộ VN ứng cử vào Hội đồng Bảo an LHQ"))
	sig := appendSignature(nil, sh, 8)
	want := signature{0x2ba2fe693d2f49e5, 0x0525721331d9f044, 0x2c0585d659604029, 0x0abac07cdfed9dd6, 0x1ffc71ff13f46bbc, 0x04ff9141267a8657, 0x3c17f755193714cf, 0x115a2df1df539a12}
	if diff := cmp.Diff(want, sig, allFields); diff != "" {
		t.Errorf("signature mismatch (-want +got):\n%s", diff)
	}
	// The documented formula, computed here without go-minhash.
	mix := func(x uint64) uint64 {
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		x ^= x >> 31
		return x
	}
	for i := range sig {
		m := uint64(math.MaxUint64)
		for _, s := range sh {
			m = min(m, s+uint64(i)*(mix(s)|1))
		}
		if sig[i] != m {
			t.Errorf("sig[%d] = %#x, formula gives %#x", i, sig[i], m)
		}
	}
}

func TestSignatureBinary(t *testing.T) {
	sig := appendSignature(nil, []uint64{1, 2, 3}, 16)
	b, err := sig.marshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got signature
	if err := got.unmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sig, got, allFields); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	bad := slices.Clone(b)
	bad[4] = 99
	for name, in := range map[string][]byte{"version": bad, "short": b[:10], "empty": nil, "magic": append([]byte("XXXX"), b[4:]...)} {
		if err := got.unmarshalBinary(in); err == nil {
			t.Errorf("%s: UnmarshalBinary accepted corrupt input", name)
		}
	}
}

func FuzzSignatureUnmarshal(f *testing.F) {
	b, _ := appendSignature(nil, []uint64{1, 2, 3}, 4).marshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, in []byte) {
		var s signature
		if s.unmarshalBinary(in) == nil {
			out, _ := s.marshalBinary()
			if string(out) != string(in) {
				t.Fatalf("accepted %x but re-encodes as %x", in, out)
			}
		}
	})
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b []uint64
		want float64
	}{
		{[]uint64{1, 2, 3}, []uint64{1, 2, 3}, 1},
		{nil, nil, 0},
		{[]uint64{1, 2}, nil, 0},
	}
	for _, tt := range tests {
		a := appendSignature(nil, tt.a, 64)
		b := appendSignature(nil, tt.b, 64)
		if got := similarity(a, b); got != tt.want {
			t.Errorf("Similarity(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	// Estimates are close: sets with Jaccard 1000/3000, standard error
	// sqrt(J(1-J)/1024) = 0.015.
	var a, b []uint64
	for i := range 3000 {
		h := shingle.TokenHash([]byte(fmt.Sprint(i))) // shingle hashes are XXH64 values
		if i < 2000 {
			a = append(a, h)
		}
		if i >= 1000 {
			b = append(b, h)
		}
	}
	if got := similarity(appendSignature(nil, a, 1024), appendSignature(nil, b, 1024)); math.Abs(got-1.0/3) > 0.05 {
		t.Errorf("Similarity of sets with Jaccard 1/3 = %.3f", got)
	}
}

func TestOptimalLSH(t *testing.T) {
	for _, tt := range []struct {
		threshold float64
		hashes    int
	}{{0.5, 128}, {0.23, 128}, {0.8, 128}, {0.5, 64}} {
		p := engine.OptimalBanding(tt.threshold, tt.hashes)
		if p.Bands*p.Rows > tt.hashes || p.Bands < 1 || p.Rows < 1 {
			t.Errorf("engine.OptimalBanding(%v, %d) = %v: does not fit", tt.threshold, tt.hashes, p)
		}
		// Its S-curve rises through the threshold.
		if p.Probability(tt.threshold/2) > 0.5 || p.Probability(min(1, tt.threshold*1.5)) < 0.5 {
			t.Errorf("engine.OptimalBanding(%v, %d) = %v: P(t/2)=%.2f P(1.5t)=%.2f", tt.threshold, tt.hashes, p,
				p.Probability(tt.threshold/2), p.Probability(tt.threshold*1.5))
		}
		// No neighbouring banding has a lower total error.
		for _, q := range []banding{{Bands: p.Bands + 1, Rows: p.Rows}, {Bands: p.Bands - 1, Rows: p.Rows}, {Bands: p.Bands, Rows: p.Rows + 1}, {Bands: p.Bands, Rows: p.Rows - 1}} {
			if q.Bands < 1 || q.Rows < 1 || q.Bands*q.Rows > tt.hashes {
				continue
			}
			c := Config{Hashes: tt.hashes, Bands: q.Bands, Rows: q.Rows, Threshold: tt.threshold, MinContainedFraction: 1}
			e := c.lshBanding()
			if e.FalsePositive+e.FalseNegative < p.FalsePositive+p.FalseNegative-1e-9 {
				t.Errorf("banding %dx%d beats OptimalLSH's %v", q.Bands, q.Rows, p)
			}
		}
	}
}

func TestIndexStreaming(t *testing.T) {
	var cfg Config
	ix := newIndex(t, cfg)
	var got []string
	for _, d := range seeds(t) {
		found, _, _ := ix.queryAdd(d.ID, cfg.Sketch(d.Text))
		var ids []string
		for _, f := range found {
			ids = append(ids, f.ID)
		}
		got = append(got, fmt.Sprintf("%s:%v", d.ID, ids))
	}
	want := []string{"000:[]", "001:[000]", "002:[]", "003:[]", "004:[]"}
	if diff := cmp.Diff(want, got, allFields); diff != "" {
		t.Errorf("streaming results mismatch (-want +got):\n%s", diff)
	}
	if ix.Len() != 5 {
		t.Errorf("Len = %d, want 5", ix.Len())
	}
}

// Concurrent Add of copies: exactly one of them sees no earlier copy.
func TestIndexConcurrent(t *testing.T) {
	var cfg Config
	ix := newIndex(t, cfg)
	text := seeds(t)[1].Text
	sk := cfg.Sketch(text)
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found, _, _ := ix.queryAdd(fmt.Sprint(i), sk)
			if len(found) == 0 {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
			_ = ix.Query(&sk)
		}()
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("%d of 16 concurrent copies saw no earlier copy, want exactly 1", firsts)
	}
}

// randomSketch is the sketch of a document of 400 distinct shingles with
// 15 numbers in context, the shape of a 3 KB news article, cut in chunks
// of chunkWords words on average; its signature's codes and its chunks are
// drawn at random, as a unique document's are.
func randomSketch(r *rand.Rand) Sketch {
	s := Sketch{sig: make(compact, DefaultHashes), shingles: 400, words: 404, lead: r.Uint64() | 1}
	for i := range s.sig {
		s.sig[i] = uint16(r.IntN(emptyCode))
	}
	for w := 0; w < int(s.words); {
		n := min(1+r.IntN(2*chunkWords-1), int(s.words)-w)
		s.chunks = append(s.chunks, chunk(r.Uint32()&^0xff|uint32(n)))
		w += n
	}
	s.numbers.Count, s.numbers.Real, s.numbers.Contexts = 15, 10, 15
	for range 15 {
		s.numbers.Sample = append(s.numbers.Sample, numberInContext{Context: uint16(r.Uint32()), Value: uint16(r.Uint32())})
	}
	return s
}

// An index holds at most 1,250 bytes per document at the default
// settings (128 hashes, 42 bands), ids of 11 bytes included: about 660
// for the signature, bands, lead, numbers and id, 200 for the chunks of
// a 400-word article and 170 for its dozen run keys, with room for the
// tables' load factor, which varies between 1/2 and 3/4.
func TestIndexBytesPerDoc(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	ix := newIndex(t, Config{})
	for i := range 40000 {
		ix.addSeq(fmt.Sprintf("d%010d", i), randomSketch(r))
	}
	got := ix.bytesPerDoc()
	t.Logf("%d documents, %.0f bytes each", ix.Len(), got)
	if got > 1250 {
		t.Errorf("BytesPerDoc = %.0f, want <= 1250", got)
	}
}

// Every field out of range is reported, and every entry point that takes
// a Config returns the error instead of panicking or ignoring the field;
// the calls that cannot return one give nothing (a zero sketch, no match,
// no banding).
func TestConfigValidate(t *testing.T) {
	docs := seeds(t)
	for _, tt := range []struct {
		cfg  Config
		want string // in the error
	}{
		{Config{Bands: 50, Rows: 5}, "Bands 50 × Rows 5 exceed the 128 hashes"},
		{Config{Bands: 20}, "set both or neither"},
		{Config{Rows: 3}, "set both or neither"},
		{Config{Bands: -1, Rows: -1}, "must not be negative"},
		{Config{Hashes: -1}, "Hashes -1"},
		{Config{Hashes: MaxHashes + 1}, "Hashes 4097"},
		{Config{Hashes: 64, Bands: 40, Rows: 2}, "exceed the 64 hashes"},
		{Config{ShingleSize: -1}, "ShingleSize -1"},
		{Config{ShingleSize: 17}, "ShingleSize 17"},
		{Config{Threshold: math.NaN()}, "Threshold NaN"},
		{Config{Threshold: -1}, "Threshold -1"},
		{Config{Containment: 1.5}, "Containment 1.5"},
		{Config{MinContainedFraction: math.Inf(1)}, "MinContainedFraction +Inf"},
	} {
		t.Run(fmt.Sprintf("%+v", tt.cfg), func(t *testing.T) {
			err := tt.cfg.Validate()
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrConfig saying %q", err, tt.want)
			}
			fail := func(name string, err error) {
				t.Helper()
				if !errors.Is(err, ErrConfig) {
					t.Errorf("%s: %v, want the Config's error", name, err)
				}
			}
			_, err = tt.cfg.Cluster(docs)
			fail("Cluster", err)
			_, err = tt.cfg.ClusterReader(func(func(int) bool, func(Doc) bool) error { return nil })
			fail("ClusterReader", err)
			_, err = tt.cfg.sketchCorpus(func(func(int) bool, func(Doc) bool) error { return nil })
			fail("SketchCorpus", err)
			_, err = tt.cfg.clusterSketches(nil, nil, nil)
			fail("ClusterSketches", err)
			_, err = NewIndex(tt.cfg)
			fail("NewIndex", err)
			_, err = NewStream(tt.cfg, nil)
			fail("NewStream", err)
			_, err = NewStream(tt.cfg, newIndex(t, Config{}))
			fail("NewSharedStream", err)
			_, err = OpenStore(t.TempDir(), StoreOptions{Config: tt.cfg})
			fail("OpenStore", err)
			sk := Config{}.Sketch(docs[0].Text)
			_, err = tt.cfg.appendIndexKeys(nil, &sk)
			fail("AppendIndexKeys", err)
			if s := tt.cfg.Sketch(docs[0].Text); s.shingles != 0 || s.sig != nil {
				t.Errorf("Sketch: %d shingles, want the zero Sketch", s.shingles)
			}
			if m := tt.cfg.Compare(&sk, &sk); m.Duplicate || !strings.Contains(m.Reason(), tt.want) {
				t.Errorf("Compare: %+v, want no match and the Config's error", m)
			}
			if p := tt.cfg.lshBanding(); p != (banding{}) {
				t.Errorf("LSH: %v, want the zero banding", p)
			}
		})
	}
	if err := (Config{Hashes: 64, Bands: 32, Rows: 2, ShingleSize: 16, Threshold: 1, BoilerplateArticles: -1}).Validate(); err != nil {
		t.Errorf("a valid Config: %v", err)
	}
}

// A sketch of another Config is refused by the index, and finds nothing.
func TestIndexRefusesOtherSketches(t *testing.T) {
	ix := newIndex(t, Config{})
	other := Config{Hashes: 64}.Sketch(seed(t, "001").Text)
	if _, err := ix.addSeq("x", other); !errors.Is(err, ErrConfig) {
		t.Errorf("Add: %v, want ErrConfig", err)
	}
	if _, _, err := ix.queryAdd("x", other); !errors.Is(err, ErrConfig) {
		t.Errorf("QueryAdd: %v, want ErrConfig", err)
	}
	if f := ix.Query(&other); f != nil || ix.Len() != 0 {
		t.Errorf("Query: %v and %d documents, want nothing", f, ix.Len())
	}
	if _, err := (Config{}).clusterSketches([]string{"x"}, []Sketch{other}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("ClusterSketches: %v, want ErrConfig", err)
	}
}

// WriteJSONL writes what encoding/json writes for each document's record:
// ids with characters it escapes (quotes, backslashes, control
// characters, HTML's <, > and &, U+2028 and U+2029, invalid UTF-8) and
// without, and similarities from 0 to 1, their roundings included.
func TestWriteJSONLAsEncodingJSON(t *testing.T) {
	ids := []string{"a", "reuters/10043", "vims/Cluster_025/162", "Hội đồng Bảo an.txt", "", `q"uote`, `back\slash`,
		"tab\there", "nl\n", "\x00\x1f", "<b>&</b>", "a&b", "x<y", "x>y", "l\u2028", "p\u2029", "bad\xffutf8", "\xe1\xba", "😀", "\x7f", "/slash/"}
	rng := rand.New(rand.NewPCG(9, 10))
	var r Clustering
	for i := range 2000 {
		id := ids[i%len(ids)]
		if i >= len(ids) {
			id += fmt.Sprint(i)
		}
		sim := []float64{0, 1, 0.0005, 0.0004999, 0.9995, 0.5, 1.0 / 3}[i%7]
		if i%3 == 0 {
			sim = rng.Float64()
		}
		r.Docs = append(r.Docs, DocResult{ID: id, ClusterIndex: i / 3, Canonical: i%3 == 0, Similarity: sim})
		if i%3 == 0 {
			r.Clusters = append(r.Clusters, Cluster{Canonical: i + rng.IntN(3)%(2000-i)})
		}
	}
	var got, want bytes.Buffer
	if err := r.WriteJSONL(&got); err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(&want)
	for _, d := range r.Docs {
		enc.Encode(struct {
			ID         string  `json:"id"`
			Cluster    string  `json:"cluster"`
			Canonical  bool    `json:"canonical"`
			Similarity float64 `json:"similarity"`
		}{d.ID, r.Docs[r.Clusters[d.ClusterIndex].Canonical].ID, d.Canonical, float64(int(d.Similarity*1000+0.5)) / 1000})
	}
	if diff := cmp.Diff(strings.Split(want.String(), "\n"), strings.Split(got.String(), "\n")); diff != "" {
		t.Errorf("WriteJSONL against encoding/json (-want +got):\n%s", diff)
	}
}
