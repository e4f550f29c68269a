package dedup

import (
	"fmt"
	"math"
	"slices"
)

// Match is the verdict on a pair of documents.
type Match struct {
	// Jaccard is the estimated Jaccard similarity of the content shingle
	// sets.
	Jaccard float64
	// Containment is the estimated share of the smaller document's content
	// shingles that the larger one also has.
	Containment float64
	// NumberAgreement is the share of the number contexts both documents carry in
	// which they also carry the same number, or -1 when the check does not
	// apply (a side without real numbers, or too few shared contexts).
	NumberAgreement float64
	// Duplicate reports whether the two are copies of one article.
	Duplicate bool
	// DifferentNumbers reports that the texts matched but the numbers
	// they carry disagree (template articles), which kept them apart.
	DifferentNumbers bool
	// Aligned describes how the smaller document's text lies in the
	// larger one, for pairs whose overlap alone does not decide.
	Aligned Alignment

	why verdict // what Reason formats
}

// verdict is what decided a Match, kept as figures so that a verdict
// costs no allocation and the text is formatted only when Reason is
// called: the batch verification of millions of candidate pairs, and a
// crawler's rejections, never format it.
type verdict struct {
	rule  rule
	pass2 uint8   // cluster stage: 1 against the center, 2 against its canonical
	bar   float64 // the bar the deciding figure met, or Threshold on a rejection
	ratio float64 // size ratio, smaller over larger
	// contradictions is the number of shared number contexts that disagree.
	contradictions int32
	// member+1 is, in the cluster stage, the member a document verified
	// against when that member is not the center (0: none); inCenter is
	// then the document's containment in the center.
	member   int32
	inCenter float64
	err      error    // ruleInvalid: the Config's error
	hashes   [2]int32 // ruleSignatures: the two signature lengths
}

// rule names the test that decided a Match.
type rule uint8

const (
	ruleNone       rule = iota // a zero Match: no comparison
	ruleInvalid                // the Config is invalid
	ruleSignatures             // signatures of different lengths
	ruleNoContent
	ruleJaccard
	ruleContainment
	ruleLead
	ruleAligned
	ruleTooLow
	ruleOtherEdition
	ruleNumbers
	ruleExact // cluster stage: the same content as a member
)

// Reason says in a few words why the pair is, or is not, a copy: the rule
// that decided and the figures it compared. It formats the text on each
// call.
func (m Match) Reason() string {
	w := &m.why
	var s string
	switch w.rule {
	case ruleNone:
		return ""
	case ruleInvalid:
		s = w.err.Error()
	case ruleSignatures:
		s = fmt.Sprintf("signatures of %d and %d hashes: sketches of different Configs", w.hashes[0], w.hashes[1])
	case ruleNoContent:
		s = "no content"
	case ruleJaccard:
		s = fmt.Sprintf("jaccard %.2f >= %.2f", m.Jaccard, w.bar)
	case ruleContainment:
		s = fmt.Sprintf("containment %.2f >= %.2f at size ratio %.2f", m.Containment, w.bar, w.ratio)
	case ruleLead:
		s = fmt.Sprintf("same lead and containment %.2f >= %.2f (a truncated copy)", m.Containment, w.bar)
	case ruleAligned:
		s = fmt.Sprintf("containment %.2f and %.2f of the smaller text aligned in order in %d runs (longest %d words) >= %.2f (an abridged copy)",
			m.Containment, m.Aligned.Coverage, m.Aligned.Runs, m.Aligned.Longest, minAlignedCoverage)
	case ruleTooLow:
		s = fmt.Sprintf("jaccard %.2f, containment %.2f at size ratio %.2f", m.Jaccard, m.Containment, w.ratio)
		if m.Aligned.Runs > 0 || m.Containment >= minAlignedContainment {
			s += fmt.Sprintf(", %.2f aligned in %d runs (longest %d words)", m.Aligned.Coverage, m.Aligned.Runs, m.Aligned.Longest)
		}
		s += ": too low"
	case ruleOtherEdition:
		s = "same headline with other figures: another edition of a report"
	case ruleNumbers:
		s = fmt.Sprintf("same text but different numbers: %d shared number contexts disagree, %.2f agree", w.contradictions, m.NumberAgreement)
	case ruleExact:
		return "the same content as a member (an exact copy)"
	}
	if w.member > 0 {
		s += fmt.Sprintf(" with member %d; containment %.2f in the center", w.member-1, w.inCenter)
	}
	switch w.pass2 {
	case 1:
		s += " (second pass, against the center)"
	case 2:
		s += " (second pass, against its canonical)"
	}
	return s
}

