package dedup_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neardup/neardup/dedup"
)

// Codes keep the order of minimums and tell different minimums apart
// almost always.
func TestCodeOrder(t *testing.T) {
	for _, tt := range []struct {
		m    uint64
		want uint16
	}{
		{math.MaxUint64, dedup.EmptyCode},
		{0, 0},
		{1<<16 - 1, 0},
		{1 << 16, 1 << 10},
		{1 << 17, 2 << 10},
		{1<<63 | 1<<53, 48<<10 | 1},
		{1<<63 | 1<<62, 48<<10 | 512},
		{math.MaxUint64 - 1, 48<<10 | 1023},
	} {
		if got := dedup.Code(tt.m); got != tt.want {
			t.Errorf("Code(%#x) = %#x, want %#x", tt.m, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	same := 0
	const n = 100000
	for range n {
		// Minimums of a few hundred uniform hashes.
		a, b := r.Uint64()>>r.IntN(12), r.Uint64()>>r.IntN(12)
		ca, cb := dedup.Code(a), dedup.Code(b)
		if a < b && ca > cb || a > b && ca < cb {
			t.Fatalf("order lost: %#x %#x -> %#x %#x", a, b, ca, cb)
		}
		if ca == cb && a != b {
			same++
		}
	}
	if same > n/2048 {
		t.Errorf("%d of %d different minimums share a code; want under 1/2048", same, n)
	}
}

func TestCompactSimilarity(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a, b := make([]uint64, 0, 3000), make([]uint64, 0, 3000)
	for i := range 3000 {
		x := r.Uint64()
		if i < 2000 {
			a = append(a, x)
		}
		if i >= 1000 {
			b = append(b, x)
		}
	}
	sa, sb := dedup.AppendSignature(nil, a, 256), dedup.AppendSignature(nil, b, 256)
	full := dedup.Similarity(sa, sb)
	comp := dedup.Similarity(sa.AppendCompact(nil), sb.AppendCompact(nil))
	if math.Abs(full-comp) > 2.0/256 {
		t.Errorf("compact similarity %.3f, full %.3f", comp, full)
	}
}
