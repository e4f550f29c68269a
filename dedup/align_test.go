package dedup

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/neardup/neardup/shingle"
)

// words returns n distinct made-up words drawn from rng.
func words(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		b := make([]byte, 8)
		for k := range b {
			b[k] = byte('a' + rng.IntN(26))
		}
		w[i] = string(b)
	}
	return w
}

func text(parts ...[]string) []byte {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return []byte(strings.Join(all, " "))
}

// A passage two texts share is cut at the same places inside it, so both
// have its inner chunks, whatever surrounds it; and chunks cover every
// word once.
func TestChunksContentDefined(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cfg Config
	shared := words(rng, 200)
	a := cfg.sketchFiltered(text(words(rng, 57), shared, words(rng, 31)), nil)
	b := cfg.sketchFiltered(text(words(rng, 5), shared, words(rng, 90)), nil)
	for _, s := range []Sketch{a, b} {
		total := 0
		for _, c := range s.chunks {
			total += c.words()
		}
		if total != int(s.words) {
			t.Errorf("chunks cover %d words of %d", total, s.words)
		}
	}
	common := 0
	for _, c := range a.chunks {
		if slices.Contains(b.chunks, c) {
			common += c.words()
		}
	}
	// All but the chunks at the passage's two ends: about
	// 2·chunkWords+ShingleSize words, rarely three times that.
	if lost := len(shared) - common; lost < 0 || lost > 3*(2*chunkWords+5) {
		t.Errorf("the shared passage of %d words yields %d words of common chunks", len(shared), common)
	}
	if m := cfg.Compare(&a, &b); m.Aligned.Runs != 1 || m.Aligned.Longest != common {
		t.Errorf("alignment %+v; want one run of %d words", m.Aligned, common)
	}
}

// align finds the chunks of the smaller document that the larger has in
// the same order, and groups them in runs.
func TestAlign(t *testing.T) {
	ch := func(spec ...int) []chunk { // hash, words, hash, words...
		var out []chunk
		for i := 0; i < len(spec); i += 2 {
			out = append(out, chunk(uint32(spec[i])<<8|uint32(spec[i+1])))
		}
		return out
	}
	const loss = 2*chunkWords + 5 - 3 // a run's estimated lost words, shingles of 5
	tests := []struct {
		name         string
		small, large []chunk
		want         Alignment
	}{
		{"empty", nil, ch(1, 8), Alignment{}},
		{"nothing shared", ch(1, 8, 2, 8), ch(3, 8, 4, 8), Alignment{}},
		{"identical", ch(1, 10, 2, 10, 3, 10), ch(1, 10, 2, 10, 3, 10), Alignment{Coverage: 1, Runs: 1, Longest: 30}},
		{"two runs around a dropped chunk", ch(1, 40, 2, 40, 4, 40, 5, 40, 6, 40), ch(1, 40, 2, 40, 3, 40, 4, 40, 5, 40, 6, 40),
			Alignment{Coverage: 1, Runs: 2, Longest: 120}},
		{"an inserted chunk in the smaller", ch(1, 50, 9, 50, 2, 50, 3, 50), ch(1, 50, 2, 50, 3, 50, 4, 50),
			Alignment{Coverage: (150 + 2*loss) / 200.0, Runs: 2, Longest: 100}},
		{"out of order: the longest ordered sequence", ch(3, 100, 1, 10, 2, 10), ch(1, 10, 2, 10, 3, 100),
			Alignment{Coverage: (100 + loss) / 120.0, Runs: 1, Longest: 100}},
		{"a repeated chunk in the larger", ch(1, 100, 2, 100), ch(2, 100, 1, 100, 2, 100),
			Alignment{Coverage: 1, Runs: 1, Longest: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, align(tt.small, tt.large, 5), allFields); diff != "" {
				t.Errorf("align (-want +got):\n%s", diff)
			}
		})
	}
}

// The stages of alignment allocate nothing once their buffers are warm:
// it runs inside verification, once per candidate pair in the grey zone.
func TestAlignAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop its buffers")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var cfg Config
	shared := words(rng, 300)
	a := cfg.sketchFiltered(text(words(rng, 100), shared), nil)
	b := cfg.sketchFiltered(text(shared, words(rng, 400)), nil)
	if n := testing.AllocsPerRun(100, func() { align(a.chunks, b.chunks, 5) }); n != 0 {
		t.Errorf("align allocates %.1f times a call", n)
	}
}

