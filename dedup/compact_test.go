package dedup

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Codes are a stored format: known answers. Only the empty minimum has
// EmptyCode.
func TestCode(t *testing.T) {
	for _, tt := range []struct {
		m    uint64
		want uint16
	}{
		{math.MaxUint64, EmptyCode},
		{0, 0x0000},
		{1, 0x5691},
		{1 << 16, 0xceb4},
		{0x1c135126c9198709, 0x36e5},
		{math.MaxUint64 - 1, 0xda26},
	} {
		if got := Code(tt.m); got != tt.want {
			t.Errorf("Code(%#x) = %#x, want %#x", tt.m, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		if m := r.Uint64(); m != math.MaxUint64 && Code(m) == EmptyCode {
			t.Fatalf("Code(%#x) = EmptyCode", m)
		}
	}
}

// The codes of unrelated tiny documents (one word, one shingle: their
// minimums are that shingle's hash functions, linear in the function's
// number) agree as often as CodeCollision says, and none of them is taken
// for a copy of another.
func TestCodeCollisionsOnTinyDocuments(t *testing.T) {
	var cfg Config
	r := rand.New(rand.NewPCG(3, 4))
	const n = 2000
	sk := make([]Sketch, 0, n)
	seen := map[string]bool{}
	for len(sk) < n {
		w := make([]byte, 3+r.IntN(6))
		for i := range w {
			w[i] = byte('a' + r.IntN(26))
		}
		if seen[string(w)] {
			continue
		}
		seen[string(w)] = true
		sk = append(sk, cfg.Sketch(w, nil))
	}
	equal, positions, copies := 0, 0, 0
	for i := range sk {
		for j := range i {
			for p := range sk[i].Sig {
				if sk[i].Sig[p] == sk[j].Sig[p] {
					equal++
				}
			}
			positions += len(sk[i].Sig)
			if cfg.Compare(&sk[i], &sk[j]).Duplicate {
				copies++
			}
		}
	}
	// Two one-word texts whose shingle hashes and steps are close: their
	// leading bits agreed at 68 of 128 positions.
	a, b := cfg.Sketch([]byte("opha"), nil), cfg.Sketch([]byte("dugc"), nil)
	if m := cfg.Compare(&a, &b); m.Duplicate || m.Jaccard > 0.05 {
		t.Errorf("opha and dugc: %+v, want nothing in common", m)
	}
	rate := float64(equal) / float64(positions)
	// 2,000 documents, 256 million positions: about 3,900 chance equal
	// codes, give or take 63.
	t.Logf("%d equal codes in %d positions: %.2e, CodeCollision %.2e; %d copies", equal, positions, rate, CodeCollision, copies)
	if math.Abs(rate-CodeCollision) > 0.1*CodeCollision || copies != 0 {
		t.Errorf("equal-code rate %.2e, want %.2e ± 10%%; %d pairs of unrelated one-word documents taken for copies", rate, CodeCollision, copies)
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
	sa, sb := AppendSignature(nil, a, 256), AppendSignature(nil, b, 256)
	full := Similarity(sa, sb)
	comp := Similarity(sa.AppendCompact(nil), sb.AppendCompact(nil))
	if math.Abs(full-comp) > 2.0/256 {
		t.Errorf("compact similarity %.3f, full %.3f", comp, full)
	}
}
