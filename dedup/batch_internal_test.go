package dedup

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/neardup/neardup/dedup/internal/engine"
)

// sortPacked sorts as pdqsort does, whatever the mix of unique and
// repeated keys (the high bits, by which it buckets).
func TestSortPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var tmp []uint64
	var counts []int32
	for _, n := range []int{0, 1, 2, 5, 17, 100, 1000, 100000} {
		for _, repeats := range []int{0, 1, 50} {
			v := make([]uint64, n)
			for i := range v {
				v[i] = rng.Uint64()
				if repeats > 0 && i > 0 && rng.IntN(100) < repeats {
					v[i] = v[rng.IntN(i)]>>20<<20 | uint64(rng.IntN(1<<20)) // a key shared by many
				}
			}
			want := slices.Clone(v)
			slices.Sort(want)
			var got []uint64
			got, tmp, counts = sortPacked(v, tmp, counts)
			if !slices.Equal(want, got) {
				t.Fatalf("n=%d repeats=%d%%: sortPacked differs from slices.Sort", n, repeats)
			}
		}
	}
}

// cannotMatch never rejects a pair that compare calls a duplicate, and
// rejects most unrelated pairs: over sketches of shingle sets with every
// overlap, size ratio and lead. The banding's candidateThreshold lies at
// or under the Jaccard of every pair that the Jaccard or containment rule
// accepts (the lead and aligned rules have keys of their own).
func TestCannotMatchIsSafe(t *testing.T) {
	cfg := Config{}.withDefaults()
	rng := rand.New(rand.NewPCG(7, 8))
	set := func(n int, from uint64) []uint64 {
		s := make([]uint64, n)
		for i := range s {
			s[i] = mix(from + uint64(i))
		}
		return s
	}
	sketchOf := func(sh []uint64, lead uint64, chunks []chunk) *Sketch {
		sig := appendSignature(nil, sh, cfg.Hashes)
		return &Sketch{sig: sig.appendCompact(nil), shingles: int32(len(sh)), lead: lead, chunks: chunks}
	}
	rejected, dups := 0, 0
	for range 20000 {
		na, nb := 1+rng.IntN(600), 1+rng.IntN(600)
		shared := rng.IntN(min(na, nb) + 1)
		a := set(na, 1<<40)
		b := append(set(shared, 1<<40), set(nb-shared, 1<<41+uint64(rng.IntN(1<<20))<<10)...)
		var la, lb uint64
		if rng.IntN(3) == 0 {
			la, lb = 7, 7
		}
		// A third of the pairs align in order over most of the smaller
		// one, so that the abridged-copy rule decides them.
		var ca, cb []chunk
		if rng.IntN(3) == 0 {
			ca, cb = []chunk{1<<8 | 200, 2<<8 | 200}, []chunk{1<<8 | 200, 2<<8 | 200, 3<<8 | 200}
		}
		x, y := sketchOf(a, la, ca), sketchOf(b, lb, cb)
		m := cfg.compare(x, y)
		if m.Duplicate {
			dups++
		}
		if r := m.why.rule; (r == ruleJaccard || r == ruleContainment) && m.Jaccard < cfg.candidateThreshold()*(1-1e-9) {
			t.Fatalf("na=%d nb=%d shared=%d: %s at Jaccard %.4f, under the candidate threshold %.4f", na, nb, shared, m.Reason(), m.Jaccard, cfg.candidateThreshold())
		}
		if cfg.cannotMatch(x, y) {
			rejected++
			if m.Duplicate {
				t.Fatalf("na=%d nb=%d shared=%d lead=%v: cannotMatch rejected a duplicate (%+v)", na, nb, shared, la != 0, m)
			}
		}
	}
	if rejected < 5000 || dups < 1000 {
		t.Errorf("rejected %d, duplicates %d of 20000: the test does not reach both sides", rejected, dups)
	}
}

