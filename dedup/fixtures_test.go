package dedup

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixture(t *testing.T, name string) Doc {
	t.Helper()
	return Doc{ID: name, Text: readFile(t, filepath.Join("..", "testdata", "fixtures", name+".txt"))}
}

func seed(t *testing.T, prefix string) Doc {
	t.Helper()
	for _, d := range seeds(t) {
		if d.ID == prefix {
			return d
		}
	}
	t.Fatalf("no seed %s", prefix)
	return Doc{}
}

// Each phenomenon: a small corpus, the clusters it must give, and pairs
// that Compare must (or must not) call copies.
func TestFixtures(t *testing.T) {
	type pair struct {
		a, b      string
		duplicate bool
	}
	tests := []struct {
		name  string
		cfg   Config
		docs  []string
		want  map[string][]string // canonical -> members
		pairs []pair
	}{
		{
			name: "boilerplate-wrapped copy joins its original, which stays canonical",
			docs: []string{"boilerplate", "other_002", "original", "other_003", "other_004"},
			want: map[string][]string{
				"original":  {"boilerplate", "original"},
				"other_002": {"other_002"}, "other_003": {"other_003"}, "other_004": {"other_004"},
			},
		},
		{
			name:  "teaser joins by containment",
			docs:  []string{"teaser", "original"},
			want:  map[string][]string{"original": {"teaser", "original"}},
			pairs: []pair{{"teaser", "original", true}},
		},
		{
			name:  "a short teaser sharing the lead joins at any size",
			docs:  []string{"lead_teaser", "original"},
			want:  map[string][]string{"original": {"lead_teaser", "original"}},
			pairs: []pair{{"lead_teaser", "original", true}},
		},
		{
			name:  "template articles with different numbers stay apart",
			docs:  []string{"template_a", "template_b"},
			want:  map[string][]string{"template_a": {"template_a"}, "template_b": {"template_b"}},
			pairs: []pair{{"template_a", "template_b", false}},
		},
		{
			name:  "without the number check templates merge",
			cfg:   Config{NoNumberCheck: true},
			docs:  []string{"template_a", "template_b"},
			pairs: []pair{{"template_a", "template_b", true}},
		},
		{
			name:  "masked copy joins its original, original canonical",
			docs:  []string{"000", "001"},
			want:  map[string][]string{"001": {"000", "001"}},
			pairs: []pair{{"000", "001", true}},
		},
		{
			name:  "accent-free copy joins its original, original canonical",
			docs:  []string{"accent_free", "original"},
			want:  map[string][]string{"original": {"accent_free", "original"}},
			pairs: []pair{{"accent_free", "original", true}},
		},
		{
			name: "an abridged rendering joins its original, an independent report of the event stays apart",
			docs: []string{"flood_abridged", "flood_other", "flood_full"},
			want: map[string][]string{
				"flood_full":  {"flood_abridged", "flood_full"},
				"flood_other": {"flood_other"},
			},
			pairs: []pair{{"flood_abridged", "flood_full", true}, {"flood_other", "flood_full", false}, {"flood_other", "flood_abridged", false}},
		},
		{
			name:  "a short item reproduced inside a longer article joins it at any size ratio",
			docs:  []string{"brief_bridge", "article_bridge"},
			want:  map[string][]string{"article_bridge": {"brief_bridge", "article_bridge"}},
			pairs: []pair{{"brief_bridge", "article_bridge", true}},
		},
		{
			name:  "a wire item re-filed with the next day's dateline and a corrected figure joins the first filing",
			docs:  []string{"wire_a", "wire_refiled"},
			want:  map[string][]string{"wire_a": {"wire_a", "wire_refiled"}},
			pairs: []pair{{"wire_a", "wire_refiled", true}},
		},
		{
			name:  "daily reports with another date and figures stay apart, however few digits they write",
			docs:  []string{"repo_a", "repo_b"},
			want:  map[string][]string{"repo_a": {"repo_a"}, "repo_b": {"repo_b"}},
			pairs: []pair{{"repo_a", "repo_b", false}},
		},
		{
			name:  "a day of the report that spells its figures out stays apart from one in digits; a copy in digits joins it",
			docs:  []string{"repo_a", "repo_words", "repo_words_copy"},
			want:  map[string][]string{"repo_a": {"repo_a"}, "repo_words": {"repo_words", "repo_words_copy"}},
			pairs: []pair{{"repo_a", "repo_words", false}, {"repo_a", "repo_words_copy", false}, {"repo_words", "repo_words_copy", true}},
		},
		{
			name:  "a report's next edition, its headline's figures changed, stays apart",
			docs:  []string{"futures_a", "futures_b"},
			want:  map[string][]string{"futures_a": {"futures_a"}, "futures_b": {"futures_b"}},
			pairs: []pair{{"futures_a", "futures_b", false}},
		},
		{
			name:  "accent-sensitive signatures keep the accent-free copy apart",
			cfg:   Config{KeepDiacritics: true},
			docs:  []string{"accent_free", "original"},
			pairs: []pair{{"accent_free", "original", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byID := make(map[string]Doc)
			var docs []Doc
			for _, id := range tt.docs {
				d := Doc{}
				if len(id) == 3 {
					d = seed(t, id)
				} else {
					d = fixture(t, id)
				}
				byID[id] = d
				docs = append(docs, d)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, grouping(cluster(t, tt.cfg, docs)), allFields); diff != "" {
					t.Errorf("clusters mismatch (-want +got):\n%s", diff)
				}
			}
			for _, p := range tt.pairs {
				a, b := tt.cfg.Sketch(byID[p.a].Text), tt.cfg.Sketch(byID[p.b].Text)
				if m := tt.cfg.Compare(&a, &b); m.Duplicate != p.duplicate {
					t.Errorf("Compare(%s, %s).Duplicate = %v, want %v (%s)", p.a, p.b, m.Duplicate, p.duplicate, m.Reason())
				}
			}
		})
	}
}

