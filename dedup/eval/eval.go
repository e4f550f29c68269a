// Package eval scores a clustering against labelled data with the metrics
// of the neardup dev set's score.py: pairwise precision, recall and F1,
// the adjusted Rand index (overall and per language), canonical accuracy,
// recall by variant kind, and false merges, with template negatives
// counted apart. All functions are pure and safe for concurrent use.
package eval

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Label is the gold annotation of one document.
type Label struct {
	ID      string
	Cluster string // documents with the same Cluster are copies
	// CanonicalOK marks acceptable canonicals (the original and its
	// lossless variants).
	CanonicalOK bool
	// Kind is "original", "distinct", "template_negative", "natural", or a
	// variant kind such as "seg_partial+oneline" (parts joined by "+").
	Kind string
	Lang string
}

// Prediction is the clustering of one document: Cluster is the id of its
// cluster's canonical document.
type Prediction struct {
	ID, Cluster string
	Canonical   bool
}

// Lossless lists the variant kind parts that change no content, as in the
// dev set; a kind is lossless when all its parts are.
var Lossless = map[string]bool{
	"seg_full": true, "seg_partial": true, "seg_real": true, "nfd": true, "tone_old": true,
	"tone_new": true, "oneline": true, "sentence_lines": true, "upper_title": true, "zero_width": true,
}

// Pairwise holds pair-counting scores.
type Pairwise struct {
	Precision, Recall, F1, ARI                  float64
	TruePairs, PredPairs, GoldPairs, FalsePairs int
	Docs                                        int
}

// Recall is a recall count.
type Recall struct{ N, Recalled int }

func (r Recall) Rate() float64 { return float64(r.Recalled) / float64(r.N) }

// Report is the full score.
type Report struct {
	Docs, GoldClusters, GoldSingletons, PredClusters, PredSingletons int
	Pairwise
	ByLang map[string]Pairwise

	CanonicalClusters, CanonicalCorrect, CanonicalGrouped int
	CanonicalFailures                                     map[string]int

	RecallByKind, RecallByPart map[string]Recall

	MixedPredClusters, GoldClustersInMixed, GoldSingletonsMerged int
	MergedByKind, DocsByKind                                     map[string]int
	TemplateDocs, TemplateMerged, TemplatePairsBetween           int
	TemplatePairsTouching                                        int
}

func c2(n int) int { return n * (n - 1) / 2 }

type cell struct{ g, p string }