// The candidate pairs of a batch are those an Index filled in the same
// order gives, band and run keys alike: over a corpus where passages are
// shared by more documents than a run key's postings, so that some run
// keys close.
func TestCandidatePairsMatchIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var cfg Config
	common := words(rng, 120) // a passage everyone quotes
	var sk []Sketch
	for range 12 {
		article := words(rng, 300)
		sk = append(sk, cfg.Sketch(text(article, common)))
		for range rng.IntN(3) { // abridged copies
			sk = append(sk, cfg.sketchFiltered(text(words(rng, 30), article[rng.IntN(100):250], common[:60]), nil))
		}
	}
	order := groupOrder(sk)
	batch := map[[2]uint32]bool{}
	cand, err := cfg.candidatePairs(sk, order, exactCopies(sk, order))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range cand {
		batch[[2]uint32{uint32(v >> 33), uint32(v>>1) & (1<<32 - 1)}] = true
	}
	ix, _ := NewIndex(cfg)
	index := map[[2]uint32]bool{}
	for p, i := range order {
		for _, seq := range ix.candidates(nil, &sk[i]) {
			index[[2]uint32{uint32(p), seq}] = true
		}
		ix.add("", &sk[i])
	}
	if diff := cmp.Diff(index, batch, allFields); diff != "" {
		t.Errorf("candidate pairs (-index +batch):\n%s", diff)
	}
	closed := 0
	var keys []uint64
	count := map[uint64]int{}
	for i := range sk {
		keys = appendRunKeys(keys[:0], sk[i].chunks, 0, 1)
		for _, k := range keys {
			if count[k]++; count[k] == engine.MaxRunPostings+1 {
				closed++
			}
		}
	}
	if closed == 0 {
		t.Error("no run key is shared by more documents than its postings: the test does not reach closed keys")
	}
}

// sortUint64 sorts as slices.Sort does, small slices and large, values
// spread over every digit or over a few.
func TestSortUint64(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, 100, 5000, 300000} {
		for _, bits := range []int{64, 40, 20} {
			v := make([]uint64, n)
			for i := range v {
				v[i] = rng.Uint64() >> (64 - bits)
			}
			want := slices.Sorted(slices.Values(v))
			if got := sortUint64(v); !slices.Equal(want, got) {
				t.Fatalf("n=%d bits=%d: sortUint64 differs from slices.Sort", n, bits)
			}
		}
	}
}

// Exact copies (the same normalized content) are verified and indexed
// once: thousands of copies of one page add one candidate pair each at
// most, file no index entries, and come out in one cluster whose
// canonical is the first of them in the input.
func TestExactCopiesCollapse(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const copies = 2000
	a, b := words(rng, 300), words(rng, 300)
	var docs []Doc
	for i := range copies {
		docs = append(docs, Doc{ID: fmt.Sprintf("a%04d", i), Text: text(a)}, Doc{ID: fmt.Sprintf("b%04d", i), Text: text(b)})
	}
	docs = append(docs, Doc{ID: "a-near", Text: text(words(rng, 20), a[:250])})
	for i := range 20 {
		docs = append(docs, Doc{ID: fmt.Sprintf("other%02d", i), Text: text(words(rng, 200))})
	}
	var cfg Config
	sk := make([]Sketch, len(docs))
	for i, d := range docs {
		sk[i] = cfg.Sketch(d.Text)
	}
	order := groupOrder(sk)
	if pairs, _ := cfg.candidatePairs(sk, order, exactCopies(sk, order)); len(pairs) > 10 {
		t.Errorf("%d candidate pairs among %d documents of which 4000 are copies of two: want a few", len(pairs), len(docs))
	}
	res, err := cfg.Cluster(docs)
	if err != nil {
		t.Fatal(err)
	}
	byCanonical := map[string]int{}
	for _, c := range res.Clusters {
		byCanonical[docs[c.Canonical].ID] = len(c.Members)
	}
	if byCanonical["a0000"] != copies+1 || byCanonical["b0000"] != copies || len(res.Clusters) != 22 {
		t.Errorf("%d clusters, a0000's of %d, b0000's of %d; want 22, the %d copies of a with its near copy, the %d of b",
			len(res.Clusters), byCanonical["a0000"], byCanonical["b0000"], copies, copies)
	}
	ix, _ := NewIndex(cfg)
	for i, d := range docs {
		found, _, err := ix.queryAdd(d.ID, sk[i])
		if err != nil {
			t.Fatal(err)
		}
		if i >= 2 && i < 2*copies && (len(found) == 0 || found[0].ID != docs[i%2].ID) {
			t.Fatalf("%s: found %v, want its first copy %s first", d.ID, found, docs[i%2].ID)
		}
	}
	filed := 0
	for _, m := range ix.meta {
		if !m.unfiled {
			filed++
		}
	}
	if filed != 23 {
		t.Errorf("%d documents filed under index keys, want the 23 distinct ones", filed)
	}
}

