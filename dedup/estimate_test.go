package dedup

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomSets returns A and B with |A| = na, |B| = nb and |A∩B| = inter.
func randomSets(r *rand.Rand, na, nb, inter int) (a, b []uint64) {
	for range inter {
		x := r.Uint64()
		a, b = append(a, x), append(b, x)
	}
	for range na - inter {
		a = append(a, r.Uint64())
	}
	for range nb - inter {
		b = append(b, r.Uint64())
	}
	return a, b
}

func TestEstimateIntersectionExact(t *testing.T) {
	a, b := randomSets(rand.New(rand.NewPCG(1, 2)), 200, 200, 200)
	sa, sb := appendSignature(nil, a, 128), appendSignature(nil, b, 128)
	if got := estimateIntersection(sa, sb, 200, 200); got != 200 {
		t.Errorf("identical sets: %v, want 200", got)
	}
	a, b = randomSets(rand.New(rand.NewPCG(1, 2)), 200, 200, 0)
	sa, sb = appendSignature(nil, a, 128), appendSignature(nil, b, 128)
	if got := estimateIntersection(sa, sb, 200, 200); got > 10 {
		t.Errorf("disjoint sets: %v, want about 0", got)
	}
	if got := estimateIntersection(sa, sb, 0, 200); got != 0 {
		t.Errorf("empty set: %v, want 0", got)
	}
}

// The estimate from compact codes is unbiased, its collisions accounted
// for, and as precise as the one from full minimums: its error is the
// sampling error √(J(1−J)/k) of the Jaccard similarity, carried to the
// intersection.
func TestEstimateIntersectionError(t *testing.T) {
	for _, tt := range []struct{ na, nb, inter int }{
		{150, 450, 130},
		{100, 500, 60},
		{300, 450, 230},
		{400, 400, 300},
		{200, 200, 0},
	} {
		r := rand.New(rand.NewPCG(uint64(tt.na), uint64(tt.inter)))
		var sumFull, sumCompact, seCompact float64
		const trials, k = 400, 128
		for range trials {
			a, b := randomSets(r, tt.na, tt.nb, tt.inter)
			sa, sb := appendSignature(nil, a, k), appendSignature(nil, b, k)
			full := estimateIntersection(sa, sb, tt.na, tt.nb)
			compact := estimateIntersection(sa.appendCompact(nil), sb.appendCompact(nil), tt.na, tt.nb)
			sumFull += full
			sumCompact += compact
			seCompact += math.Pow(compact-float64(tt.inter), 2)
		}
		j := float64(tt.inter) / float64(tt.na+tt.nb-tt.inter)
		// dx/dJ at J, times the standard error of J, and a floor for J = 0
		// (one equal position is 1/k).
		want := max(math.Sqrt(j*(1-j)/k), 1.0/k) * float64(tt.na+tt.nb) / ((1 + j) * (1 + j))
		rmse := math.Sqrt(seCompact / trials)
		bias := sumCompact/trials - float64(tt.inter)
		t.Logf("|A|=%d |B|=%d |A∩B|=%d: compact mean %.1f (full %.1f), RMSE %.1f, theory %.1f", tt.na, tt.nb, tt.inter,
			sumCompact/trials, sumFull/trials, rmse, want)
		if math.Abs(bias) > 0.25*want+1 || rmse > 1.3*want+1 || math.Abs(sumCompact-sumFull)/trials > 0.2*want+1 {
			t.Errorf("|A|=%d |B|=%d |A∩B|=%d: bias %.1f, RMSE %.1f against %.1f in theory", tt.na, tt.nb, tt.inter, bias, rmse, want)
		}
	}
}

// countEqual on codes counts, four codes a word, what a code-by-code
// comparison counts: lengths around the words, slices that start at any
// code, codes that differ in one bit (the lanes' high and low bits), and
// empty codes on one side or both.
func TestCountEqualCodes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pick := []uint16{0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFE, emptyCode}
	code := func() uint16 {
		if r.IntN(2) == 0 {
			return pick[r.IntN(len(pick))]
		}
		return uint16(r.Uint32())
	}
	for range 2000 {
		n, off := r.IntN(140), r.IntN(4)
		a, b := make([]uint16, off+n), make([]uint16, off+n)
		for i := range a {
			a[i] = code()
			switch r.IntN(3) {
			case 0:
				b[i] = a[i]
			case 1:
				b[i] = a[i] ^ 1<<r.IntN(16)
			default:
				b[i] = code()
			}
		}
		a, b = a[off:], b[off:]
		want := 0
		for i := range a {
			if a[i] == b[i] && a[i] != emptyCode {
				want++
			}
		}
		if got := countEqual(a, b); got != want {
			t.Fatalf("countEqual(%v, %v) = %d, want %d", a, b, got, want)
		}
	}
}

// BenchmarkCountEqual compares 128-code signatures of which about half
// the codes agree, as in the pairs verification looks at: 256 pairs in
// turn, so that a branch predictor cannot learn one pair's pattern.
func BenchmarkCountEqual(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	var xs, ys [256][]uint16
	for p := range xs {
		x, y := make([]uint16, 128), make([]uint16, 128)
		for i := range x {
			x[i], y[i] = uint16(r.Uint32()), uint16(r.Uint32())
			if r.IntN(2) == 0 {
				y[i] = x[i]
			}
		}
		xs[p], ys[p] = x, y
	}
	b.SetBytes(2 * 128)
	n, p := 0, 0
	for b.Loop() {
		n += countEqual(xs[p], ys[p])
		p = (p + 1) % len(xs)
	}
	if n < 0 {
		b.Fatal(n)
	}
}
