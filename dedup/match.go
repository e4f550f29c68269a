package dedup

import "fmt"

// Match is the verdict on a pair of documents.
type Match struct {
	// Jaccard is the estimated Jaccard similarity of the content shingle
	// sets.
	Jaccard float64
	// Containment is the estimated share of the smaller document's content
	// shingles that the larger one also has.
	Containment float64
	// Numbers is the estimated share of the number pairs of the document
	// with fewer of them that the other one also has, or -1 when the
	// check does not apply (one side has no real numbers).
	Numbers float64
	// Duplicate reports whether the two are copies of one article.
	Duplicate bool
	// Reason says why, in a few words.
	Reason string
}

// minNumberPairs is the fewest distinct number pairs both documents need
// for the number check: with fewer, a shared date or two decide too much.
const minNumberPairs = 3

// minNumberAgreement is the share of number pairs a copy must keep. Edits
// and teasers keep most numbers of the text they keep; template articles
// (lottery results, price tables) share the wording and few numbers.
const minNumberAgreement = 0.5

// Compare decides whether a and b are copies of one article. Sketches must
// come from the same Config. It is safe for concurrent use.
func (c Config) Compare(a, b *Sketch) Match {
	c = c.withDefaults()
	m := Match{Numbers: -1}
	if a.Shingles == 0 || b.Shingles == 0 {
		m.Reason = "no content"
		return m
	}
	m.Jaccard = Similarity(a.Sig, b.Sig)
	small, large := a, b
	if small.Shingles > large.Shingles {
		small, large = large, small
	}
	// |A∩B| = J(|A|+|B|)/(1+J)
	inter := m.Jaccard * float64(a.Shingles+b.Shingles) / (1 + m.Jaccard)
	m.Containment = min(1, inter/float64(small.Shingles))
	ratio := float64(small.Shingles) / float64(large.Shingles)
	switch {
	case m.Jaccard >= c.Threshold:
		m.Duplicate = true
		m.Reason = fmt.Sprintf("jaccard %.2f >= %.2f", m.Jaccard, c.Threshold)
	case m.Containment >= c.Containment && ratio >= c.MinContainedFraction:
		m.Duplicate = true
		m.Reason = fmt.Sprintf("containment %.2f >= %.2f at size ratio %.2f", m.Containment, c.Containment, ratio)
	default:
		m.Reason = fmt.Sprintf("jaccard %.2f, containment %.2f at size ratio %.2f: too low", m.Jaccard, m.Containment, ratio)
		return m
	}
	if !c.NoNumberCheck && a.Numbers.Real() && b.Numbers.Real() &&
		a.Numbers.Pairs >= minNumberPairs && b.Numbers.Pairs >= minNumberPairs {
		m.Numbers = sampleContainment(&a.Numbers, &b.Numbers)
		if m.Numbers >= 0 && m.Numbers < minNumberAgreement {
			m.Duplicate = false
			m.Reason = fmt.Sprintf("same text but different numbers: %.2f of number pairs shared", m.Numbers)
		}
	}
	return m
}

// sampleContainment estimates the share of the number pairs of the side
// with fewer pairs that the other side has, from the two bottom-k samples:
// below the other sample's largest value (or anywhere, if it holds all its
// pairs) membership in the sample is membership in the set.
func sampleContainment(a, b *Numbers) float64 {
	if a.Pairs > b.Pairs {
		a, b = b, a
	}
	limit := ^uint64(0)
	if b.Pairs > len(b.Sample) {
		limit = b.Sample[len(b.Sample)-1]
	}
	seen, shared := 0, 0
	j := 0
	for _, x := range a.Sample {
		if x > limit {
			break
		}
		seen++
		for j < len(b.Sample) && b.Sample[j] < x {
			j++
		}
		if j < len(b.Sample) && b.Sample[j] == x {
			shared++
		}
	}
	if seen == 0 {
		return -1
	}
	return float64(shared) / float64(seen)
}
