package pipeline

import (
	"math/rand/v2"
	"testing"
)

// keyCountFn with Keep > 0 is a Misra–Gries summary however a runner
// splits and merges a bucket: of N filings, it keeps at most Keep keys,
// every key with more than N/(Keep+1) filings among them, each count
// short by at most what the summary dropped over Keep+1, and never over;
// with at most Keep keys, the counts are exact. Its accumulators hold at
// most Keep keys too.
func TestKeyCountSummary(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 43))
	for round := range 40 {
		keep := 1 + rng.IntN(300)
		distinct := 1 + rng.IntN(3*keep)
		var filings [][]byte
		want := map[keyCount]uint64{} // key (n 0) -> filings
		n := 0
		for range rng.IntN(30) {
			var b []byte
			for range rng.IntN(400) {
				// A few heavy keys among many light ones, as a bucket
				// holds a huge key among normal ones.
				k := rng.IntN(distinct)
				if rng.IntN(4) == 0 {
					k = rng.IntN(3)
				}
				e := filed{Band: int64(k % 7), Hash: uint64(k) * 0x9e3779b97f4a7c15}
				b = e.append(b)
				want[keyCount{band: uint32(e.Band), hash: e.Hash}]++
				n++
			}
			filings = append(filings, b)
		}
		// What a runner ships, precombined, holds at most Keep keys.
		kc := &keyCountFn{Keep: keep}
		var accs [][]byte
		for _, b := range filings {
			accs = append(accs, kc.AddInput(kc.CreateAccumulator(), b))
		}
		if len(accs) > 1 {
			accs = append(accs, kc.MergeAccumulators(accs[0], accs[1]))
		}
		for _, acc := range accs {
			if n := (len(acc) - 8) / keyCountSize; n > keep {
				t.Fatalf("round %d: an accumulator of %d records, keep %d", round, n, keep)
			}
		}
		out := combineShares(rng, &keyCountFn{Keep: keep}, filings)
		if len(out)%keyCountSize != 0 {
			t.Fatalf("round %d: %d bytes of counts", round, len(out))
		}
		got := map[keyCount]uint64{}
		for b := out; len(b) > 0; b = b[keyCountSize:] {
			k := readKeyCount(b)
			got[keyCount{band: k.band, hash: k.hash}] = k.n
		}
		if len(got) > keep || len(got) != len(out)/keyCountSize {
			t.Fatalf("round %d: %d records, %d keys, keep %d", round, len(out)/keyCountSize, len(got), keep)
		}
		// Each step of the summary takes c from at least Keep+1 counts,
		// c at most from any: a count is short by at most what the
		// summary lost, over Keep+1 (Agarwal et al.'s bound, which is
		// N/(Keep+1) at most).
		var kept uint64
		for _, g := range got {
			kept += g
		}
		slack := (uint64(n) - kept) / uint64(keep+1)
		if len(want) <= keep && kept != uint64(n) {
			t.Errorf("round %d: %d keys, keep %d: %d of %d filings counted", round, len(want), keep, kept, n)
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok && w > slack {
				t.Errorf("round %d: key %x of %d filings dropped (N %d, keep %d)", round, k.hash, w, n, keep)
			}
			if ok && (g > w || g+slack < w) {
				t.Errorf("round %d: key %x counted %d, has %d (slack %d)", round, k.hash, g, w, slack)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("round %d: key %x counted but never filed", round, k.hash)
			}
		}
	}
}