// Numbers are real when the text writes them as only real numbers are
// written, whatever digits it uses.
func TestHasReal(t *testing.T) {
	var cfg Config
	for _, tt := range []struct {
		text     string
		real     bool
		count    int
		headline bool
	}{
		{"Chiều 4 7 Phó chủ tịch nước dẫn đầu đoàn năm 1 7 1 vị", false, 5, false},    // masked: one placeholder a number
		{"họp ngày 1/1 và 1-1 tại Hà Nội", false, 4, false},                           // masked, joiners kept
		{"năm 4444 có 4444 người", false, 2, false},                                   // masked digit by digit
		{"năm 2016 có hơn 170 vị", true, 2, false},                                    // several digits
		{"NEW YORK, March 3 - it added 1.5 billion dlrs at 6-1/4 pct", true, 6, true}, // one digit each, joined
		{"khai mạc ngày 12/9 tại New York", true, 2, false},                           // a date
		{"không có con số nào", false, 0, false},
	} {
		n := cfg.Sketch([]byte(tt.text)).numbers
		if n.hasReal() != tt.real || int(n.Count) != tt.count || n.masked() != (tt.count > 0 && !tt.real) {
			t.Errorf("%q: Count %d, Real %d (HasReal %v, Masked %v); want count %d, real %v", tt.text, n.Count, n.Real, n.hasReal(), n.masked(), tt.count, tt.real)
		}
	}
}

// English number words are figures to the number check, in the context
// a figure in digits would have, and nothing else: not number tokens (a
// masked copy stays masked), not the headline's numbers, and never a
// word written with a diacritic.
func TestNumberWords(t *testing.T) {
	for _, w := range numberWords {
		if got, want := numberWord(shingle.TokenHash([]byte(w.word))), numberHash([]byte(w.digits)); got != want || got == 0 {
			t.Errorf("numberWord(%q) = %x, want numberHash(%q) = %x", w.word, got, w.digits, want)
		}
	}
	for _, w := range []string{"billion", "tên", "tien", "hundred", "twentyfive", "a", ""} {
		if v := numberWord(shingle.TokenHash([]byte(w))); v != 0 {
			t.Errorf("numberWord(%q) = %x, want 0", w, v)
		}
	}
	var cfg Config
	numbers := func(text string) numberSketch { return cfg.Sketch([]byte(text)).numbers }
	// "two" and "2" in one context agree; "two" and "1.5" do not.
	words, digits, other := numbers("NEW YORK, March 30 - it added two billion dlrs"), numbers("NEW YORK, March 30 - it added 2 billion dlrs"), numbers("NEW YORK, March 30 - it added 1.5 billion dlrs")
	if words.Count != 1 || words.Contexts != 2 {
		t.Errorf("number word: Count %d, Contexts %d; want 1 (the digits' 30) and 2", words.Count, words.Contexts)
	}
	if agree, _ := numberAgreement(&words, &digits); agree != 1 {
		t.Errorf("two and 2 in one context: agreement %.2f, want 1", agree)
	}
	if agree, contradictions := numberAgreement(&words, &other); contradictions != 1 || agree != 0.5 {
		t.Errorf("two and 1.5 in one context: agreement %.2f with %d contradictions, want 0.50 and 1", agree, contradictions)
	}
	// Contexts that recur are numbered in text order, number words among
	// the digits: a copy that writes the first of two such figures in
	// digits numbers them as its original does.
	spelled := numbers("The cash rate rose two pct in the week to May 14. The cash rate rose 3 pct in the week to May 21.")
	inDigits := numbers("The cash rate rose 2 pct in the week to May 14. The cash rate rose 3 pct in the week to May 21.")
	if agree, contradictions := numberAgreement(&spelled, &inDigits); agree != 1 || contradictions != 0 {
		t.Errorf("a recurring context, two then 3 against 2 then 3: agreement %.2f with %d contradictions, want 1 and 0", agree, contradictions)
	}
	// After a digit, a number word takes the digit's next place in the run.
	after, afterDigits := numbers("it added 5 two billion dlrs"), numbers("it added 5 2 billion dlrs")
	if agree, _ := numberAgreement(&after, &afterDigits); agree != 1 {
		t.Errorf("5 two against 5 2: agreement %.2f, want 1 (the second place of the run shared)", agree)
	}
	// A masked copy keeps its number words and stays masked.
	if n := numbers("NEW YORK, March 4 4 - it added two billion dlrs at 4-4/4 pct"); !n.masked() || n.Count != 5 {
		t.Errorf("masked copy with a number word: Count %d, Real %d; want 5 number tokens, masked", n.Count, n.Real)
	}
	// Vietnamese tên (a name) is no figure, and the accent-free copy's
	// ten, which is, leaves its headline as the original's.
	orig := cfg.Sketch([]byte("Triều Tiên che giấu 20 căn cứ tên lửa\nCác căn cứ tên lửa này chưa được công bố."))
	bare := cfg.Sketch([]byte("Trieu Tien che giau 20 can cu ten lua\nCac can cu ten lua nay chua duoc cong bo."))
	if orig.numbers.Contexts != 1 || bare.numbers.Contexts != 3 {
		t.Errorf("tên: %d contexts, accent-free ten: %d; want 1 (the 20) and 3", orig.numbers.Contexts, bare.numbers.Contexts)
	}
	if orig.headline != bare.headline {
		t.Errorf("headline of the accent-free copy %x, want the original's %x", bare.headline, orig.headline)
	}
	if m := cfg.Compare(&orig, &bare); !m.Duplicate {
		t.Errorf("accent-free copy with ten: %s", m.Reason())
	}
}

