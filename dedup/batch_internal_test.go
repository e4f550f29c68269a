package dedup

import (
	"math/rand/v2"
	"slices"
	"testing"
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
	sketchOf := func(sh []uint64, lead uint64) *Sketch {
		sig := AppendSignature(nil, sh, cfg.Hashes)
		return &Sketch{Sig: sig.AppendCompact(nil), Shingles: len(sh), Lead: lead}
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
		x, y := sketchOf(a, la), sketchOf(b, lb)
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