// minContradictions is the fewest number contexts in which two documents
// must carry different numbers before the number check separates them. A
// copy may differ in one: a wire item re-filed the next day carries the
// new date in its dateline, another outlet stamps its own, an editor
// corrects one figure. A second disagreement is a figure of the report
// itself, and template reports (daily market and rate reports, levies,
// lottery results) differ in the date and two or three figures of the
// five or six they carry. Whether the disagreements weigh enough is then
// a share of the contexts (minNumberAgreement), not a count: in a long
// article two differing figures among twenty are edits.
const minContradictions = 2

// minNumberAgreement is the share of shared number contexts in which a
// copy must carry the same number. A copy carries the same numbers in the
// text it shares with its original (sentences an edit inserted bring new
// contexts, which do not count); template articles (lottery results, price
// tables, daily reports) put different numbers in the same places. Four in
// five leaves room for a reworded sentence that kept its words.
const minNumberAgreement = 0.8

// leadContainment scales Config.Containment for two documents with the
// same lead. A teaser starts like its article and lies inside it whatever
// its size, but a page keeps captions, tags and credits of its own that
// frequency cannot learn, and in a short teaser they weigh more: the
// shared lead is the independent evidence that allows a lower bar.
const leadContainment = 0.85

// minAlignedContainment and minAlignedCoverage are the bars of the rule
// that finds abridged and reproduced copies: an outlet's rendering of
// another's article that dropped paragraphs, merged sentences, gave it a
// new lede, headline or closing line, or a short item reproduced inside a
// longer page. Such a copy shares less than Threshold or Containment
// asks, but what it shares lies in long verbatim runs, in the original's
// order: at least half of the smaller text's shingles lie in the larger
// (minAlignedContainment) and at least seven in ten of its words lie in
// chunks (see chunk) that the larger has in the same order
// (minAlignedCoverage). Chunks count a shared passage from about 20 words
// on, so the names, figures and quoted phrases that two independent
// reports of one event share add little to the coverage; a shared press
// release or background paragraph does, but stays under half of an
// article that has a story of its own. No size ratio applies: the rule
// looks at how much of the smaller text is the larger's, not at how much
// of the larger it is.
const (
	minAlignedContainment = 0.5
	minAlignedCoverage    = 0.7
)

// aligns aligns small's chunks into large's, records the alignment in m
// and reports whether it reaches minAlignedCoverage.
func (c Config) aligns(m *Match, small, large *Sketch) bool {
	if small.cold == nil && large.cold == nil {
		m.Aligned = align(small.chunks, large.chunks, c.ShingleSize)
	} else {
		withChunkBufs(func(bufs *[2]chunkBuf) {
			m.Aligned = align(small.chunksIn(&bufs[0]), large.chunksIn(&bufs[1]), c.ShingleSize)
		})
	}
	return m.Aligned.Coverage >= minAlignedCoverage
}

// Compare decides whether a and b are copies of one article. Sketches must
// come from the same Config: sketches of another signature length, or an
// invalid Config, give no match, with the reason. It does not allocate
// (Match.Reason formats its text when called) and is safe for concurrent
// use.
func (c Config) Compare(a, b *Sketch) Match {
	if err := c.Validate(); err != nil {
		return Match{NumberAgreement: -1, why: verdict{rule: ruleInvalid, err: err}}
	}
	if len(a.sig) != len(b.sig) {
		return Match{NumberAgreement: -1, why: verdict{rule: ruleSignatures, hashes: [2]int32{int32(len(a.sig)), int32(len(b.sig))}}}
	}
	return c.withDefaults().compare(a, b)
}

// matchBars are the bars of compare's rules for one pair, each in the
// figure its rule reads, +Inf where the rule does not apply to the pair:
// the one statement of the match rule, which compare applies and
// cannotMatch (estimate.go) bounds from the signatures alone.
type matchBars struct {
	jaccard     float64 // Jaccard similarity: Threshold
	containment float64 // containment, at a size ratio of at least MinContainedFraction
	lead        float64 // containment, for two documents with the same lead
	aligned     float64 // containment, before the alignment of two texts with chunks
}

// bars returns the bars of a pair; c has its defaults filled in.
func (c Config) bars(a, b *Sketch) matchBars {
	inf := math.Inf(1)
	m := matchBars{jaccard: c.Threshold, containment: inf, lead: inf, aligned: inf}
	if float64(min(a.shingles, b.shingles))/float64(max(a.shingles, b.shingles)) >= c.MinContainedFraction {
		m.containment = c.Containment
	}
	if a.lead != 0 && a.lead == b.lead {
		m.lead = leadContainment * c.Containment
	}
	if a.chunkCount() > 0 && b.chunkCount() > 0 {
		m.aligned = minAlignedContainment
	}
	return m
}