// The teaser's Jaccard is under the threshold: only containment finds it.
func TestTeaserNeedsContainment(t *testing.T) {
	var cfg Config
	a, b := cfg.Sketch(fixture(t, "teaser").Text), cfg.Sketch(fixture(t, "original").Text)
	m := cfg.Compare(&a, &b)
	if m.Jaccard >= DefaultThreshold || m.Containment < DefaultContainment {
		t.Errorf("teaser: Jaccard %.2f, containment %.2f; want Jaccard < %.2f and containment >= %.2f",
			m.Jaccard, m.Containment, DefaultThreshold, DefaultContainment)
	}
}

// Boilerplate is learned from the corpus and leaves the wrapped copy with
// the same content as its original.
func TestBoilerplateLearned(t *testing.T) {
	var docs []Doc
	for _, id := range []string{"boilerplate", "other_002", "original", "other_003", "other_004"} {
		docs = append(docs, fixture(t, id))
	}
	res := cluster(t, Config{}, docs)
	if res.BoilerplateLines == 0 || res.BoilerplateDocs != 4 {
		t.Errorf("learned %d boilerplate lines in %d docs; want some, in the 4 wrapped docs", res.BoilerplateLines, res.BoilerplateDocs)
	}
	wrapped, orig := res.Docs[0].Sketch, res.Docs[2].Sketch
	if wrapped.boilerplateWords == 0 || wrapped.words != orig.words {
		t.Errorf("wrapped copy: %d content words, %d boilerplate words; original %d words", wrapped.words, wrapped.boilerplateWords, orig.words)
	}
	// With learning off, the shared template is content again and the
	// wrapped copy is larger than its original.
	off := cluster(t, Config{BoilerplateArticles: -1}, docs)
	if off.BoilerplateLines != 0 || off.Docs[0].Sketch.words <= orig.words {
		t.Errorf("learning off: %d lines learned, wrapped copy %d words", off.BoilerplateLines, off.Docs[0].Sketch.words)
	}
}

// Template articles match as text and are kept apart by their numbers; the
// verdict says so.
func TestTemplateVerdict(t *testing.T) {
	var cfg Config
	a, b := cfg.Sketch(fixture(t, "template_a").Text), cfg.Sketch(fixture(t, "template_b").Text)
	m := cfg.Compare(&a, &b)
	if m.Duplicate || !m.DifferentNumbers || m.Jaccard < DefaultThreshold {
		t.Errorf("templates: %+v; want a text match (Jaccard >= %.2f) rejected for different numbers", m, DefaultThreshold)
	}
	o1, o2 := cfg.Sketch(seed(t, "000").Text), cfg.Sketch(seed(t, "001").Text)
	if m := cfg.Compare(&o1, &o2); m.DifferentNumbers || m.NumberAgreement != -1 {
		t.Errorf("masked vs real numbers: %+v; want the number check not to apply", m)
	}
}

// The number sample keeps the numberSketchSize smallest contexts and
// counts all of them.
func TestNumberSample(t *testing.T) {
	var text strings.Builder
	for i := range 40 {
		fmt.Fprintf(&text, "mục %s có %d người.\n", strings.Repeat("a", i+1), i+10)
	}
	n := Config{}.sketchFiltered([]byte(text.String()), nil).numbers
	contexts := map[uint16]bool{}
	for _, e := range n.Sample {
		contexts[e.Context] = true
	}
	if n.Count != 40 || n.Contexts != 40 || len(contexts) != numberSketchSize || len(n.Sample) != numberSketchSize {
		t.Errorf("Count %d, Contexts %d, sample of %d entries in %d contexts; want 40, 40, 32 in 32",
			n.Count, n.Contexts, len(n.Sample), len(contexts))
	}
}

