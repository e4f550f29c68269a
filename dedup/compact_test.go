package dedup

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Codes are a stored format: known answers. Only the empty minimum has
// emptyCode.
func TestCode(t *testing.T) {
	for _, tt := range []struct {
		m    uint64
		want uint16
	}{
		{math.MaxUint64, emptyCode},
		{0, 0x0000},
		{1, 0x5691},
		{1 << 16, 0xceb4},
		{0x1c135126c9198709, 0x36e5},
		{math.MaxUint64 - 1, 0xda26},
	} {
		if got := code(tt.m); got != tt.want {
			t.Errorf("Code(%#x) = %#x, want %#x", tt.m, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		if m := r.Uint64(); m != math.MaxUint64 && code(m) == emptyCode {
			t.Fatalf("Code(%#x) = EmptyCode", m)
		}
	}
}

// The codes of unrelated tiny documents (one word, one shingle: their
// minimums are that shingle's hash functions, linear in the function's
// number) agree as often as codeCollision says, and none of them is taken
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
		sk = append(sk, cfg.Sketch(w))
	}
	equal, positions, copies := 0, 0, 0
	for i := range sk {
		for j := range i {
			for p := range sk[i].sig {
				if sk[i].sig[p] == sk[j].sig[p] {
					equal++
				}
			}
			positions += len(sk[i].sig)
			if cfg.Compare(&sk[i], &sk[j]).Duplicate {
				copies++
			}
		}
	}
	// Two one-word texts whose shingle hashes and steps are close: their
	// leading bits agreed at 68 of 128 positions.
	a, b := cfg.Sketch([]byte("opha")), cfg.Sketch([]byte("dugc"))
	if m := cfg.Compare(&a, &b); m.Duplicate || m.Jaccard > 0.05 {
		t.Errorf("opha and dugc: %+v, want nothing in common", m)
	}
	rate := float64(equal) / float64(positions)
	// 2,000 documents, 256 million positions: about 3,900 chance equal
	// codes, give or take 63.
	t.Logf("%d equal codes in %d positions: %.2e, CodeCollision %.2e; %d copies", equal, positions, rate, codeCollision, copies)
	if math.Abs(rate-codeCollision) > 0.1*codeCollision || copies != 0 {
		t.Errorf("equal-code rate %.2e, want %.2e ± 10%%; %d pairs of unrelated one-word documents taken for copies", rate, codeCollision, copies)
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
	sa, sb := appendSignature(nil, a, 256), appendSignature(nil, b, 256)
	full := similarity(sa, sb)
	comp := similarity(sa.appendCompact(nil), sb.appendCompact(nil))
	if math.Abs(full-comp) > 2.0/256 {
		t.Errorf("compact similarity %.3f, full %.3f", comp, full)
	}
}
