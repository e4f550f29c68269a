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

// pairwise returns the pair-counting scores of n documents with these
// counts of pairs: in the same gold and predicted cluster (true), in the
// same gold cluster, in the same predicted cluster.
func pairwise(truePairs, goldPairs, predPairs, n int) Pairwise {
	r := Pairwise{TruePairs: truePairs, GoldPairs: goldPairs, PredPairs: predPairs, Docs: n}
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
	return r
}

// cell packs a gold cluster and a predicted cluster, by number: sorted,
// the cells of a document set list the contingency table's cells in
// gold cluster order, each as a run.
func cell(g, p int32) uint64 { return uint64(g)<<32 | uint64(uint32(p)) }

// cellRuns calls f with each distinct cell of sorted and its count.
func cellRuns(sorted []uint64, f func(g, p int32, n int)) {
	for lo := 0; lo < len(sorted); {
		hi := lo + 1
		for hi < len(sorted) && sorted[hi] == sorted[lo] {
			hi++
		}
		f(int32(sorted[lo]>>32), int32(uint32(sorted[lo])), hi-lo)
		lo = hi
	}
}

// setPairs returns the pairs of documents that share a set, given the
// sets' sizes.
func setPairs(sizes []int32) int {
	n := 0
	for _, v := range sizes {
		n += c2(int(v))
	}
	return n
}

// cellPairs sorts cells and returns the pairs of documents that share a
// cell.
func cellPairs(cells []uint64) int {
	slices.Sort(cells)
	n := 0
	cellRuns(cells, func(_, _ int32, k int) { n += c2(k) })
	return n
}

// interner numbers strings in order of first appearance.
type interner struct {
	ids   map[string]int32
	names []string
}

func (in *interner) id(s string) int32 {
	if k, ok := in.ids[s]; ok {
		return k
	}
	if in.ids == nil {
		in.ids = make(map[string]int32)
	}
	k := int32(len(in.names))
	in.ids[s] = k
	in.names = append(in.names, s)
	return k
}