// A teaser in a page template that outweighs it is apart from its article
// before boilerplate is learned; the paragraphs they share join them for
// counting, so the lines they share stay content. A page that links to the
// article carries its headline as boilerplate, while the article keeps it.
func TestWrappedTeaserKeepsSharedLines(t *testing.T) {
	var cfg Config
	var docs []Doc
	for _, id := range []string{"wrapped_other", "wrapped_teaser", "original"} {
		docs = append(docs, fixture(t, id))
	}
	res := cluster(t, cfg, docs)
	other, wrapped, orig := res.Docs[0], res.Docs[1], res.Docs[2]
	if wrapped.ClusterIndex != orig.ClusterIndex || other.ClusterIndex == orig.ClusterIndex || !orig.Canonical {
		t.Errorf("clusters: wrapped_other %d, wrapped_teaser %d, original %d (canonical %v); want the teaser with the canonical original, the other page apart",
			other.ClusterIndex, wrapped.ClusterIndex, orig.ClusterIndex, orig.Canonical)
	}
	words := func(text []byte) int32 { return cfg.Sketch(text).words }
	teaser := words(fixture(t, "teaser").Text)
	template := words(docs[1].Text) - teaser
	headline := words([]byte("ASEAN ủng hộ VN ứng cử vào Hội đồng Bảo an LHQ"))
	if got := wrapped.Sketch.words; got != teaser || wrapped.Sketch.boilerplateWords != template {
		t.Errorf("wrapped teaser: %d content words, %d boilerplate; want the teaser's %d and the template's %d",
			got, wrapped.Sketch.boilerplateWords, teaser, template)
	}
	if got, want := orig.Sketch.words, words(docs[2].Text); got != want {
		t.Errorf("original: %d content words, want all %d (its headline is linked from another page, not boilerplate)", got, want)
	}
	if got, want := other.Sketch.boilerplateWords, template+headline; got != want {
		t.Errorf("linking page: %d boilerplate words, want the template's %d plus the link's %d", got, template, headline)
	}
}

// Reports of one series whose rows recur, so that boilerplate learning
// takes them out of the content, stay apart by the figures on those rows:
// what is left of two of them is one shared remark.
func TestReportRowsKeepTheirNumbers(t *testing.T) {
	var docs []Doc
	for _, id := range []string{"silver_1", "silver_2", "silver_3", "silver_4"} {
		docs = append(docs, fixture(t, id))
	}
	res := cluster(t, Config{}, docs)
	want := map[string][]string{"silver_1": {"silver_1"}, "silver_2": {"silver_2"}, "silver_3": {"silver_3"}, "silver_4": {"silver_4"}}
	if diff := cmp.Diff(want, grouping(res), allFields); diff != "" {
		t.Errorf("clusters mismatch (-want +got):\n%s", diff)
	}
	for _, d := range res.Docs[:2] {
		if d.Sketch.boilerplateWords == 0 || d.Sketch.words > 40 {
			t.Errorf("%s: %d content words, %d boilerplate words; want the rows and the headline learned as boilerplate, the remark left",
				d.ID, d.Sketch.words, d.Sketch.boilerplateWords)
		}
	}
}