// Run keys: a contained passage long enough yields shared keys, and a
// document keeps about one key per chunkWords·runKeyRate words, without
// repeats.
func TestRunKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var cfg Config
	item := words(rng, 250)
	small := cfg.Sketch(text(item))
	large := cfg.sketchFiltered(text(words(rng, 600), item, words(rng, 300)), nil)
	ks, kl := appendRunKeys(nil, small.chunks, 0, 1), appendRunKeys(nil, large.chunks, 0, 1)
	shared := 0
	for _, k := range ks {
		if slices.Contains(kl, k) {
			shared++
		}
	}
	if shared < 2 {
		t.Errorf("a 250-word item inside a larger page shares %d of its %d run keys", shared, len(ks))
	}
	if per := float64(large.words) / float64(len(kl)); per < chunkWords*runKeyRate/2 || per > chunkWords*runKeyRate*2 {
		t.Errorf("one run key per %.0f words, want about %d", per, chunkWords*runKeyRate)
	}
	var parts []uint64
	for p := range uint64(3) {
		parts = append(parts, appendRunKeys(nil, large.chunks, p, 3)...)
	}
	slices.Sort(parts)
	if want := slices.Sorted(slices.Values(kl)); !slices.Equal(parts, want) || len(slices.Compact(slices.Clone(want))) != len(want) {
		t.Errorf("run keys by part differ from all run keys, or repeat")
	}
}

// Candidate generation finds abridged copies whose Jaccard similarity is
// far below what the bands catch: copies of made-up articles of 8 to 16
// paragraphs (30 to 60 words each) that keep some paragraphs in order,
// with a new lede and a closing line of their own. It logs the share of
// pairs that share a band or lead key, a run key, and either, by the
// copy's containment in its original (-v shows the table).
func TestCandidateRecall(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cfg := Config{}.withDefaults()
	p := cfg.lshBanding()
	type counts struct{ n, band, run, any int }
	byC := map[int]*counts{} // containment in tenths
	shareBand := func(a, b *Sketch) bool {
		for k := 0; k <= p.Bands; k++ {
			if (k < p.Bands || a.lead != 0 && b.lead != 0) && tableKey(p, a.sig, a.lead, k) == tableKey(p, b.sig, b.lead, k) {
				return true
			}
		}
		return false
	}
	for range 400 {
		var paras [][]string
		for range 8 + rng.IntN(9) {
			paras = append(paras, words(rng, 30+rng.IntN(31)))
		}
		keep := 0.3 + 0.6*rng.Float64()
		var orig, copy []string
		copy = append(copy, words(rng, 15+rng.IntN(20))...) // a lede of its own
		for _, pa := range paras {
			orig = append(orig, pa...)
			if rng.Float64() < keep {
				copy = append(copy, pa...)
			}
		}
		copy = append(copy, words(rng, 10)...) // the outlet's closing line
		a, b := cfg.Sketch(text(orig)), cfg.Sketch(text(copy))
		m := cfg.Compare(&b, &a)
		if m.Jaccard >= cfg.Threshold {
			continue // the bands' business
		}
		c := byC[int(m.Containment*10)]
		if c == nil {
			c = &counts{}
			byC[int(m.Containment*10)] = c
		}
		c.n++
		band := shareBand(&a, &b)
		if band {
			c.band++
		}
		ka, kb := appendRunKeys(nil, a.chunks, 0, 1), appendRunKeys(nil, b.chunks, 0, 1)
		run := slices.ContainsFunc(kb, func(k uint64) bool { return slices.Contains(ka, k) })
		if run {
			c.run++
		}
		if band || run {
			c.any++
		}
	}
	n, found := 0, 0
	for tenth := 0; tenth <= 10; tenth++ {
		if c := byC[tenth]; c != nil {
			t.Logf("containment %.1f-%.1f: %3d pairs, band or lead %.2f, run key %.2f, either %.2f", float64(tenth)/10, float64(tenth+1)/10,
				c.n, float64(c.band)/float64(c.n), float64(c.run)/float64(c.n), float64(c.any)/float64(c.n))
			if tenth >= 7 {
				n, found = n+c.n, found+c.any
			}
		}
	}
	if n < 100 || float64(found) < 0.97*float64(n) {
		t.Errorf("%d of %d copies at containment 0.7 or more are candidates, want 97%%", found, n)
	}
}
