package dedup

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/google/go-cmp/cmp"
)

func TestSketchBinary(t *testing.T) {
	var cfg Config
	for _, d := range seeds(t) {
		sk := cfg.Sketch(d.Text)
		b, err := sk.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Sketch
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		// What verification reads survives; the rest is not encoded.
		want := Sketch{sig: sk.sig, shingles: sk.shingles, lead: sk.lead, headline: sk.headline, chunks: sk.chunks}
		want.numbers.Contexts, want.numbers.Sample = sk.numbers.Contexts, sk.numbers.Sample
		want.numbers.Count, want.numbers.Real = min(sk.numbers.Count, 1), min(sk.numbers.Real, 1)
		if diff := cmp.Diff(want, got, cmpMatch, allFields); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", d.ID, diff)
		}
		if m := cfg.Compare(&sk, &got); !m.Duplicate || m.Jaccard != 1 {
			t.Errorf("%s: decoded sketch does not match its original: %+v", d.ID, m)
		}
		// A shingle count of 2^63, which an int would read as negative.
		huge := binary.AppendUvarint(nil, 1<<63)
		_, hn := binary.Uvarint(b[5:])
		_, sn := binary.Uvarint(b[5+hn:])
		negative := slices.Concat(b[:5+hn], huge, b[5+hn+sn:])
		for _, bad := range [][]byte{nil, b[:4], b[:len(b)-1], append(b, 0), append([]byte("NDSK\x09"), b[5:]...), negative} {
			if err := new(Sketch).UnmarshalBinary(bad); !errors.Is(err, ErrFormat) {
				t.Errorf("%s: UnmarshalBinary(%d bytes) = %v, want ErrFormat", d.ID, len(bad), err)
			}
		}
	}
}

// The encoding and the band keys are a stored format: these values
// freeze them. If this test fails, bump signatureVersion on purpose.
func TestSketchBinaryKnownAnswer(t *testing.T) {
	cfg := Config{Hashes: 8}
	sk := cfg.Sketch([]byte("ASEAN ủng hộ VN ứng cử vào Hội đồng Bảo an LHQ ngày 12/9"))
	b, _ := sk.MarshalBinary()
	// "NDSK" 04 | 8 hashes | 9 shingles | lead | 8 codes | 2 contexts |
	// real 1 | 2 sample entries | headline | 2 chunks (6 and 7 words)
	if got, want := fmt.Sprintf("%x", b), "4e44534b0408096de67f8cf60590a2889984897bdd6597a72fe07a2e60c4be020102db526054e8db351d58cc85c9020654954f07769050"; got != want {
		t.Errorf("encoding\n got %s\nwant %s", got, want)
	}
	// A number word in the sample: 4 contexts, "two" and the three
	// places of 6-3/8; 3 number tokens, the digits.
	en := cfg.Sketch([]byte("The Fed added two billion dlrs at 6-3/8 pct"))
	if en.numbers.Count != 3 || en.numbers.Contexts != 4 {
		t.Errorf("number words: Count %d, Contexts %d; want 3 and 4", en.numbers.Count, en.numbers.Contexts)
	}
	b, _ = en.MarshalBinary()
	if got, want := fmt.Sprintf("%x", b), "4e44534b040804433001e90a3aa1f82de8c1e4d6d3fa5ed1d91153858e94d90401040c1d16260a4446adcd4f2160d0ac2e12dca0fe5d0108845c2d"; got != want {
		t.Errorf("encoding with a number word\n got %s\nwant %s", got, want)
	}
	keys, _ := cfg.appendIndexKeys(nil, &sk)
	want := []indexKey{{Band: 0, Hash: 3557992453861202631}, {Band: 1, Hash: 1073197361994112243}, {Band: 2, Hash: 7036762237250740649}, {Band: 3, Hash: 55571554500789318}, {Band: 4, Hash: 12196945297149880581}, {Band: 5, Hash: 3554612868140327184}, {Band: 6, Hash: 6031907258123211883}}
	if diff := cmp.Diff(want, keys, cmpMatch, allFields); diff != "" {
		t.Errorf("band keys (-want +got):\n%s", diff)
	}
	// Run keys: those of seed 001, by count and by a hash of their values.
	sk = Config{}.Sketch(seed(t, "001").Text)
	var runs []byte
	all, _ := (Config{}).appendIndexKeys(nil, &sk)
	for _, k := range all {
		if k.Band == (Config{}).lshBanding().Bands+1 {
			runs = binary.LittleEndian.AppendUint64(runs, k.Hash)
		}
	}
	if got, want := fmt.Sprintf("%d %016x", len(runs)/8, xxhash.Sum64(runs)), "13 6d3f8bf2204f768e"; got != want {
		t.Errorf("run keys of seed 001: got %s, want %s", got, want)
	}
}