func pairwise(cont map[cell]int, gs, ps map[string]int, n int) Pairwise {
	var r Pairwise
	for _, v := range cont {
		r.TruePairs += c2(v)
	}
	for _, v := range gs {
		r.GoldPairs += c2(v)
	}
	for _, v := range ps {
		r.PredPairs += c2(v)
	}
	r.Precision, r.Recall = 1, 1
	if r.PredPairs > 0 {
		r.Precision = float64(r.TruePairs) / float64(r.PredPairs)
	}
	if r.GoldPairs > 0 {
		r.Recall = float64(r.TruePairs) / float64(r.GoldPairs)
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	exp := 0.0
	if tot := c2(n); tot > 0 {
		exp = float64(r.GoldPairs) * float64(r.PredPairs) / float64(tot)
	}
	mx := 0.5 * float64(r.GoldPairs+r.PredPairs)
	r.ARI = 1
	if mx != exp {
		r.ARI = (float64(r.TruePairs) - exp) / (mx - exp)
	}
	r.FalsePairs = r.PredPairs - r.TruePairs
	r.Docs = n
	return r
}

// Score compares pred with gold. Every gold id must have exactly one
// prediction and the other way round; each predicted cluster must be
// labelled with the id of its one canonical member.
func Score(gold []Label, pred []Prediction) (*Report, error) {
	gl := make(map[string]Label, len(gold))
	for _, g := range gold {
		if _, dup := gl[g.ID]; dup {
			return nil, fmt.Errorf("duplicate gold id %q", g.ID)
		}
		gl[g.ID] = g
	}
	pc := make(map[string]string, len(pred))
	canon := make(map[string]string)
	for _, p := range pred {
		if _, dup := pc[p.ID]; dup {
			return nil, fmt.Errorf("duplicate predicted id %q", p.ID)
		}
		if _, ok := gl[p.ID]; !ok {
			return nil, fmt.Errorf("predicted id %q is not in the gold data", p.ID)
		}
		pc[p.ID] = p.Cluster
		if p.Canonical {
			if c, dup := canon[p.Cluster]; dup {
				return nil, fmt.Errorf("cluster %q has two canonicals, %q and %q", p.Cluster, c, p.ID)
			}
			canon[p.Cluster] = p.ID
		}
	}
	if len(pc) != len(gl) {
		return nil, fmt.Errorf("%d gold ids but %d predictions", len(gl), len(pc))
	}
	for c, id := range canon {
		if c != id {
			return nil, fmt.Errorf("cluster %q is labelled with another id than its canonical %q", c, id)
		}
	}
	r := &Report{Docs: len(gold), ByLang: map[string]Pairwise{}, CanonicalFailures: map[string]int{},
		RecallByKind: map[string]Recall{}, RecallByPart: map[string]Recall{}, MergedByKind: map[string]int{}, DocsByKind: map[string]int{}}

	cont, gs, ps := map[cell]int{}, map[string]int{}, map[string]int{}
	for _, g := range gold {
		p := pc[g.ID]
		cont[cell{g.Cluster, p}]++
		gs[g.Cluster]++
		ps[p]++
	}
	r.Pairwise = pairwise(cont, gs, ps, len(gold))
	r.GoldClusters, r.PredClusters = len(gs), len(ps)
	for _, v := range gs {
		if v == 1 {
			r.GoldSingletons++
		}
	}
	for _, v := range ps {
		if v == 1 {
			r.PredSingletons++
		}
	}
	langs := map[string]bool{}
	for _, g := range gold {
		langs[g.Lang] = true
	}
	if len(langs) > 1 {
		for lang := range langs {
			c, a, b, n := map[cell]int{}, map[string]int{}, map[string]int{}, 0
			for _, g := range gold {
				if g.Lang == lang {
					c[cell{g.Cluster, pc[g.ID]}]++
					a[g.Cluster]++
					b[pc[g.ID]]++
					n++
				}
			}
			r.ByLang[lang] = pairwise(c, a, b, n)
		}
	}

	// Canonical accuracy.
	orig := map[string]string{}
	for _, g := range gold {
		if g.Kind == "original" {
			if _, ok := orig[g.Cluster]; !ok {
				orig[g.Cluster] = g.ID
			}
		}
	}
	// Each gold cluster's predicted cluster with the most of its
	// documents; ties: the one holding the original, then the smallest
	// label. One pass over the contingency cells, with no map per cluster.
	type choice struct {
		p string
		n int
	}
	best := make(map[string]choice, len(gs))
	for c, v := range cont {
		po := ""
		if o, ok := orig[c.g]; ok {
			po = pc[o]
		}
		b, ok := best[c.g]
		if !ok || v > b.n || v == b.n && ((c.p == po) != (b.p == po) && c.p == po || (c.p == po) == (b.p == po) && c.p < b.p) {
			best[c.g] = choice{c.p, v}
		}
	}
	for g, n := range gs {
		if n < 2 {
			continue
		}
		r.CanonicalClusters++
		b := best[g]
		if b.n < 2 {
			r.CanonicalFailures["not grouped (every predicted cluster holds 1 doc)"]++
			continue
		}
		r.CanonicalGrouped++
		c, ok := canon[b.p]
		switch {
		case !ok:
			r.CanonicalFailures["no canonical"]++
		case gl[c].Cluster != g:
			r.CanonicalFailures["canonical from another gold cluster"]++
		case !gl[c].CanonicalOK:
			r.CanonicalFailures[fmt.Sprintf("canonical is a lossy version (%s)", gl[c].Kind)]++
		default:
			r.CanonicalCorrect++
		}
	}

	// Recall by kind.
	for _, g := range gold {
		if g.Kind == "original" || g.Kind == "distinct" || g.Kind == "template_negative" || gs[g.Cluster] < 2 {
			continue
		}
		o, ok := orig[g.Cluster]
		if !ok {
			continue
		}
		hit := 0
		if pc[g.ID] == pc[o] {
			hit = 1
		}
		add := func(m map[string]Recall, k string) { x := m[k]; x.N++; x.Recalled += hit; m[k] = x }
		add(r.RecallByKind, g.Kind)
		parts := strings.Split(g.Kind, "+")
		seen := map[string]bool{}
		lossless := true
		for _, p := range parts {
			if !seen[p] {
				add(r.RecallByPart, p)
				seen[p] = true
			}
			lossless = lossless && Lossless[p]
		}
		if g.Kind != "natural" {
			if lossless {
				add(r.RecallByPart, "(all lossless)")
			} else {
				add(r.RecallByPart, "(all lossy)")
			}
		}
	}

	// False merges.
	// A predicted cluster is mixed when its cells name two gold clusters.
	firstGold := make(map[string]string, len(ps))
	mixed := map[string]bool{}
	for c := range cont {
		if g, ok := firstGold[c.p]; !ok {
			firstGold[c.p] = c.g
		} else if g != c.g {
			mixed[c.p] = true
		}
	}
	r.MixedPredClusters = len(mixed)
	inMixed := map[string]bool{}
	for c := range cont {
		if mixed[c.p] {
			inMixed[c.g] = true
		}
	}
	r.GoldClustersInMixed = len(inMixed)
	tc, tsz, ntc, ntsz := map[cell]int{}, map[string]int{}, map[cell]int{}, map[string]int{}
	for _, g := range gold {
		p := pc[g.ID]
		r.DocsByKind[g.Kind]++
		if mixed[p] {
			r.MergedByKind[g.Kind]++
			if gs[g.Cluster] == 1 {
				r.GoldSingletonsMerged++
			}
		}
		if g.Kind == "template_negative" {
			tc[cell{g.Cluster, p}]++
			tsz[p]++
			r.TemplateDocs++
		} else {
			ntc[cell{g.Cluster, p}]++
			ntsz[p]++
		}
	}
	r.TemplateMerged = r.MergedByKind["template_negative"]
	r.TemplatePairsBetween = pairwise(tc, nil, tsz, 0).FalsePairs
	nt := pairwise(ntc, nil, ntsz, 0)
	r.TemplatePairsTouching = r.FalsePairs - nt.FalsePairs
	return r, nil
}

// String formats the report like score.py.
func (r *Report) String() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("docs %d | gold clusters %d (%d singletons) | predicted clusters %d (%d singletons)",
		r.Docs, r.GoldClusters, r.GoldSingletons, r.PredClusters, r.PredSingletons)
	w("pairwise  P %.4f  R %.4f  F1 %.4f   ARI %.4f   (true %d / predicted %d / gold %d pairs)",
		r.Precision, r.Recall, r.F1, r.ARI, r.TruePairs, r.PredPairs, r.GoldPairs)
	for _, lang := range slices.Sorted(maps.Keys(r.ByLang)) {
		d := r.ByLang[lang]
		w("  lang %-3s P %.4f  R %.4f  F1 %.4f   ARI %.4f   (%d docs)", lang, d.Precision, d.Recall, d.F1, d.ARI, d.Docs)
	}
	acc, accG := 1.0, 0.0
	if r.CanonicalClusters > 0 {
		acc = float64(r.CanonicalCorrect) / float64(r.CanonicalClusters)
	}
	if r.CanonicalGrouped > 0 {
		accG = float64(r.CanonicalCorrect) / float64(r.CanonicalGrouped)
	}
	w("canonical accuracy %.4f (%d/%d gold clusters with >=2 docs); among the %d grouped at all: %.4f",
		acc, r.CanonicalCorrect, r.CanonicalClusters, r.CanonicalGrouped, accG)
	fails := slices.Collect(maps.Keys(r.CanonicalFailures))
	slices.SortFunc(fails, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.CanonicalFailures[b], r.CanonicalFailures[a]), cmp.Compare(a, b))
	})
	for _, k := range fails {
		w("  failure: %-45s %d", k, r.CanonicalFailures[k])
	}
	w("false merges: %d false pairs; %d predicted clusters mix %d gold clusters; %d gold singletons merged",
		r.FalsePairs, r.MixedPredClusters, r.GoldClustersInMixed, r.GoldSingletonsMerged)
	w("template_negative: %d docs, %d falsely merged, %d false pairs between templates, %d false pairs touching templates",
		r.TemplateDocs, r.TemplateMerged, r.TemplatePairsBetween, r.TemplatePairsTouching)
	var merged []string
	for _, k := range slices.Sorted(maps.Keys(r.DocsByKind)) {
		if r.MergedByKind[k] > 0 || k == "template_negative" || k == "distinct" {
			merged = append(merged, k)
		}
	}
	if len(merged) > 0 {
		w("docs in clusters that mix gold clusters, by kind:")
		for _, k := range merged {
			w("  %-34s %5d / %5d  (%.3f)", k, r.MergedByKind[k], r.DocsByKind[k], float64(r.MergedByKind[k])/float64(r.DocsByKind[k]))
		}
	}
	w("recall by kind (variant in the same predicted cluster as its original):")
	for _, k := range slices.Sorted(maps.Keys(r.RecallByKind)) {
		x := r.RecallByKind[k]
		w("  %-34s %.3f  (%d/%d)", k, x.Rate(), x.Recalled, x.N)
	}
	w("recall by kind part (over every variant containing it):")
	for _, k := range slices.Sorted(maps.Keys(r.RecallByPart)) {
		x := r.RecallByPart[k]
		w("  %-34s %.3f  (%d/%d)", k, x.Rate(), x.Recalled, x.N)
	}
	return b.String()
}
