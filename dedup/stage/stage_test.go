package stage_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// corpus returns the repository's seeds and fixtures.
func corpus(t *testing.T) []dedup.Doc {
	t.Helper()
	var docs []dedup.Doc
	for _, dir := range []string{"seeds", "fixtures"} {
		paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*.txt"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: %v %v", dir, paths, err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, dedup.Doc{ID: filepath.Base(p), Text: b})
		}
	}
	return docs
}

// view renders a clustering as the fields a user reads, reasons included.
type view struct {
	ID, Canonical        string
	IsCanonical          bool
	Similarity           float64
	Reason, ClusterWhy   string
	Words, Shingles, Sig int
}

func render(res *dedup.Clustering) []view {
	out := make([]view, len(res.Docs))
	for i, d := range res.Docs {
		c := &res.Clusters[d.ClusterIndex]
		f := stage.Inspect(d.Sketch)
		out[i] = view{d.ID, res.Docs[c.Canonical].ID, d.Canonical, d.Similarity, d.Match.Reason(), c.Reason(res.Docs), f.Words, f.Shingles, len(f.Sig)}
	}
	return out
}

// The stages, composed as Config.ClusterReader composes them, give its
// result: what examples/beam runs on many machines.
func TestStagesComposeToCluster(t *testing.T) {
	var cfg dedup.Config
	docs := corpus(t)
	want, err := cfg.Cluster(docs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(docs))
	first := make([]dedup.Sketch, len(docs))
	lines := make([][]stage.Line, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
		first[i], lines[i] = stage.SketchLines(cfg, d.Text)
	}
	b, err := stage.LearnBoilerplate(cfg, first, lines)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != want.BoilerplateLines || b.Len() == 0 {
		t.Fatalf("learned %d lines, Cluster %d", b.Len(), want.BoilerplateLines)
	}
	enc, _ := b.MarshalBinary()
	var b2 stage.Boilerplate
	if err := b2.UnmarshalBinary(enc); err != nil {
		t.Fatal(err)
	}
	if err := new(stage.Boilerplate).UnmarshalBinary(enc[:len(enc)-1]); !errors.Is(err, dedup.ErrFormat) {
		t.Errorf("a truncated set decoded: %v", err)
	}
	final := make([]dedup.Sketch, len(docs))
	carrying := 0
	for i, d := range docs {
		final[i] = stage.FinalSketch(cfg, d.Text, &b2)
		if b2.Carries(lines[i]) {
			carrying++
		} else if diff := cmp.Diff(stage.Inspect(&first[i]), stage.Inspect(&final[i])); diff != "" {
			t.Errorf("%s carries no boilerplate but FinalSketch changed its sketch (-first +final):\n%s", d.ID, diff)
		}
	}
	if carrying != want.BoilerplateDocs {
		t.Errorf("%d documents carry boilerplate, Cluster says %d", carrying, want.BoilerplateDocs)
	}
	got, err := stage.ClusterSketches(cfg, ids, final, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(render(want), render(got)); diff != "" {
		t.Errorf("stages differ from Cluster (-want +got):\n%s", diff)
	}

	// SketchCorpus runs the same stages in one call.
	sc, err := stage.SketchCorpus(cfg, func(_ func(int) bool, yield func(dedup.Doc) bool) error {
		for _, d := range docs {
			if !yield(d) {
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sc.BoilerplateLines != b.Len() || sc.BoilerplateDocs != carrying {
		t.Errorf("SketchCorpus: %d lines, %d documents; want %d, %d", sc.BoilerplateLines, sc.BoilerplateDocs, b.Len(), carrying)
	}
	for i := range final {
		if diff := cmp.Diff(stage.Inspect(&final[i]), stage.Inspect(&sc.Sketches[i])); diff != "" {
			t.Errorf("%s: SketchCorpus differs from FinalSketch (-final +corpus):\n%s", ids[i], diff)
		}
	}

	// The candidate pairs an engine computes from the keys give the same
	// result: here, every pair of documents that share a key, capped as
	// Banding.Postings says.
	pairs := candidatePairs(t, cfg, final)
	got, err = stage.ClusterSketches(cfg, ids, final, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(render(want), render(got)); diff != "" {
		t.Errorf("with pairs from the keys (-want +got):\n%s", diff)
	}
}

// candidatePairs computes the candidate pairs of sk from their index keys
// as an engine would (see Pair): in GroupOrder, each document meets the
// postings of each key it has, the first limit documents filed under it,
// all of them under an open key and none under a closed key that already
// holds its limit.
func candidatePairs(t *testing.T, cfg dedup.Config, sk []dedup.Sketch) []stage.Pair {
	p := stage.LSH(cfg)
	order := stage.GroupOrder(sk)
	postings := make(map[stage.IndexKey][]uint32)
	seen := make(map[[2]uint32]int)
	var pairs []stage.Pair
	for pos, i := range order {
		keys, err := stage.AppendIndexKeys(cfg, nil, &sk[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			limit, open := p.Postings(k.Band)
			list := postings[k]
			full := len(list) >= limit
			if open || !full {
				for _, e := range list {
					key := [2]uint32{uint32(pos), e}
					stored := !full
					if at, ok := seen[key]; ok {
						pairs[at].Stored = pairs[at].Stored || stored
						continue
					}
					seen[key] = len(pairs)
					pairs = append(pairs, stage.Pair{Later: uint32(pos), Earlier: e, Stored: stored})
				}
			}
			if !full {
				postings[k] = append(list, uint32(pos))
			}
		}
	}
	return pairs
}

// Inspect and Assemble are inverses, and Assemble refuses fields no
// sketch has.
func TestInspectAssemble(t *testing.T) {
	var cfg dedup.Config
	// Thousands of dates: the sample keeps every number of the 32
	// smallest contexts, and among thousands of contexts some of those
	// share their 16-bit hash, so it holds more than 32 numbers.
	var table strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&table, "ngày %d tháng %d năm %d. ", i%28+1, i%12+1, 1990+i)
	}
	docs := append(corpus(t), dedup.Doc{ID: "table", Text: []byte(table.String())})
	if s := cfg.Sketch(docs[len(docs)-1].Text); len(stage.Inspect(&s).NumberSample) <= 32 {
		t.Fatalf("the table's sample holds %d numbers; the test needs more than 32", len(stage.Inspect(&s).NumberSample))
	}
	for _, d := range docs {
		s := cfg.Sketch(d.Text)
		back, err := stage.Assemble(stage.Inspect(&s))
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if !reflect.DeepEqual(stage.Inspect(&s), stage.Inspect(&back)) {
			t.Errorf("%s: Assemble(Inspect(s)) differs from s", d.ID)
		}
		if m := cfg.Compare(&s, &back); stage.Inspect(&s).Shingles > 0 && m.Jaccard != 1 {
			t.Errorf("%s: Compare(s, Assemble(Inspect(s))) = %+v", d.ID, m)
		}
	}
	for name, f := range map[string]stage.Fields{
		"hashes": {Sig: make([]uint16, dedup.MaxHashes+1)},
		"words":  {Words: -1},
		"sample": {NumberSample: func() []uint32 {
			v := make([]uint32, 33)
			for i := range v {
				v[i] = uint32(i) << 16
			}
			return v
		}()},
		"chunks":  {Chunks: make([]uint32, 1025)},
		"numbers": {NumberContexts: -2},
		// A sketch's counts are int32s: a larger one is no sketch's.
		"shingles": {Shingles: math.MaxInt32 + 1},
	} {
		if _, err := stage.Assemble(f); !errors.Is(err, dedup.ErrFormat) {
			t.Errorf("%s: Assemble = %v, want ErrFormat", name, err)
		}
	}
}

// Fingerprint names the stored formats and the settings that make keys
// comparable, and nothing else; it refuses an invalid Config. The
// default's text is frozen: shared indexes store it.
func TestFingerprint(t *testing.T) {
	got, err := stage.Fingerprint(dedup.Config{})
	if want := "signature 4 shingle 3 hashes 128 size 5 diacritics false bands 42 rows 3"; err != nil || got != want {
		t.Errorf("Fingerprint(Config{}) = %q, %v; want %q", got, err, want)
	}
	same, _ := stage.Fingerprint(dedup.Config{Threshold: 0.5, Containment: 0.8, NoNumberCheck: true})
	if same != got {
		t.Errorf("settings that change no key changed the fingerprint: %q", same)
	}
	other, _ := stage.Fingerprint(dedup.Config{KeepDiacritics: true})
	if other == got {
		t.Error("KeepDiacritics did not change the fingerprint")
	}
	if _, err := stage.Fingerprint(dedup.Config{Hashes: -1}); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("invalid Config: %v, want ErrConfig", err)
	}
}

// Every stage that takes a Config refuses an invalid one with its error,
// or gives nothing where it returns no error.
func TestStagesValidate(t *testing.T) {
	bad := dedup.Config{Bands: 50, Rows: 5}
	doc := corpus(t)[0]
	if s, l := stage.SketchLines(bad, doc.Text); stage.Inspect(&s).Shingles != 0 || l != nil {
		t.Error("SketchLines: a sketch from an invalid Config")
	}
	if _, err := stage.LearnBoilerplate(bad, nil, nil); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("LearnBoilerplate: %v", err)
	}
	if _, err := stage.LearnBoilerplate(dedup.Config{}, make([]dedup.Sketch, 2), nil); err == nil || !strings.Contains(err.Error(), "line lists") {
		t.Errorf("LearnBoilerplate with 0 line lists for 2 sketches: %v", err)
	}
	if s := stage.FinalSketch(bad, doc.Text, &stage.Boilerplate{}); stage.Inspect(&s).Shingles != 0 {
		t.Error("FinalSketch: a sketch from an invalid Config")
	}
	if _, err := stage.SketchCorpus(bad, func(func(int) bool, func(dedup.Doc) bool) error { return nil }); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("SketchCorpus: %v", err)
	}
	if _, err := stage.ClusterSketches(bad, nil, nil, nil); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("ClusterSketches: %v", err)
	}
	s := dedup.Config{}.Sketch(doc.Text)
	if _, err := stage.AppendIndexKeys(bad, nil, &s); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("AppendIndexKeys: %v", err)
	}
	if _, err := stage.AppendIndexKeys(dedup.Config{Hashes: 64}, nil, &s); !errors.Is(err, dedup.ErrConfig) {
		t.Errorf("AppendIndexKeys with a sketch of another length: %v", err)
	}
	if p := stage.LSH(bad); p != (stage.Banding{}) {
		t.Errorf("LSH: %v, want the zero Banding", p)
	}
	if _, err := stage.ClusterSketches(dedup.Config{}, []string{"a", "b", "c"}, make([]dedup.Sketch, 3), []stage.Pair{{Later: 1, Earlier: 2}}); err == nil {
		t.Error("ClusterSketches: a pair out of order was accepted")
	}
}