// AppendIndexKeys gives the keys the in-memory Index files a document
// under: a copy shares one, an unrelated document none.
func TestAppendIndexKeys(t *testing.T) {
	var cfg Config
	docs := seeds(t)
	keys := make([][]indexKey, len(docs))
	p := cfg.lshBanding()
	for i, d := range docs {
		sk := cfg.Sketch(d.Text)
		keys[i], _ = cfg.appendIndexKeys(nil, &sk)
		runs := 0
		for b, k := range keys[i] {
			switch {
			case b < p.Bands && k.Band != b:
				t.Errorf("%s: key %d is of band %d", d.ID, b, k.Band)
			case k.Band == p.Bands+1:
				runs++
			}
		}
		if n := len(keys[i]) - runs; n != p.Bands && n != p.Bands+1 {
			t.Errorf("%s: %d band and lead keys for %d bands", d.ID, n, p.Bands)
		}
		if words := int(sk.words); runs == 0 || runs > words/10 {
			t.Errorf("%s: %d run keys for %d words", d.ID, runs, words)
		}
	}
	shared := func(a, b []indexKey) bool {
		for _, x := range a {
			for _, y := range b {
				if x == y {
					return true
				}
			}
		}
		return false
	}
	if !shared(keys[0], keys[1]) {
		t.Error("seeds 000 and 001, copies, share no band key")
	}
	for i := 2; i < len(docs); i++ {
		for j := range i {
			if shared(keys[i], keys[j]) {
				t.Errorf("unrelated seeds %d and %d share a band key", i, j)
			}
		}
	}
	if got, _ := cfg.appendIndexKeys(nil, &Sketch{}); len(got) != 0 {
		t.Errorf("empty sketch has keys %v", got)
	}
}