// BenchmarkCandidatePairs is the grouping stage's candidate generation
// over 20,000 sketches of made-up 400-word articles drawn from one
// vocabulary: band and lead keys sorted band by band, run keys part by
// part. In "edited", a tenth of them are copies of another with a
// sentence appended; in "family", a third are such copies of one
// article, each with a sentence of its own, as syndication or a site's
// template makes them.
func BenchmarkCandidatePairs(b *testing.B) {
	for _, bc := range []struct {
		name   string
		copyOf func(rng *rand.Rand, i int) int // -1: an article of its own
	}{
		{"edited", func(rng *rand.Rand, i int) int {
			if i%10 == 9 {
				return rng.IntN(i)
			}
			return -1
		}},
		{"family", func(rng *rand.Rand, i int) int {
			if i%3 == 2 {
				return 0
			}
			return -1
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			vocab := make([]string, 5000)
			for i := range vocab {
				vocab[i] = string([]rune{'a' + rune(i%26), 'a' + rune(i/26%26), 'ơ', 'a' + rune(i/676%26)})
			}
			c := Config{}.withDefaults()
			var sk []Sketch
			var texts [][]byte
			for i := range 20000 {
				var text []byte
				if j := bc.copyOf(rng, i); j >= 0 {
					text = slices.Clone(texts[j])
					text = fmt.Appendf(text, " thêm một câu %s %s", vocab[rng.IntN(len(vocab))], vocab[rng.IntN(len(vocab))])
				} else {
					for w := range 400 {
						text = append(text, vocab[rng.IntN(len(vocab))]...)
						text = append(text, " \n"[min(1, w%40/39)])
					}
				}
				texts = append(texts, text)
				s, _ := c.sketch(text, nil, nil, nil)
				sk = append(sk, s)
			}
			order := groupOrder(sk)
			rep := exactCopies(sk, order)
			b.ReportAllocs()
			var pairs int
			for b.Loop() {
				p, _ := c.candidatePairs(sk, order, rep)
				pairs = len(p)
			}
			b.ReportMetric(float64(pairs), "pairs")
		})
	}
}

// firstOfKey gives what a map from key to first document gives, taking
// the documents in order: keys that meet in their high 32 bits (the
// sort's key) or in whole, documents with a key that are not the same as
// its first, and documents without one.
func TestFirstOfKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for round := range 200 {
		n := 1 + rng.IntN(300)
		keys := make([]uint64, n)
		for i := range keys {
			// Few high halves and few low halves: whole keys repeat, and
			// different keys share high bits.
			keys[i] = uint64(rng.IntN(4))<<32 | uint64(rng.IntN(3))
		}
		order := rng.Perm(n)
		has := func(i int) bool { return i%11 != 5 }
		same := func(i, r int) bool { return (i+r)%7 != 0 }
		want := make([]int32, n)
		first := map[uint64]int32{}
		for _, i := range order {
			want[i] = int32(i)
			if !has(i) {
				continue
			}
			if r, ok := first[keys[i]]; ok && same(i, int(r)) {
				want[i] = r
			} else if !ok {
				first[keys[i]] = int32(i)
			}
		}
		for _, procs := range []int{1, 2, 3, 7} { // runs cut by shares
			prev := runtime.GOMAXPROCS(procs)
			got := firstOfKey(keys, order, has, same)
			runtime.GOMAXPROCS(prev)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d, GOMAXPROCS %d: firstOfKey (-map +got):\n%s", round, procs, diff)
			}
		}
	}
}

