package pipeline

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// firstFn gives the first candidate in (rank, position) order, with its
// content hash, however a runner splits its input among accumulators and
// merges them.
func TestFirstFnMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 37))
	for round := range 200 {
		var cands [][]byte
		var want []byte
		for range 1 + rng.IntN(300) {
			rank, pos := uint64(rng.IntN(4)), uint64(rng.IntN(1000))
			c := binary.LittleEndian.AppendUint64(nil, rank)
			c = binary.LittleEndian.AppendUint64(c, pos)
			c = binary.LittleEndian.AppendUint64(c, pos*pos) // one document, one content
			cands = append(cands, c)
			if want == nil || compareFirst(c, want) < 0 {
				want = c
			}
		}
		if got := combineShares(rng, &firstFn{}, cands); !bytes.Equal(got, want) {
			t.Fatalf("round %d: first %x, want %x", round, got, want)
		}
	}
}