// A shared stream over an in-memory Index answers as NewStream does.
func TestSharedStream(t *testing.T) {
	var cfg Config
	local := newStream(t, cfg)
	shared, err := NewStream(cfg, newIndex(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range seeds(t) {
		want := addText(t, local, d.ID, d.Text)
		got, err := shared.Add(context.Background(), d.ID, d.Text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpMatch, allFields); diff != "" {
			t.Errorf("%s (-NewStream +shared):\n%s", d.ID, diff)
		}
	}
}

type failing struct{}

func (failing) Add(context.Context, string, *Sketch) ([]Found, error) {
	return nil, errors.New("down")
}

// A backend error reaches the caller, and nothing is learned.
func TestSharedStreamError(t *testing.T) {
	s, err := NewStream(Config{}, failing{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(context.Background(), "a", []byte("x y z")); err == nil || err.Error() != "down" {
		t.Errorf("AddContext error = %v, want down", err)
	}
}

// referencePairs computes the candidate pairs of sk as Pair documents
// them, the way the reference SQL (examples/duckdb) does: postings of every
// index key ranked in groupOrder, capped per key, closed keys met only by
// their postings.
func referencePairs(cfg Config, sk []Sketch) []candidatePair {
	order := groupOrder(sk)
	byKey := map[indexKey][]uint32{} // positions, ascending
	for pos, i := range order {
		keys, _ := cfg.appendIndexKeys(nil, &sk[i])
		for _, k := range keys {
			k = cfg.lshBanding().GroupingKey(k) // as an engine files it
			byKey[k] = append(byKey[k], uint32(pos))
		}
	}
	stored := map[[2]uint32]bool{}
	for k, ps := range byKey {
		limit, open := cfg.lshBanding().Postings(k.Band)
		if !open {
			ps = ps[:min(len(ps), limit)]
		}
		for r := 1; r < len(ps); r++ {
			for e := 0; e < min(r, limit); e++ {
				p := [2]uint32{ps[r], ps[e]}
				stored[p] = stored[p] || r < limit
			}
		}
	}
	var out []candidatePair
	for p, s := range stored {
		out = append(out, candidatePair{Later: p[0], Earlier: p[1], Stored: s})
	}
	return out
}

// clusterSketches on a run's final sketches, given the candidate pairs
// from outside, gives the run's clustering.
func TestClusterSketchesWithPairs(t *testing.T) {
	var cfg Config
	docs := seedsAndFixtures(t)
	want := cluster(t, cfg, docs)
	ids := make([]string, len(docs))
	sk := make([]Sketch, len(docs))
	for i, d := range want.Docs {
		ids[i], sk[i] = d.ID, *d.Sketch
	}
	pairs := referencePairs(cfg, sk)
	if len(pairs) == 0 {
		t.Fatal("no candidate pairs")
	}
	for name, p := range map[string][]candidatePair{"given": pairs, "found": nil} {
		got, err := cfg.clusterSketches(ids, sk, p)
		if err != nil {
			t.Fatal(err)
		}
		got.BoilerplateLines, got.BoilerplateDocs = want.BoilerplateLines, want.BoilerplateDocs
		if diff := cmp.Diff(want, got, cmpMatch, allFields); diff != "" {
			t.Errorf("pairs %s: ClusterSketches differs from Cluster (-want +got):\n%s", name, diff)
		}
	}
	// Without the pairs, only exact copies (the same sketch: a fixture and
	// its copy in a site template, once the template is learned) join.
	alone, err := cfg.clusterSketches(ids, sk, []candidatePair{})
	if err != nil {
		t.Fatal(err)
	}
	joined := 0
	for _, cl := range alone.Clusters {
		for _, m := range cl.Members[1:] {
			joined++
			a, b := sk[cl.Members[0]], sk[m]
			if !slices.Equal(a.sig, b.sig) || !slices.Equal(a.chunks, b.chunks) || a.shingles != b.shingles {
				t.Errorf("no pairs: %s joined %s without being an exact copy", ids[m], ids[cl.Members[0]])
			}
		}
	}
	if joined == 0 || joined > 3 {
		t.Errorf("no pairs: %d documents joined another, want the few exact copies", joined)
	}
	if _, err := cfg.clusterSketches(ids, sk, []candidatePair{{Later: 1, Earlier: 2}}); err == nil {
		t.Error("a pair out of order was accepted")
	}
}

// A reader that skips what the second reading does not need gets
// Cluster's result, and is asked only for the documents with boilerplate.
func TestClusterReaderSkips(t *testing.T) {
	var cfg Config
	docs := seedsAndFixtures(t)
	want := cluster(t, cfg, docs)
	readings, decoded := 0, 0
	got, err := cfg.ClusterReader(func(need func(int) bool, yield func(Doc) bool) error {
		readings++
		for n, d := range docs {
			if need != nil && !need(n) {
				yield(Doc{})
				continue
			}
			if readings > 1 {
				decoded++
			}
			yield(d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpMatch, allFields); diff != "" {
		t.Errorf("ClusterReader differs from Cluster (-want +got):\n%s", diff)
	}
	if readings != 2 || decoded != want.BoilerplateDocs || decoded == 0 || decoded == len(docs) {
		t.Errorf("%d readings, %d documents decoded in the second; want 2 and %d", readings, decoded, want.BoilerplateDocs)
	}
}

// ClusterReader releases each document once for each time it is given
// it, when it no longer reads the text: a reader that scribbles over a
// text as soon as it is released gets Cluster's result. Documents the
// second reading skips are released too. Cluster ignores Release.
func TestClusterReaderReleases(t *testing.T) {
	var cfg Config
	docs := seedsAndFixtures(t)
	want := cluster(t, cfg, docs)
	var given, released atomic.Int64
	got, err := cfg.ClusterReader(func(_ func(int) bool, yield func(Doc) bool) error {
		for _, d := range docs {
			text := bytes.Clone(d.Text)
			var once atomic.Bool
			given.Add(1)
			yield(Doc{ID: d.ID, Text: text, Release: func() {
				if once.Swap(true) {
					t.Errorf("%s released twice", d.ID)
				}
				released.Add(1)
				for i := range text {
					text[i] = 'x'
				}
			}})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpMatch, allFields); diff != "" {
		t.Errorf("ClusterReader with released texts differs from Cluster (-want +got):\n%s", diff)
	}
	if g, r := given.Load(), released.Load(); g != 2*int64(len(docs)) || r != g {
		t.Errorf("%d documents given, %d released; want %d both", g, r, 2*len(docs))
	}
	withRelease := slices.Clone(docs)
	for i := range withRelease {
		id := withRelease[i].ID
		withRelease[i].Release = func() { t.Errorf("Cluster released %s", id) }
	}
	if diff := cmp.Diff(want, cluster(t, cfg, withRelease), cmpMatch, allFields); diff != "" {
		t.Errorf("Cluster with Release set differs (-want +got):\n%s", diff)
	}
}

// seedsAndFixtures returns the seeds and then the fixtures.
func seedsAndFixtures(t *testing.T) []Doc {
	docs := seeds(t)
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "fixtures", "*.txt"))
	for _, p := range paths {
		docs = append(docs, Doc{ID: filepath.Base(p), Text: readFile(t, p)})
	}
	return docs
}

// cmpMatch compares Matches by their exported fields and their Reason.
var cmpMatch = cmp.Transformer("Match", func(m Match) matchView {
	return matchView{m.Jaccard, m.Containment, m.NumberAgreement, m.Duplicate, m.DifferentNumbers, m.Aligned, m.Reason()}
})

type matchView struct {
	Jaccard, Containment, Numbers float64
	Duplicate, DifferentNumbers   bool
	Aligned                       Alignment
	Reason                        string
}