// Score compares pred with gold. Every gold id must have exactly one
// prediction and the other way round; each predicted cluster must be
// labelled with the id of its one canonical member.
//
// It numbers ids, clusters, kinds and languages once and counts on
// arrays of those numbers: 10^5 labelled documents are scored in about
// 35 ms with about 190 bytes a document besides the labels (the id map
// and the gold cluster names' map most of it; BenchmarkScore), 10^7 in
// seconds. It refuses 2^30 documents or more (predicted clusters are
// numbered in int32 beyond the documents).
// Each language's scores take a pass over all documents: a few
// languages are cheap, thousands would not be.
func Score(gold []Label, pred []Prediction) (*Report, error) {
	n := len(gold)
	if n >= 1<<30 {
		return nil, fmt.Errorf("%d gold ids, over %d", n, 1<<30-1)
	}
	at := make(map[string]int32, n) // gold id -> position
	for i, g := range gold {
		if _, dup := at[g.ID]; dup {
			return nil, fmt.Errorf("duplicate gold id %q", g.ID)
		}
		at[g.ID] = int32(i)
	}
	// A predicted cluster is numbered by the position of the gold id
	// that labels it, or from n on when its label is no gold id.
	var others interner
	label := func(p int32) string {
		if p < int32(n) {
			return gold[p].ID
		}
		return others.names[p-int32(n)]
	}
	pc := make([]int32, n) // position -> predicted cluster
	for i := range pc {
		pc[i] = -1
	}
	// The canonical of each predicted cluster: by the cluster's number,
	// plus one, for clusters labelled with a gold id; in a map for the
	// others, which the check below refuses.
	canonAt := make([]int32, n)
	otherCanon := map[int32]int32{}
	predicted := 0
	for _, p := range pred {
		i, ok := at[p.ID]
		switch {
		case ok && pc[i] >= 0:
			return nil, fmt.Errorf("duplicate predicted id %q", p.ID)
		case !ok:
			return nil, fmt.Errorf("predicted id %q is not in the gold data", p.ID)
		}
		c, ok := at[p.Cluster]
		if !ok {
			c = int32(n) + others.id(p.Cluster)
		}
		pc[i] = c
		predicted++
		if !p.Canonical {
			continue
		}
		var prev int32
		var dup bool
		if c < int32(n) {
			prev, dup = canonAt[c]-1, canonAt[c] > 0
		} else {
			prev, dup = otherCanon[c]
		}
		if dup {
			return nil, fmt.Errorf("cluster %q has two canonicals, %q and %q", p.Cluster, gold[prev].ID, p.ID)
		}
		if c < int32(n) {
			canonAt[c] = i + 1
		} else {
			otherCanon[c] = i
		}
	}
	if predicted != n {
		return nil, fmt.Errorf("%d gold ids but %d predictions", n, predicted)
	}
	for c, v := range canonAt {
		if v > 0 && v-1 != int32(c) {
			return nil, fmt.Errorf("cluster %q is labelled with another id than its canonical %q", label(int32(c)), gold[v-1].ID)
		}
	}
	if len(otherCanon) > 0 {
		c := slices.Min(slices.Collect(maps.Keys(otherCanon)))
		return nil, fmt.Errorf("cluster %q is labelled with another id than its canonical %q", label(c), gold[otherCanon[c]].ID)
	}
	clusters := int32(n + len(others.names)) // predicted cluster numbers
	// canonOf returns the canonical position of predicted cluster p, or
	// -1 if it has none: after the checks above, a canonical labels its
	// cluster.
	canonOf := func(p int32) int32 {
		if p < int32(n) && canonAt[p] > 0 {
			return p
		}
		return -1
	}

	var golds, kinds, langs interner
	gc := make([]int32, n)   // position -> gold cluster
	kind := make([]int32, n) // position -> kind
	lang := make([]int32, n) // position -> language
	for i, g := range gold {
		gc[i], kind[i], lang[i] = golds.id(g.Cluster), kinds.id(g.Kind), langs.id(g.Lang)
	}
	gs := make([]int32, len(golds.names)) // gold cluster sizes
	ps := make([]int32, clusters)         // predicted cluster sizes
	cells := make([]uint64, n)
	for i := range n {
		gs[gc[i]]++
		ps[pc[i]]++
		cells[i] = cell(gc[i], pc[i])
	}
	r := &Report{Docs: n, ByLang: map[string]Pairwise{}, CanonicalFailures: map[string]int{},
		RecallByKind: map[string]Recall{}, RecallByPart: map[string]Recall{}, MergedByKind: map[string]int{}, DocsByKind: map[string]int{}}
	// cells stays sorted: the passes below read it cell by cell.
	r.Pairwise = pairwise(cellPairs(cells), setPairs(gs), setPairs(ps), n)
	r.GoldClusters = len(gs)
	for _, v := range gs {
		if v == 1 {
			r.GoldSingletons++
		}
	}
	for _, v := range ps {
		if v > 0 {
			r.PredClusters++
		}
		if v == 1 {
			r.PredSingletons++
		}
	}
	// subsetPairs counts, over the documents keep selects, the pairs in
	// one cell, in one gold cluster and in one predicted cluster, and the
	// documents: pairwise's arguments for a subset (a language, the
	// template negatives and the rest).
	a, b := make([]int32, len(gs)), make([]int32, clusters)
	var c []uint64
	subsetPairs := func(keep func(i int) bool) (truePairs, goldPairs, predPairs, docs int) {
		clear(a)
		clear(b)
		c = c[:0]
		for i := range n {
			if keep(i) {
				c = append(c, cell(gc[i], pc[i]))
				a[gc[i]]++
				b[pc[i]]++
			}
		}
		return cellPairs(c), setPairs(a), setPairs(b), len(c)
	}
	if len(langs.names) > 1 {
		for l, name := range langs.names {
			r.ByLang[name] = pairwise(subsetPairs(func(i int) bool { return lang[i] == int32(l) }))
		}
	}

	// Canonical accuracy.
	orig := make([]int32, len(gs)) // gold cluster -> its first original, or -1
	for i := range orig {
		orig[i] = -1
	}
	for i, g := range gold {
		if g.Kind == "original" && orig[gc[i]] < 0 {
			orig[gc[i]] = int32(i)
		}
	}
	// Each gold cluster's predicted cluster with the most of its
	// documents; ties: the one holding the original, then the smallest
	// label. One pass over the contingency cells (cells, sorted).
	type choice struct {
		p int32
		n int
	}
	best := make([]choice, len(gs))
	for i := range best {
		best[i].p = -1
	}
	cellRuns(cells, func(g, p int32, v int) {
		po := int32(-1)
		if o := orig[g]; o >= 0 {
			po = pc[o]
		}
		b := best[g]
		if b.p < 0 || v > b.n || v == b.n && ((p == po) != (b.p == po) && p == po || (p == po) == (b.p == po) && label(p) < label(b.p)) {
			best[g] = choice{p, v}
		}
	})
	for g, size := range gs {
		if size < 2 {
			continue
		}
		r.CanonicalClusters++
		b := best[g]
		if b.n < 2 {
			r.CanonicalFailures["not grouped (every predicted cluster holds 1 doc)"]++
			continue
		}
		r.CanonicalGrouped++
		c := canonOf(b.p)
		switch {
		case c < 0:
			r.CanonicalFailures["no canonical"]++
		case gc[c] != int32(g):
			r.CanonicalFailures["canonical from another gold cluster"]++
		case !gold[c].CanonicalOK:
			r.CanonicalFailures[fmt.Sprintf("canonical is a lossy version (%s)", gold[c].Kind)]++
		default:
			r.CanonicalCorrect++
		}
	}

	// Recall by kind, counted by kind number and then spread over each
	// kind's parts.
	recall := make([]Recall, len(kinds.names))
	for i, g := range gold {
		if g.Kind == "original" || g.Kind == "distinct" || g.Kind == "template_negative" || gs[gc[i]] < 2 {
			continue
		}
		o := orig[gc[i]]
		if o < 0 {
			continue
		}
		x := &recall[kind[i]]
		x.N++
		if pc[i] == pc[o] {
			x.Recalled++
		}
	}
	add := func(m map[string]Recall, k string, v Recall) {
		x := m[k]
		x.N += v.N
		x.Recalled += v.Recalled
		m[k] = x
	}
	for k, name := range kinds.names {
		v := recall[k]
		if v.N == 0 {
			continue
		}
		add(r.RecallByKind, name, v)
		parts := strings.Split(name, "+")
		seen := map[string]bool{}
		lossless := true
		for _, p := range parts {
			if !seen[p] {
				add(r.RecallByPart, p, v)
				seen[p] = true
			}
			lossless = lossless && Lossless[p]
		}
		if name != "natural" {
			if lossless {
				add(r.RecallByPart, "(all lossless)", v)
			} else {
				add(r.RecallByPart, "(all lossy)", v)
			}
		}
	}

	// False merges.
	// A predicted cluster is mixed when its cells name two gold clusters.
	firstGold := make([]int32, clusters)
	for i := range firstGold {
		firstGold[i] = -1
	}
	mixed := make([]bool, clusters)
	cellRuns(cells, func(g, p int32, _ int) {
		if f := firstGold[p]; f < 0 {
			firstGold[p] = g
		} else if f != g && !mixed[p] {
			mixed[p] = true
			r.MixedPredClusters++
		}
	})
	inMixed := make([]bool, len(gs))
	cellRuns(cells, func(g, p int32, _ int) {
		if mixed[p] && !inMixed[g] {
			inMixed[g] = true
			r.GoldClustersInMixed++
		}
	})
	docs, merged := make([]int, len(kinds.names)), make([]int, len(kinds.names))
	for i := range n {
		docs[kind[i]]++
		if mixed[pc[i]] {
			merged[kind[i]]++
			if gs[gc[i]] == 1 {
				r.GoldSingletonsMerged++
			}
		}
	}
	for k, name := range kinds.names {
		r.DocsByKind[name] += docs[k]
		if merged[k] > 0 {
			r.MergedByKind[name] += merged[k]
		}
	}
	template := func(i int) bool { return gold[i].Kind == "template_negative" }
	r.TemplateDocs = r.DocsByKind["template_negative"]
	r.TemplateMerged = r.MergedByKind["template_negative"]
	truePairs, _, predPairs, _ := subsetPairs(template)
	r.TemplatePairsBetween = predPairs - truePairs
	truePairs, _, predPairs, _ = subsetPairs(func(i int) bool { return !template(i) })
	r.TemplatePairsTouching = r.FalsePairs - (predPairs - truePairs)
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
