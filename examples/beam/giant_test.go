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

		// The runner's way: accumulators over random shares, merged in
		// random order.
		f := &anchorFn{Keep: keep}
		var accs [][]byte
		for len(cands) > 0 {
			n := 1 + rng.IntN(len(cands))
			acc := f.CreateAccumulator()
			for _, c := range cands[:n] {
				b := binary.LittleEndian.AppendUint64(nil, c.rank)
				acc = f.AddInput(acc, binary.LittleEndian.AppendUint64(b, c.pos))
			}
			accs = append(accs, acc)
			cands = cands[n:]
		}
		acc := f.CreateAccumulator()
		for _, i := range rng.Perm(len(accs)) {
			acc = f.MergeAccumulators(acc, accs[i])
		}
		var got []cand
		for b := f.ExtractOutput(acc); len(b) >= anchorSize; b = b[anchorSize:] {
			got = append(got, cand{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])})
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(cand{})); diff != "" {
			t.Fatalf("round %d, keep %d: anchors (-want +got):\n%s", round, keep, diff)
		}

		s := &sizeCountFn{}
		var sizeAccs [][]byte
		for len(sizes) > 0 {
			n := 1 + rng.IntN(len(sizes))
			a := s.CreateAccumulator()
			for _, k := range sizes[:n] {
				a = s.AddInput(a, k)
			}
			sizeAccs = append(sizeAccs, a)
			sizes = sizes[n:]
		}
		sa := s.CreateAccumulator()
		for _, i := range rng.Perm(len(sizeAccs)) {
			sa = s.MergeAccumulators(sa, sizeAccs[i])
		}
		gotCounts := map[uint64]uint64{}
		for b := s.ExtractOutput(sa); len(b) >= keyCountSize; b = b[keyCountSize:] {
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
