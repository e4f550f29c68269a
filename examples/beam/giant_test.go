package pipeline

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// anchorFn and sizeCountFn give the same output however a runner splits
// their input among accumulators and merges them: every rank-0
// candidate, and the first Keep others in (rank, position) order, each
// once; each root's documents summed.
func TestGiantCombinersMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 36))
	type cand struct{ rank, pos uint64 }
	for round := range 50 {
		keep := 1 + rng.IntN(40)
		var cands []cand
		for range rng.IntN(3000) {
			c := cand{1 + uint64(rng.IntN(50)), uint64(rng.IntN(5000))}
			if rng.IntN(20) == 0 {
				c.rank = 0
			}
			cands = append(cands, c)
			if rng.IntN(10) == 0 {
				cands = append(cands, c) // the same candidate from another part
			}
		}
		counts := map[uint64]uint64{}
		var sizes [][]byte
		for range rng.IntN(500) {
			k := keyCount{hash: uint64(rng.IntN(60)), n: 1 + uint64(rng.IntN(9))}
			counts[k.hash] += k.n
			sizes = append(sizes, appendKeyCount(nil, k))
		}

		// What a single pass over the sorted, distinct candidates keeps.
		sorted := slices.Clone(cands)
		slices.SortFunc(sorted, func(a, b cand) int {
			if a.rank != b.rank {
				return int(a.rank) - int(b.rank)
			}
			return int(a.pos) - int(b.pos)
		})
		sorted = slices.Compact(sorted)
		var want []cand
		kept := 0
		for _, c := range sorted {
			if c.rank != 0 {
				if kept == keep {
					break
				}
				kept++
			}
			want = append(want, c)
		}

		var ins [][]byte
		for _, c := range cands {
			b := binary.LittleEndian.AppendUint64(nil, c.rank)
			ins = append(ins, binary.LittleEndian.AppendUint64(b, c.pos))
		}
		var got []cand
		for b := combineShares(rng, &anchorFn{Keep: keep}, ins); len(b) >= anchorSize; b = b[anchorSize:] {
			got = append(got, cand{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])})
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(cand{})); diff != "" {
			t.Fatalf("round %d, keep %d: anchors (-want +got):\n%s", round, keep, diff)
		}

		gotCounts := map[uint64]uint64{}
		for b := combineShares(rng, &sizeCountFn{}, sizes); len(b) >= keyCountSize; b = b[keyCountSize:] {
			k := readKeyCount(b)
			if _, dup := gotCounts[k.hash]; dup {
				t.Fatalf("round %d: root %d counted twice", round, k.hash)
			}
			gotCounts[k.hash] = k.n
		}
		if diff := cmp.Diff(counts, gotCounts); diff != "" {
			t.Fatalf("round %d: sizes (-want +got):\n%s", round, diff)
		}
	}
}

// combiner is a combine function into packed bytes, over inputs of type
// In.
type combiner[In any] interface {
	CreateAccumulator() []byte
	AddInput(acc []byte, in In) []byte
	MergeAccumulators(a, b []byte) []byte
	ExtractOutput(acc []byte) []byte
}

// combineShares combines ins as a runner may: accumulators over random
// shares of them, merged in random order.
func combineShares[In any](rng *rand.Rand, f combiner[In], ins []In) []byte {
	var accs [][]byte
	for len(ins) > 0 {
		n := 1 + rng.IntN(len(ins))
		acc := f.CreateAccumulator()
		for _, in := range ins[:n] {
			acc = f.AddInput(acc, in)
		}
		accs = append(accs, acc)
		ins = ins[n:]
	}
	acc := f.CreateAccumulator()
	for _, i := range rng.Perm(len(accs)) {
		acc = f.MergeAccumulators(acc, accs[i])
	}
	return f.ExtractOutput(acc)
}