// sortOccs sorts as slices.SortFunc does with compareOcc, whatever the
// mix of unique and recurring lines, with its buckets shared among any
// number of goroutines.
func TestSortOccs(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for _, docs := range []int{0, 1, 30, 3000} {
		lines := make([][]docLine, docs)
		var all []occ
		article := func(i int) int32 { return int32(i / 3) }
		for i := range lines {
			for range rng.IntN(12) {
				h := rng.Uint64()
				if rng.IntN(3) == 0 {
					// Recurring lines, crowding one bucket in 64, among
					// them the first of the second half (where two
					// goroutines share the buckets).
					h = uint64(rng.IntN(64)) << 58
				}
				l := docLine{Hash: h, Words: int32(rng.IntN(50))}
				lines[i] = append(lines[i], l)
				all = append(all, occ{l.Hash, article(i), l.Words})
			}
		}
		slices.SortStableFunc(all, compareOcc)
		for _, procs := range []int{1, 2, 5} {
			prev := runtime.GOMAXPROCS(procs)
			got := sortOccs(make([]occ, len(all)), lines, article)
			runtime.GOMAXPROCS(prev)
			// Occurrences equal under compareOcc may differ in words;
			// compare what the sort orders by.
			key := func(o occ) [2]uint64 { return [2]uint64{o.hash, uint64(o.article)} }
			if diff := cmp.Diff(mapSlice(all, key), mapSlice(got, key)); diff != "" {
				t.Fatalf("%d documents, GOMAXPROCS %d: sortOccs (-want +got):\n%s", docs, procs, diff)
			}
		}
	}
}

// mapSlice returns f of each element of v.
func mapSlice[T, U any](v []T, f func(T) U) []U {
	out := make([]U, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	return out
}

// groupOrder is the stable sort by shingles, most first, ties in input
// order, for any mix of counts and ties, at sizes where sortUint64 uses
// pdqsort and where it uses its radix sort.
func TestGroupOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 7, 1000, 50000} {
		for _, spread := range []int{1, 5, 1 << 20} {
			sk := make([]Sketch, n)
			for i := range sk {
				sk[i].shingles = int32(rng.IntN(spread))
			}
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			slices.SortStableFunc(want, func(a, b int) int { return int(sk[b].shingles - sk[a].shingles) })
			if diff := cmp.Diff(want, groupOrder(sk)); diff != "" {
				t.Fatalf("n %d, spread %d: (-stable sort +groupOrder):\n%s", n, spread, diff)
			}
		}
	}
}

// Sketching a corpus allocates per batch, not per document: a batch's
// sketches and lines lie in buffers reused from batch to batch
// (sketchBuf), and store copies them out. What store gets equals what
// sketching one document alone gives.
func TestSketchPassAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	docs := make([]Doc, 640)
	for i := range docs {
		docs[i] = Doc{ID: fmt.Sprint(i), Text: text(words(rng, 80), []string{"\n", fmt.Sprint(i), "người"}, words(rng, 120))}
	}
	c := Config{}.withDefaults()
	read := func(yield func(Doc) bool) error {
		for _, d := range docs {
			yield(d)
		}
		return nil
	}
	kept := make([]Sketch, len(docs))
	keptLines := make([][]docLine, len(docs))
	run := func() {
		var a sketchArena
		var lines arena[docLine]
		err := c.sketchPass(read, nil, func(string) bool { return true }, func(i int, s Sketch, l []docLine) {
			kept[i] = a.keep(s)
			keptLines[i] = lines.keep(l)
		}, true)
		if err != nil {
			t.Fatal(err)
		}
	}
	perDoc := testing.AllocsPerRun(5, run) / float64(len(docs))
	if perDoc > 0.5 && !raceEnabled { // the race detector makes sync.Pool drop buffers
		t.Errorf("%.2f allocations a document, want less than 0.5", perDoc)
	}
	for i, d := range docs {
		want, wantLines := c.sketch(d.Text, nil, []docLine{}, nil)
		if diff := cmp.Diff(want, kept[i], cmp.AllowUnexported(Sketch{}, numberSketch{})); diff != "" {
			t.Fatalf("document %d: sketch (-alone +sketchPass):\n%s", i, diff)
		}
		if diff := cmp.Diff(wantLines, keptLines[i], cmpopts.EquateEmpty()); diff != "" || len(wantLines) < 2 {
			t.Fatalf("document %d: %d lines; lines (-alone +sketchPass):\n%s", i, len(wantLines), diff)
		}
	}
}

