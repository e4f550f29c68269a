package dedup

import (
	"cmp"
	"slices"
)

const (
	// maskedNumbersFactor weighs a copy whose numbers and punctuation were
	// masked: it keeps every word but loses figures, dates and sentence
	// structure, a tenth of what a reader needs by our estimate.
	maskedNumbersFactor = 0.9
	// accentFreeFactor weighs a Vietnamese copy without diacritics: every
	// word is there but each syllable is ambiguous (ma/má/mà/mả/mã/mạ);
	// it still beats a copy missing a third of the text.
	accentFreeFactor = 0.8
	// accentedRatio: a member counts as accent-free when the share of its
	// words with diacritics is under half the cluster's highest share;
	// accented Vietnamese has diacritics on most syllables, English on
	// almost none, so halves separate the two whatever the language.
	accentedRatio = 0.5
)

// score ranks the members of a cluster, best first; sketch returns the
// sketch of document i (an element of the corpus's []Sketch, or of the
// result's Docs once they hold the sketches).
func (c Config) score(members []int, sketch func(i int) *Sketch) []Score {
	scores := make([]Score, len(members))
	if len(members) == 1 {
		scores[0] = Score{Doc: members[0], Total: 1, Coverage: 1, NumberFactor: 1, DiacriticFactor: 1, ContentShare: boilerShare(sketch(members[0]))}
		return scores
	}
	// Coverage: Σ_j |S_j ∩ S_m| / Σ_j |S_j| over the members j (m among
	// them), the share of the cluster's content that m carries with each
	// shingle weighted by the number of members that carry it. A large
	// cluster is measured against an even sample of maxScoreReferences of
	// its members, which keeps scoring linear in its size.
	refs := members
	if len(refs) > maxScoreReferences {
		refs = make([]int, maxScoreReferences)
		for k := range refs {
			refs[k] = members[k*len(members)/maxScoreReferences]
		}
	}
	total := 0.0
	for _, j := range refs {
		total += float64(sketch(j).shingles)
	}
	anyReal := false
	maxMarked := 0.0
	for _, m := range members {
		s := sketch(m)
		anyReal = anyReal || s.numbers.hasReal()
		maxMarked = max(maxMarked, markedShare(s))
	}
	for k, m := range members {
		s := sketch(m)
		carried := 0.0
		for _, j := range refs {
			if j == m {
				carried += float64(s.shingles)
			} else {
				carried += estimateIntersection(sketch(j).sig, s.sig, int(sketch(j).shingles), int(s.shingles))
			}
		}
		sc := Score{Doc: m, NumberFactor: 1, DiacriticFactor: 1, ContentShare: boilerShare(s)}
		if total > 0 {
			sc.Coverage = carried / total
		}
		if anyReal && s.numbers.masked() {
			sc.NumberFactor = maskedNumbersFactor
		}
		if markedShare(s) < accentedRatio*maxMarked {
			sc.DiacriticFactor = accentFreeFactor
		}
		sc.Total = sc.Coverage * sc.NumberFactor * sc.DiacriticFactor * sc.ContentShare
		scores[k] = sc
	}
	slices.SortFunc(scores, func(a, b Score) int {
		if c := cmp.Compare(b.Total, a.Total); c != 0 {
			return c
		}
		if c := cmp.Compare(sketch(a.Doc).retyped, sketch(b.Doc).retyped); c != 0 {
			return c // the same text, typed more cleanly
		}
		if c := cmp.Compare(sketch(b.Doc).words, sketch(a.Doc).words); c != 0 {
			return c
		}
		if c := cmp.Compare(sketch(b.Doc).numbers.Count, sketch(a.Doc).numbers.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Doc, b.Doc)
	})
	return scores
}

// maxScoreReferences is how many members a cluster's coverage scores are
// measured against: all of them up to 64, an even sample beyond, where
// the share of content each member carries is already settled.
const maxScoreReferences = 64

func markedShare(s *Sketch) float64 {
	if s.words == 0 {
		return 0
	}
	return float64(s.marked) / float64(s.words)
}

func boilerShare(s *Sketch) float64 {
	if s.words+s.boilerplateWords == 0 {
		return 1
	}
	return float64(s.words) / float64(s.words+s.boilerplateWords)
}
