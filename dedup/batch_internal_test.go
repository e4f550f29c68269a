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