// sharesIndexKey reports whether a and b share an LSH key: whether an index
// holding one returns the other as a candidate to verify.
func sharesIndexKey(t *testing.T, cfg Config, a, b *Sketch) bool {
	t.Helper()
	ka, err := cfg.appendIndexKeys(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := cfg.appendIndexKeys(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ka {
		if slices.Contains(kb, x) {
			return true
		}
	}
	return false
}

// An Index verifies its candidates: documents of one template that share
// LSH keys, but not their figures, are not copies of each other, while a
// copy among them is found.
func TestIndexVerifiesCandidates(t *testing.T) {
	var cfg Config
	for _, p := range [][2]string{{"template_a", "template_b"}, {"repo_a", "repo_b"}, {"futures_a", "futures_b"}} {
		a, b := cfg.Sketch(fixture(t, p[0]).Text), cfg.Sketch(fixture(t, p[1]).Text)
		if !sharesIndexKey(t, cfg, &a, &b) {
			t.Fatalf("%s and %s share no index key: this test needs candidates that are not copies", p[0], p[1])
		}
		ix, err := NewIndex(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ix.addSeq(p[0], a); err != nil {
			t.Fatal(err)
		}
		if found := ix.Query(&b); len(found) != 0 {
			t.Errorf("Query(%s) in an index holding %s: %v, want nothing", p[1], p[0], found)
		}
		if found := ix.Query(&a); len(found) != 1 || found[0].ID != p[0] {
			t.Errorf("Query(%s) in an index holding it: %v, want it", p[0], found)
		}
	}
}

// Each rule of Compare explains itself: the pair's figures, the bar and
// the rule's name, formatted by Reason.
func TestMatchReason(t *testing.T) {
	var cfg Config
	sketch := func(id string) Sketch { return cfg.Sketch(fixture(t, id).Text) }
	empty := cfg.Sketch(nil)
	short := Config{Hashes: 64}.Sketch(fixture(t, "original").Text)
	tests := []struct {
		name, a, b string
		x, y       *Sketch // instead of a, b
		cfg        Config
		want       string // a regular expression for the whole reason
	}{
		{name: "jaccard", a: "original", b: "boilerplate", want: `^jaccard 0\.\d\d >= 0\.50$`},
		{name: "containment", a: "teaser", b: "original", want: `^containment [01]\.\d\d >= 0\.80 at size ratio 0\.\d\d$`},
		{name: "lead", a: "lead_teaser", b: "original", want: `^same lead and containment 0\.\d\d >= 0\.68 \(a truncated copy\)$`},
		{name: "abridged", a: "flood_abridged", b: "flood_full", want: `^containment 0\.\d\d and 0\.\d\d of the smaller text aligned in order in \d+ runs \(longest \d+ words\) >= 0\.70 \(an abridged copy\)$`},
		{name: "too low", a: "flood_other", b: "flood_full", want: `^jaccard 0\.\d\d, containment 0\.\d\d at size ratio \d\.\d\d(, 0\.\d\d aligned in \d+ runs \(longest \d+ words\))?: too low$`},
		{name: "numbers", a: "template_a", b: "template_b", want: `^same text but different numbers: \d+ shared number contexts disagree, 0\.\d\d agree$`},
		{name: "edition", a: "futures_a", b: "futures_b", want: `^same headline with other figures: another edition of a report$`},
		{name: "no content", x: &empty, b: "original", want: `^no content$`},
		{name: "signatures", x: &short, b: "original", want: `^signatures of 64 and 128 hashes: sketches of different Configs$`},
		{name: "invalid", a: "original", b: "original", cfg: Config{Threshold: 2}, want: `^dedup: invalid Config: .*Threshold`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := tt.x, tt.y
			if x == nil {
				s := sketch(tt.a)
				x = &s
			}
			if y == nil {
				s := sketch(tt.b)
				y = &s
			}
			m := tt.cfg.Compare(x, y)
			if got := m.Reason(); !regexp.MustCompile(tt.want).MatchString(got) {
				t.Errorf("Reason() = %q, want %s (%+v)", got, tt.want, m)
			}
		})
	}
	if got := (Match{}).Reason(); got != "" {
		t.Errorf("zero Match: Reason() = %q, want empty", got)
	}
}

// A verdict costs no allocation, on a containment match and on a pair
// that needs its alignment: Reason formats the text only when called.
func TestCompareAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop the alignment's scratch")
	}
	var cfg Config
	// The same pairs with their chunks and numbers in a spill file, read
	// into pooled buffers.
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arena := sketchArena{spill: sp}
	numbersRead := false
	for _, p := range [][2]string{{"teaser", "original"}, {"flood_abridged", "flood_full"}, {"flood_other", "flood_full"}} {
		x, y := cfg.Sketch(fixture(t, p[0]).Text), cfg.Sketch(fixture(t, p[1]).Text)
		cx, cy := arena.keep(x), arena.keep(y)
		if err := sp.flush(); err != nil {
			t.Fatal(err)
		}
		if !cx.numbersCold() || !cy.numbersCold() {
			t.Fatalf("%s, %s: number samples not spilled", p[0], p[1])
		}
		numbersRead = numbersRead || cfg.Compare(&cx, &cy).NumberAgreement >= 0
		for _, s := range [][2]*Sketch{{&x, &y}, {&cx, &cy}} {
			if n := testing.AllocsPerRun(100, func() { cfg.Compare(s[0], s[1]) }); n != 0 {
				t.Errorf("Compare(%s, %s), spilled %v: %v allocations, want 0", p[0], p[1], s[0].cold != nil, n)
			}
			if n := testing.AllocsPerRun(100, func() { s[0].exactKey(); s[0].sameAs(s[1]) }); n != 0 {
				t.Errorf("exactKey and sameAs(%s, %s), spilled %v: %v allocations, want 0", p[0], p[1], s[0].cold != nil, n)
			}
		}
	}
	if !numbersRead {
		t.Error("no spilled pair reached the number check")
	}
}

// allFields lets go-cmp compare the unexported fields of the package's
// types (a Sketch, a Match's verdict).
var allFields = cmp.Exporter(func(reflect.Type) bool { return true })
