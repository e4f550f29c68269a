package dedup_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neardup/neardup/dedup"
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
	sa, sb := dedup.AppendSignature(nil, a, 128), dedup.AppendSignature(nil, b, 128)
	if got := dedup.EstimateIntersection(sa, sb, 200, 200); got != 200 {
		t.Errorf("identical sets: %v, want 200", got)
	}
	a, b = randomSets(rand.New(rand.NewPCG(1, 2)), 200, 200, 0)
	sa, sb = dedup.AppendSignature(nil, a, 128), dedup.AppendSignature(nil, b, 128)
	if got := dedup.EstimateIntersection(sa, sb, 200, 200); got > 10 {
		t.Errorf("disjoint sets: %v, want about 0", got)
	}
	if got := dedup.EstimateIntersection(sa, sb, 0, 200); got != 0 {
		t.Errorf("empty set: %v, want 0", got)
	}
}

// The maximum likelihood estimate of the containment of a small set in a
// large one has a clearly smaller error than the one derived from the
// share of equal minimums, and is not worse on sets of equal size.
func TestEstimateIntersectionBeatsJaccard(t *testing.T) {
	for _, tt := range []struct {
		na, nb, inter int
		gain          float64 // the MLE's RMSE at most this share of the other's
	}{
		{150, 450, 130, 0.75},
		{100, 500, 60, 0.85},
		{300, 450, 230, 0.95},
		{400, 400, 300, 1.05},
	} {
		r := rand.New(rand.NewPCG(uint64(tt.na), uint64(tt.inter)))
		var seMLE, seJ float64
		const trials = 300
		for range trials {
			a, b := randomSets(r, tt.na, tt.nb, tt.inter)
			sa, sb := dedup.AppendSignature(nil, a, 128), dedup.AppendSignature(nil, b, 128)
			mle := dedup.EstimateIntersection(sa, sb, tt.na, tt.nb)
			j := dedup.Similarity(sa, sb)
			textbook := j * float64(tt.na+tt.nb) / (1 + j)
			seMLE += math.Pow(mle-float64(tt.inter), 2)
			seJ += math.Pow(textbook-float64(tt.inter), 2)
		}
		rmseMLE, rmseJ := math.Sqrt(seMLE/trials), math.Sqrt(seJ/trials)
		t.Logf("|A|=%d |B|=%d |A∩B|=%d: RMSE %.1f (MLE) vs %.1f (Jaccard)", tt.na, tt.nb, tt.inter, rmseMLE, rmseJ)
		if rmseMLE > tt.gain*rmseJ {
			t.Errorf("|A|=%d |B|=%d |A∩B|=%d: RMSE %.1f, want at most %.2f × %.1f", tt.na, tt.nb, tt.inter, rmseMLE, tt.gain, rmseJ)
		}
	}
}