// The second reading sketches again the documents that carry
// boilerplate, and their new sketches take the room of the old ones in
// the arenas (sketchArena.replace). What sketchCorpus returns must equal
// each document sketched alone: without the learned boilerplate if it
// carries some, as it is otherwise.
func TestSketchCorpusSecondReading(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	menu := strings.Join(words(rng, 12), " ")
	footer := strings.Join(words(rng, 30), " ") + " 12,5 và 2026"
	docs := make([]Doc, 300)
	for i := range docs {
		body := text(words(rng, 60), []string{"\n"}, words(rng, 90))
		switch i % 3 {
		case 0:
			body = []byte(menu + "\n" + string(body) + "\n" + footer)
		case 1:
			body = []byte(string(body) + "\n" + footer)
		}
		docs[i] = Doc{ID: fmt.Sprint(i), Text: body}
	}
	c := Config{}.withDefaults()
	got, err := c.sketchCorpus(func(_ func(int) bool, yield func(Doc) bool) error {
		for _, d := range docs {
			yield(d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first := make([]Sketch, len(docs))
	lines := make([][]docLine, len(docs))
	for i, d := range docs {
		first[i], lines[i] = c.sketch(d.Text, nil, []docLine{}, nil)
	}
	boiler := c.learnBoilerplate(first, lines)
	redone := 0
	for i, d := range docs {
		want := first[i]
		if boiler.carries(lines[i]) {
			if s, _ := c.sketch(d.Text, boiler, nil, nil); s.words > 0 {
				want = s
				redone++
			}
		}
		if diff := cmp.Diff(want, got.Sketches[i], cmp.AllowUnexported(Sketch{}, numberSketch{})); diff != "" {
			t.Fatalf("document %d: sketch (-alone +sketchCorpus):\n%s", i, diff)
		}
	}
	if redone != 200 || got.BoilerplateDocs != redone {
		t.Errorf("%d documents sketched again, sketchCorpus counts %d; want 200", redone, got.BoilerplateDocs)
	}
}

// pages gives back, flattened, what was put at each index in any order,
// across the growing pages and the full ones; pageOf, pageStart and
// pageLen agree with one another.
func TestPages(t *testing.T) {
	for i := range 3*maxPage + 10 {
		k, off := pageOf(i)
		if off < 0 || off >= pageLen(k) || pageStart(k)+off != i {
			t.Fatalf("pageOf(%d) = %d, %d; page %d starts at %d, %d long", i, k, off, k, pageStart(k), pageLen(k))
		}
	}
	if pageLen(0) != firstPage || pageLen(1) != firstPage || pageLen(2) != 2*firstPage || pageLen(growPages) != maxPage || pageLen(growPages+5) != maxPage {
		t.Errorf("page lengths %d %d %d ... %d %d", pageLen(0), pageLen(1), pageLen(2), pageLen(growPages), pageLen(growPages+5))
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, firstPage - 1, firstPage, firstPage + 1, 5000, maxPage - 1, maxPage, maxPage + 1, 3*maxPage + 7} {
		var p pages[int32]
		for _, i := range rng.Perm(n) {
			*p.at(i) = int32(i) + 1
		}
		got := p.flatten(n)
		if len(got) != n || p != nil {
			t.Fatalf("n=%d: flatten gave %d elements, left %d pages", n, len(got), len(p))
		}
		for i, v := range got {
			if v != int32(i)+1 {
				t.Fatalf("n=%d: element %d is %d", n, i, v-1)
			}
		}
	}
}

// The batch grouping's entries meet exactly when engine.GroupingKey files
// their keys alike, for band, lead and run keys: an engine that files
// keys under GroupingKey pairs what the batch grouping pairs. Keys here
// are made to agree in their high 32 bits and differ below, the chance
// meetings that whole keys would keep apart.
func TestEntryMatchesGroupingKey(t *testing.T) {
	p := Config{}.withDefaults().lshBanding()
	rng := rand.New(rand.NewPCG(17, 18))
	for range 2000 {
		hi := rng.Uint64() >> 32 << 32
		k1 := hi | uint64(rng.Uint32())
		k2 := hi | uint64(rng.Uint32())
		if rng.IntN(3) == 0 {
			k2 = rng.Uint64()
		}
		for _, band := range []int{0, p.Bands - 1, p.Bands, p.Bands + 1} {
			x, y := indexKey{Band: band, Hash: k1}, indexKey{Band: band, Hash: k2}
			batch := entry(k1, 1)>>32 == entry(k2, 2)>>32
			if band == p.Bands+1 {
				batch = batch && k1%runParts == k2%runParts // runKeys files parts apart
			}
			if engine := p.GroupingKey(x) == p.GroupingKey(y); batch != engine {
				t.Fatalf("band %d, keys %#x and %#x: batch meets %v, GroupingKey %v", band, k1, k2, batch, engine)
			}
		}
	}
}

// The reading goroutine carries the stage label of each reading: the
// goroutine profile (debug=1) prints a goroutine's labels above its
// stack.
func TestStageLabels(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	footer := strings.Join(words(rng, 30), " ")
	docs := make([]Doc, 30)
	for i := range docs {
		docs[i] = Doc{ID: fmt.Sprint(i), Text: []byte(string(text(words(rng, 80))) + "\n" + footer)}
	}
	var got []string
	var c Config
	_, err := c.ClusterReader(func(_ func(int) bool, yield func(Doc) bool) error {
		var buf bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
			return err
		}
		label := "none"
		for _, rec := range strings.Split(buf.String(), "\n\n") {
			if !strings.Contains(rec, "TestStageLabels") {
				continue
			}
			if _, after, ok := strings.Cut(rec, `# labels: {"`+StageLabel+`":"`); ok {
				label, _, _ = strings.Cut(after, `"`)
			}
		}
		got = append(got, label)
		for _, d := range docs {
			yield(d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"sketching", "re-sketching"}, got); diff != "" {
		t.Errorf("the readings' stage labels (-want +got):\n%s", diff)
	}
}

// Boilerplate learned from recurringLines' lines is what all the lines
// give: menus and footers (common lines), links (short lines of two
// articles, one of which they open), and articles that open with a
// headline of their own above a link, whose first line recurringLines
// keeps although it occurs once.
func TestRecurringLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	line := func(n int) string { return strings.Join(words(rng, n), " ") }
	menu, footer := line(6), line(25)
	var docs [][]byte
	for i := range 40 {
		body := line(70) + "\n" + line(60)
		switch i % 4 {
		case 0: // the article a link names: the link is its headline
			link := line(5)
			docs = append(docs, []byte(link+"\n"+body))
			docs = append(docs, []byte(line(7)+"\n"+link+"\n"+line(70)+"\n"+footer)) // another article links to it
		case 1:
			docs = append(docs, []byte(menu+"\n"+line(6)+"\n"+body+"\n"+footer))
		default:
			docs = append(docs, []byte(line(8)+"\n"+body))
		}
	}
	c := Config{}.withDefaults()
	sk := make([]Sketch, len(docs))
	var all [][]docLine
	var p pages[[]docLine]
	for i, d := range docs {
		var l []docLine
		sk[i], l = c.sketch(d, nil, []docLine{}, nil)
		all = append(all, l)
		*p.at(i) = l
	}
	kept := recurringLines(&p, len(docs))
	n, m := 0, 0
	for i := range all {
		n, m = n+len(all[i]), m+len(kept[i])
	}
	if m >= n {
		t.Errorf("recurringLines kept %d of %d lines", m, n)
	}
	want, got := c.learnBoilerplate(sk, all), c.learnBoilerplate(sk, kept)
	if len(want) == 0 {
		t.Fatal("no boilerplate learned")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("boilerplate (-all lines +recurringLines):\n%s", diff)
	}
}

// mergePairs gives what sorting the concatenation gives: every pair once,
// stored if any of its repeats is.
func TestMergePairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{0, 1, 2, 3, 7} {
		lists := make([][]uint64, k)
		var all []uint64
		for j := range lists {
			var l []uint64
			for range rng.IntN(3000) {
				l = append(l, pair(uint32(rng.IntN(200)+200), uint32(rng.IntN(200)), rng.IntN(3) == 0))
			}
			lists[j] = compactPairs(l)
			all = append(all, lists[j]...)
		}
		want := compactPairs(all)
		if diff := cmp.Diff(want, mergePairs(lists), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%d lists (-sorted +merged):\n%s", k, diff)
		}
	}
}

// learnBoilerplate is learnFrom on lines held in memory.
func (c Config) learnBoilerplate(sk []Sketch, lines [][]docLine) lineSet {
	set, _, _ := c.learnFrom(sk, func() ([][]docLine, error) { return lines, nil })
	return set
}

// appendPairs with a postingSets makes the pairs it makes without one:
// the later documents of a family, meeting postings that differ from
// band to band, and of keys shared by chance.
func TestAppendPairsPostingSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 3000
	type band struct {
		limit int
		open  bool
		ents  []uint64
	}
	var bands []band
	for b := range 30 {
		limit, open := 64, true
		switch b % 10 {
		case 8:
			limit = 8
		case 9:
			limit, open = 4, false
		}
		var ents []uint64
		for i := range n {
			key := uint64(rng.IntN(400)) // shared by chance
			if i < 2000 && rng.IntN(10) != 0 {
				key = 1000 + uint64(i%3) // a family's key, most members
			}
			ents = append(ents, entry(mix(key^uint64(b)<<40), uint32(i)))
		}
		slices.Sort(ents)
		bands = append(bands, band{limit, open, ents})
	}
	var want, out, meets []uint64
	var sets postingSets
	metA, metB := make([]uint64, n), make([]uint64, n)
	for _, b := range bands {
		want, _ = appendPairs(want, nil, b.ents, b.limit, b.open, metA, nil)
		out, meets = appendPairs(out, meets, b.ents, b.limit, b.open, metB, &sets)
	}
	want = compactPairs(want)
	clear(metB)
	got := mergePairs([][]uint64{compactPairs(out), sets.appendPairs(nil, compactMeetings(meets), metB)})
	if len(meets) == 0 || len(sets.start) < 10 {
		t.Fatalf("%d meetings of %d sets: the test makes no families", len(meets), len(sets.start)-1)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("pairs (-one by one +by sets):\n%s", diff)
	}
}

// intern refuses a set whose hash another set has, so that its pairs are
// appended one by one.
func TestPostingSetsCollision(t *testing.T) {
	var sets postingSets
	a := []uint64{entry(1, 3), entry(1, 5)}
	b := []uint64{entry(2, 3), entry(2, 6)}
	if id, ok := sets.intern(42, a); !ok || id != 0 {
		t.Fatalf("intern(a) = %d, %v; want 0, true", id, ok)
	}
	if id, ok := sets.intern(42, a); !ok || id != 0 {
		t.Fatalf("intern(a) again = %d, %v; want 0, true", id, ok)
	}
	if _, ok := sets.intern(42, b); ok {
		t.Fatal("intern(b) with a's hash: accepted")
	}
	if _, ok := sets.intern(42, a[:1]); ok {
		t.Fatal("intern(a[:1]) with a's hash: accepted")
	}
	if id, ok := sets.intern(43, b); !ok || id != 1 {
		t.Fatalf("intern(b) = %d, %v; want 1, true", id, ok)
	}
	stamp := make([]uint64, 8)
	got := sets.appendPairs(nil, compactMeetings([]uint64{7<<32 | 1, 7<<32 | 0, 4<<32 | 0, 7<<32 | 1}), stamp)
	want := []uint64{pair(4, 3, false), pair(4, 5, false), pair(7, 3, false), pair(7, 5, false), pair(7, 6, false)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
}

// repeatedKeys keeps, in order, every entry whose key another entry has,
// and drops most of the others.
func TestRepeatedKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var seen, again []uint64
	for _, n := range []int{0, 1, 2, 100, 10000, 300000} {
		var ents []uint64
		for i := range n {
			key := rng.Uint32()
			if i > 0 && rng.IntN(10) == 0 {
				key = uint32(ents[rng.IntN(i)] >> 32) // a repeat
			}
			ents = append(ents, entry(uint64(key)<<32, uint32(i)))
		}
		times := make(map[uint64]int)
		for _, e := range ents {
			times[e>>32]++
		}
		var kept []uint64
		kept, seen, again = repeatedKeys(slices.Clone(ents), seen, again)
		k, alone := 0, 0
		for _, e := range ents {
			if k < len(kept) && kept[k] == e {
				k++
				if times[e>>32] == 1 {
					alone++
				}
				continue
			}
			if times[e>>32] > 1 {
				t.Fatalf("%d entries: %x, whose key %d others have, was dropped", n, e, times[e>>32]-1)
			}
		}
		if k != len(kept) {
			t.Fatalf("%d entries: kept %d, not in input order", n, len(kept))
		}
		singles := 0
		for _, c := range times {
			if c == 1 {
				singles++
			}
		}
		if n >= 10000 && alone > singles/4 {
			t.Errorf("%d entries: kept %d of %d keys that occur once", n, alone, singles)
		}
	}
}
