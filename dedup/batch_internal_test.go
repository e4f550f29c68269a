package dedup

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sortKeyPos sorts as pdqsort with the same comparator does, whatever the
// mix of unique and repeated keys.
func TestSortKeyPos(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var tmp []keyPos
	var counts []int32
	for _, n := range []int{0, 1, 2, 5, 17, 100, 1000, 100000} {
		for _, repeats := range []int{0, 1, 50} {
			v := make([]keyPos, n)
			for i := range v {
				v[i] = keyPos{rng.Uint64(), rng.Uint32()}
				if repeats > 0 && i > 0 && rng.IntN(100) < repeats {
					v[i].key = v[rng.IntN(i)].key // a key shared by many
				}
			}
			want := slices.Clone(v)
			slices.SortFunc(want, compareKeyPos)
			var got []keyPos
			got, tmp, counts = sortKeyPos(v, tmp, counts)
			if !slices.Equal(want, got) {
				t.Fatalf("n=%d repeats=%d%%: sortKeyPos differs from SortFunc", n, repeats)
			}
		}
	}
}

// cannotMatch never rejects a pair that compare calls a duplicate, and
// rejects most unrelated pairs: over sketches of shingle sets with every
// overlap, size ratio and lead.
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
	sketchOf := func(sh []uint64, lead uint64, chunks []Chunk) *Sketch {
		sig := AppendSignature(nil, sh, cfg.Hashes)
		return &Sketch{Sig: sig.AppendCompact(nil), Shingles: len(sh), Lead: lead, Chunks: chunks}
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
		var ca, cb []Chunk
		if rng.IntN(3) == 0 {
			ca, cb = []Chunk{1<<8 | 200, 2<<8 | 200}, []Chunk{1<<8 | 200, 2<<8 | 200, 3<<8 | 200}
		}
		x, y := sketchOf(a, la, ca), sketchOf(b, lb, cb)
		m := cfg.compare(x, y, false)
		if m.Duplicate {
			dups++
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
		sk = append(sk, cfg.Sketch(text(article, common), nil))
		for range rng.IntN(3) { // abridged copies
			sk = append(sk, cfg.Sketch(text(words(rng, 30), article[rng.IntN(100):250], common[:60]), nil))
		}
	}
	order := GroupOrder(sk)
	batch := map[[2]uint32]bool{}
	for _, v := range cfg.candidatePairs(sk, order, exactCopies(sk, order)) {
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
	if diff := cmp.Diff(index, batch); diff != "" {
		t.Errorf("candidate pairs (-index +batch):\n%s", diff)
	}
	closed := 0
	var keys []uint64
	count := map[uint64]int{}
	for i := range sk {
		keys = appendRunKeys(keys[:0], sk[i].Chunks, 0, 1)
		for _, k := range keys {
			if count[k]++; count[k] == MaxRunPostings+1 {
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