// compare is Compare on a Config with its defaults filled in.
func (c Config) compare(a, b *Sketch) Match {
	m := Match{NumberAgreement: -1}
	if a.shingles == 0 || b.shingles == 0 {
		m.why.rule = ruleNoContent
		return m
	}
	small, large := a, b
	if small.shingles > large.shingles {
		small, large = large, small
	}
	inter := estimateIntersection(a.sig, b.sig, int(a.shingles), int(b.shingles))
	m.Jaccard = jaccardOf(inter, a, b)
	m.Containment = inter / float64(small.shingles)
	ratio := float64(small.shingles) / float64(large.shingles)
	m.why.ratio = ratio
	bar := c.bars(a, b)
	switch {
	case m.Jaccard >= bar.jaccard:
		m.Duplicate = true
		m.why.rule, m.why.bar = ruleJaccard, bar.jaccard
	case m.Containment >= bar.containment:
		m.Duplicate = true
		m.why.rule, m.why.bar = ruleContainment, bar.containment
	case m.Containment >= bar.lead:
		m.Duplicate = true
		m.why.rule, m.why.bar = ruleLead, bar.lead
	case m.Containment >= bar.aligned && c.aligns(&m, small, large):
		m.Duplicate = true
		m.why.rule, m.why.bar = ruleAligned, minAlignedCoverage
	default:
		m.why.rule = ruleTooLow
		return m
	}
	if !c.NoNumberCheck && !a.numbers.masked() && !b.numbers.masked() {
		if otherEdition(a.headline, b.headline) {
			m.Duplicate, m.DifferentNumbers = false, true
			m.why.rule = ruleOtherEdition
			return m
		}
		var contradictions int
		if !a.numbersCold() && !b.numbersCold() {
			m.NumberAgreement, contradictions = numberAgreement(&a.numbers, &b.numbers)
		} else {
			withChunkBufs(func(bufs *[2]chunkBuf) {
				an, bn := a.numbers, b.numbers
				an.Sample, bn.Sample = a.numbersIn(&bufs[0]), b.numbersIn(&bufs[1])
				m.NumberAgreement, contradictions = numberAgreement(&an, &bn)
			})
		}
		if contradictions >= minContradictions && m.NumberAgreement < minNumberAgreement {
			m.Duplicate, m.DifferentNumbers = false, true
			m.why.rule, m.why.contradictions = ruleNumbers, int32(contradictions)
		}
	}
	return m
}

// compareJaccard returns the Jaccard similarity that Compare estimates for a
// and b (0 if either has no content), without deciding anything else: no
// number sample or chunk is read.
func compareJaccard(a, b *Sketch) float64 {
	if a.shingles == 0 || b.shingles == 0 {
		return 0
	}
	return jaccardOf(estimateIntersection(a.sig, b.sig, int(a.shingles), int(b.shingles)), a, b)
}

// jaccardOf returns the Jaccard similarity of a and b from the estimate
// of their intersection.
func jaccardOf(inter float64, a, b *Sketch) float64 {
	return inter / (float64(a.shingles+b.shingles) - inter)
}

// otherEdition reports whether two headlines (Sketch.Headline) have the
// same words and different numbers. A report's headline names its
// edition: the hour of a price table ("COMEX COPPER 1130", "12:30"), the
// day of a market report ("TAPIOCA - APRIL 7", "APRIL 8"), the draw of a
// lottery. A copy keeps its headline's figures, or changes its words too;
// a masked copy has no real numbers, and the check does not apply to it.
func otherEdition(a, b uint32) bool {
	return a>>16 == b>>16 && a&0xffff != 0 && b&0xffff != 0 && a&0xffff != b&0xffff
}

// numberAgreement returns the share of number contexts present in both
// samples in which both carry a common number (-1 if none is shared), and
// the number of shared contexts in which they do not. Contexts above
// either sample's largest (when that sample is truncated) are unknown and
// skipped, so the share is over a uniform sample of contexts.
func numberAgreement(a, b *numberSketch) (float64, int) {
	limit := ^uint16(0)
	for _, n := range []*numberSketch{a, b} {
		if n.Contexts > numberSketchSize && len(n.Sample) > 0 {
			limit = min(limit, n.Sample[len(n.Sample)-1].Context)
		}
	}
	shared, agree := 0, 0
	i, j := 0, 0
	x, y := a.Sample, b.Sample
	for i < len(x) && j < len(y) {
		cx, cy := x[i].Context, y[j].Context
		switch {
		case cx > limit || cy > limit:
			i, j = len(x), len(y)
		case cx < cy:
			i++
		case cx > cy:
			j++
		default:
			// Both have this context: compare its values.
			ei, ej := i, j
			for ei < len(x) && x[ei].Context == cx {
				ei++
			}
			for ej < len(y) && y[ej].Context == cx {
				ej++
			}
			shared++
			for _, u := range x[i:ei] {
				if slices.ContainsFunc(y[j:ej], func(v numberInContext) bool { return v.Value == u.Value }) {
					agree++
					break
				}
			}
			i, j = ei, ej
		}
	}
	if shared == 0 {
		return -1, 0
	}
	return float64(agree) / float64(shared), shared - agree
}
