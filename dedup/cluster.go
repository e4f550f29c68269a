package dedup

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// Doc is one document of a batch.
type Doc struct {
	ID   string
	Text []byte
}

// Clustering is the result of Config.Cluster.
type Clustering struct {
	// Docs has one entry per input document, in input order.
	Docs []DocResult
	// Clusters lists the clusters in the input order of their first
	// member; singletons included.
	Clusters []Cluster
	// BoilerplateLines is the number of distinct lines learned as
	// boilerplate; BoilerplateDocs the number of documents that had some.
	BoilerplateLines, BoilerplateDocs int
}

// DocResult is the outcome for one document.
type DocResult struct {
	ID string
	// ClusterIndex is the index of the document's cluster in Clustering.Clusters.
	ClusterIndex int
	// Canonical reports whether the document is its cluster's canonical.
	Canonical bool
	// Similarity is the estimated Jaccard similarity of the document's
	// content to the canonical's (1 for the canonical itself).
	Similarity float64
	// Match is the verdict that put the document in its cluster, against
	// the cluster's center (the member with the most content); zero for
	// the center.
	Match Match
	// Sketch is the document's sketch, boilerplate left out.
	Sketch Sketch
}

// Cluster is a group of copies of one article.
type Cluster struct {
	// Canonical is the input index of the canonical document.
	Canonical int
	// Members are the input indices of the members, in input order.
	Members []int
	// Scores are the canonical scores of the members, best first; the
	// first is the canonical's.
	Scores []Score
}

// Score explains how complete a member of a cluster is. Total is the
// product of the factors; the member with the highest Total is canonical,
// ties going to more content words, then to more numbers (a price table
// re-filed with more rows), then to the first in input order.
type Score struct {
	Doc   int // input index
	Total float64
	// Coverage is the share of the cluster's content the member carries,
	// each shingle weighted by the number of members that carry it, so that
	// a sentence only one copy added weighs little and text every copy
	// shares weighs most: Σ_j |S_j ∩ S_m| / Σ_j |S_j| over the members j,
	// with the intersections estimated from the signatures. Truncated
	// copies score low here.
	Coverage float64
	// NumberFactor is 0.9 for a copy whose numbers were masked (written
	// as placeholder digits) when another member has real numbers, else
	// 1.
	NumberFactor float64
	// DiacriticFactor is 0.8 for a copy without the diacritics other
	// members have, else 1.
	DiacriticFactor float64
	// ContentShare is the share of the member's words that are article
	// content rather than boilerplate lines.
	ContentShare float64
}

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

func (s Score) String() string {
	return fmt.Sprintf("score %.3f = coverage %.3f × numbers %.2f × diacritics %.2f × content share %.3f",
		s.Total, s.Coverage, s.NumberFactor, s.DiacriticFactor, s.ContentShare)
}

// Reason explains in words why the first score of a cluster won.
func (c *Cluster) Reason(docs []DocResult) string {
	if len(c.Scores) < 2 {
		return "only member"
	}
	best, next := c.Scores[0], c.Scores[1]
	var why []string
	switch {
	case best.Total > next.Total:
		if best.Coverage > next.Coverage {
			why = append(why, "carries more of the cluster's content")
		}
		if best.NumberFactor > next.NumberFactor {
			why = append(why, "has real numbers")
		}
		if best.DiacriticFactor > next.DiacriticFactor {
			why = append(why, "has diacritics")
		}
		if best.ContentShare > next.ContentShare {
			why = append(why, "has less boilerplate")
		}
	case docs[best.Doc].Sketch.words > docs[next.Doc].Sketch.words:
		why = append(why, "tied score, more words")
	case docs[best.Doc].Sketch.numbers.Count > docs[next.Doc].Sketch.numbers.Count:
		why = append(why, "tied score and words, more numbers")
	default:
		why = append(why, "tied score, words and numbers, first in input order")
	}
	return fmt.Sprintf("%s (%s; runner-up %s: %s)", strings.Join(why, ", "), best, docs[next.Doc].ID, next)
}

// Cluster groups docs into clusters of copies and picks each cluster's
// canonical document. It learns boilerplate lines from the batch first:
// lines carried by at least BoilerplateArticles preliminary clusters are
// left out of every document's content. The result is deterministic: it
// depends on the documents and their order, not on timing or the number of
// CPUs. The only error is c's Validate error. Cluster is safe for
// concurrent use.
func (c Config) Cluster(docs []Doc) (*Clustering, error) {
	return c.ClusterReader(func(_ func(int) bool, yield func(Doc) bool) error {
		for _, d := range docs {
			if !yield(d) {
				break
			}
		}
		return nil
	})
}

// ReadFunc reads a corpus for ClusterReader: it calls yield with every
// document, in the same order each time, and returns the first error it
// meets. need, when not nil, reports by place in the corpus (0 for the
// first document) whether a document's text is wanted: for the others the
// reader may skip decoding and yield a zero Doc, which saves the second
// reading most of its work. A ReadFunc must not reuse a Doc's Text after
// yielding it.
type ReadFunc func(need func(n int) bool, yield func(Doc) bool) error

// ClusterReader is Cluster for corpora too large to hold in memory: it
// keeps sketches, not text. It calls read once to sketch every document
// and, when boilerplate was learned, once more to sketch again the
// documents that carry some, and returns read's first error. Sketching
// runs on GOMAXPROCS goroutines while read goes on; the result does not
// depend on their number.
func (c Config) ClusterReader(read ReadFunc) (*Clustering, error) {
	sc, err := c.sketchCorpus(read)
	if err != nil {
		return nil, err
	}
	res, err := c.clusterSketches(sc.IDs, sc.Sketches, nil)
	if err != nil {
		return nil, err
	}
	res.BoilerplateLines, res.BoilerplateDocs = sc.BoilerplateLines, sc.BoilerplateDocs
	return res, nil
}

// sketchedCorpus is what sketchCorpus returns: the final sketches of a
// corpus, in input order, with the boilerplate learned on the way.
type sketchedCorpus struct {
	IDs      []string
	Sketches []Sketch
	// BoilerplateLines is the number of distinct lines learned as
	// boilerplate; BoilerplateDocs the number of documents that had some.
	BoilerplateLines, BoilerplateDocs int
}

// sketchCorpus is the first stage of ClusterReader, with the same rules
// for read: it sketches every document, learns boilerplate from the
// preliminary clusters and sketches again the documents that carry some.
// clusterSketches(IDs, Sketches, nil) then gives ClusterReader's result.
func (c Config) sketchCorpus(read ReadFunc) (*sketchedCorpus, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	res := &sketchedCorpus{}
	var ids []string
	var sketches []Sketch
	var lines [][]docLine
	learn := c.BoilerplateArticles > 0
	first := func(yield func(Doc) bool) error { return read(nil, yield) }
	err := c.sketchPass(first, nil, func(id string) bool { ids = append(ids, id); return true },
		func(i int, s Sketch, l []docLine) {
			if i >= len(sketches) {
				sketches = slices.Grow(sketches, i+1-len(sketches))[:i+1]
			}
			sketches[i] = s
			if learn {
				if i >= len(lines) {
					lines = slices.Grow(lines, i+1-len(lines))[:i+1]
				}
				lines[i] = slices.Clip(l)
			}
		}, learn)
	if err != nil {
		return nil, err
	}
	if learn {
		boiler := c.learnBoilerplate(sketches, lines)
		res.BoilerplateLines = len(boiler)
		redo := make([]bool, len(lines))
		for i, l := range lines {
			if boiler.carries(l) {
				redo[i] = true
				res.BoilerplateDocs++
			}
		}
		lines = nil
		if res.BoilerplateDocs > 0 {
			n := 0
			need := func(k int) bool { return k >= 0 && k < len(redo) && redo[k] }
			second := func(yield func(Doc) bool) error { return read(need, yield) }
			err := c.sketchPass(second, boiler, func(string) bool { n++; return n <= len(redo) && redo[n-1] },
				func(i int, s Sketch, _ []docLine) {
					// A document made only of common lines (a short stock
					// notice) keeps them: otherwise it would have no
					// content at all.
					if s.words > 0 {
						sketches[i] = s
					}
				}, false)
			if err != nil {
				return nil, err
			}
			if n != len(sketches) {
				return nil, fmt.Errorf("dedup: SketchCorpus: the second reading yielded %d documents, the first %d", n, len(sketches))
			}
		}
	}
	res.IDs, res.Sketches = ids, sketches
	return res, nil
}

// candidatePair is a candidate pair of the grouping stage. Later and Earlier are
// positions in groupOrder, Later > Earlier, of two documents that share a
// band key (Config.AppendBandKeys, band by band, the lead last); Stored
// reports that Later is among the first postings of one key they share:
// the first engine.MaxPostings documents in groupOrder under a band key,
// engine.MaxLeadPostings under a lead. Earlier must be among the first postings
// of the key. These are the pairs an Index filled in groupOrder would
// give; an engine outside the process (SQL over an exported table of band
// keys) can compute them.
type candidatePair = engine.Pair

// groupOrder returns the order in which the grouping stage takes
// documents: most shingles first, ties in input order.
func groupOrder(sk []Sketch) []int {
	order := make([]int, len(sk))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sk[b].shingles, sk[a].shingles) })
	return order
}

// clusterSketches is the last stage of ClusterReader, for sketches made
// elsewhere (an export, a Beam pipeline): it groups the documents and picks
// each cluster's canonical. sk are the documents' final sketches, in input
// order, with every field Sketch has. With pairs nil, the candidate pairs
// are found here; otherwise pairs must be exactly the candidate pairs of
// sk (see Pair), in any order, and the result equals the one found here.
func (c Config) clusterSketches(ids []string, sk []Sketch, pairs []candidatePair) (*Clustering, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	if len(ids) != len(sk) {
		return nil, fmt.Errorf("dedup: ClusterSketches: %d ids for %d sketches", len(ids), len(sk))
	}
	for i := range sk {
		if len(sk[i].sig) != c.Hashes {
			return nil, fmt.Errorf("%w: ClusterSketches: sketch %d has %d hashes, Config %d", ErrConfig, i, len(sk[i].sig), c.Hashes)
		}
	}
	order := groupOrder(sk)
	rep := exactCopies(sk, order)
	var packed []uint64
	if pairs == nil {
		packed = c.candidatePairs(sk, order, rep)
	} else {
		packed = make([]uint64, 0, len(pairs))
		for _, p := range pairs {
			if p.Later <= p.Earlier || int(p.Later) >= len(sk) {
				return nil, fmt.Errorf("dedup: ClusterSketches: pair (%d, %d) out of order or range", p.Later, p.Earlier)
			}
			if int(rep[order[p.Later]]) != order[p.Later] || int(rep[order[p.Earlier]]) != order[p.Earlier] {
				continue // an exact copy follows its first instead
			}
			packed = append(packed, pair(p.Later, p.Earlier, p.Stored))
		}
		packed = compactPairs(packed)
	}
	res := &Clustering{}
	n := len(sk)
	res.Docs = make([]DocResult, n)
	center, match := c.group(sk, order, packed, rep)
	byCenter := make(map[int]int, n)
	for i := range n {
		k, ok := byCenter[center[i]]
		if !ok {
			k = len(res.Clusters)
			byCenter[center[i]] = k
			res.Clusters = append(res.Clusters, Cluster{})
		}
		res.Clusters[k].Members = append(res.Clusters[k].Members, i)
		res.Docs[i] = DocResult{ID: ids[i], ClusterIndex: k, Match: match[i], Sketch: sk[i]}
	}
	for k := range res.Clusters {
		cl := &res.Clusters[k]
		cl.Scores = c.score(cl.Members, sk)
		cl.Canonical = cl.Scores[0].Doc
		canon := &res.Docs[cl.Canonical]
		canon.Canonical = true
		for _, i := range cl.Members {
			if i == cl.Canonical {
				res.Docs[i].Similarity = 1
			} else {
				res.Docs[i].Similarity = c.Compare(&res.Docs[i].Sketch, &canon.Sketch).Jaccard
			}
		}
	}
	return res, nil
}

// sketchPass reads the corpus once. For each document, take(id) says
// whether to sketch it (in input order); the chosen ones are sketched on
// GOMAXPROCS goroutines with filter and handed to store, in no particular
// order but never concurrently, with their input position and, if
// withLines, their lines. Reading goes on while workers sketch, with at
// most a few batches of text in flight.
func (c Config) sketchPass(read func(yield func(Doc) bool) error, filter lineFilter, take func(id string) bool,
	store func(i int, s Sketch, lines []docLine), withLines bool) error {
	type job struct {
		start int
		docs  []Doc
		skip  []bool
	}
	type result struct {
		start    int
		sketches []Sketch
		lines    [][]docLine
		skip     []bool
	}
	const batch = 64
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, 2*workers)
	results := make(chan result, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := result{start: j.start, sketches: make([]Sketch, len(j.docs)), skip: j.skip}
				if withLines {
					r.lines = make([][]docLine, len(j.docs))
				}
				for k, d := range j.docs {
					if j.skip[k] {
						continue
					}
					var l []docLine
					if withLines {
						l = make([]docLine, 0, 32)
					}
					r.sketches[k], l = c.sketch(d.Text, filter, l)
					if withLines {
						r.lines[k] = l
					}
				}
				results <- r
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		for r := range results {
			for k := range r.sketches {
				if !r.skip[k] {
					var l []docLine
					if r.lines != nil {
						l = r.lines[k]
					}
					store(r.start+k, r.sketches[k], l)
				}
			}
		}
		close(done)
	}()
	cur := job{}
	n := 0
	err := read(func(d Doc) bool {
		skip := !take(d.ID)
		if skip {
			d.Text = nil
		}
		cur.docs = append(cur.docs, d)
		cur.skip = append(cur.skip, skip)
		n++
		if len(cur.docs) == batch {
			jobs <- cur
			cur = job{start: n}
		}
		return true
	})
	if len(cur.docs) > 0 {
		jobs <- cur
	}
	close(jobs)
	wg.Wait()
	close(results)
	<-done
	return err
}

// group assigns every document to a center: documents are taken from the
// most content to the least, and each joins, of the clusters of the
// earlier documents it verifies against, the one whose center came first,
// or becomes a center. When the document it verifies against is not the
// center itself, the new one must also lie inside the center (containment at least Config.Containment, numbers agreeing):
// every member is thus held against its center, and a cluster cannot grow
// through a chain of pairwise matches into unrelated articles.
//
// order is groupOrder(sk), and pairs its candidate pairs (packed, sorted).
// rep maps each document to the first, in order, of the documents with
// the same sketch (exactCopies): the others take no part in verification
// and follow it into its cluster.
func (c Config) group(sk []Sketch, order []int, pairs []uint64, rep []int32) (center []int, match []Match) {
	// The verified matches each document would find in an Index filled
	// in this order, computed up front in parallel.
	nb := c.verifyPairs(sk, order, pairs)
	pos := make([]int, len(sk)) // input index -> position in order
	for p, i := range order {
		pos[i] = p
	}
	center = make([]int, len(sk))
	match = make([]Match, len(sk))
	for p, i := range order {
		center[i] = i
		if r := int(rep[i]); r != i {
			center[i] = center[r]
			match[i] = c.Compare(&sk[i], &sk[r])
			match[i].why.rule = ruleExact
			continue
		}
		// Of the clusters the document verifies against, it joins the one
		// with the largest center, the most complete copy seen: a
		// truncated copy that came before it must not pull it away from
		// the article both were cut from.
		best, inCenter := -1, -1.0 // inCenter: containment in a center that is not best
		for _, e := range nb.of(p) {
			if int(e.pos) >= p {
				continue // not yet added when i is
			}
			j := order[e.pos]
			cj := center[j]
			if best >= 0 && pos[cj] >= pos[center[best]] {
				continue
			}
			if cj == j {
				best, inCenter = j, -1
				continue
			}
			if m, ok := c.holds(sk, i, j, cj); ok {
				best, inCenter = j, m.Containment
			}
		}
		if best >= 0 {
			center[i] = center[best]
			match[i] = c.Compare(&sk[i], &sk[best])
			if inCenter >= 0 {
				match[i].why.member, match[i].why.inCenter = int32(best)+1, inCenter
			}
		}
	}
	// A document that became a center because it was larger than its
	// copies (leftover boilerplate, an inserted sentence) but found no
	// member among the larger documents stays alone although its copies
	// came after it, joining each other. Such singletons get a second
	// chance: they join the cluster of a verified match when they also
	// verify against its center or its provisional canonical. The center
	// is only the largest member, and leftover boilerplate or an inserted
	// sentence can make it so; the canonical is the member that carries
	// most of what the copies share, and so the best stand-in for the
	// article.
	members := membersByCenter(center, order)
	canonical := make(map[int]int)
	canonicalOf := func(cj int) int {
		k, ok := canonical[cj]
		if !ok {
			k = c.score(members(cj), sk)[0].Doc
			canonical[cj] = k
		}
		return k
	}
	alone := func(i int) bool { // i and its exact copies only
		for _, m := range members(i) {
			if int(rep[m]) != i {
				return false
			}
		}
		return true
	}
	for p, i := range order {
		if center[i] != i || !alone(i) {
			continue
		}
		for _, e := range nb.of(p) {
			if !e.stored {
				continue
			}
			j := order[e.pos]
			cj := center[j]
			if cj == i {
				continue
			}
			m, ok := c.holds(sk, i, j, cj)
			var against uint8 = 1 // the center
			if k := canonicalOf(cj); !ok && k != cj {
				m, ok = c.holds(sk, i, j, k)
				against = 2 // its canonical
			}
			if ok {
				center[i] = cj
				match[i] = m
				match[i].why.pass2 = against
				break
			}
		}
	}
	for i, r := range rep {
		center[i] = center[r] // exact copies follow a second-pass move
	}
	return center, match
}

// exactCopies maps each document of sk to the first document, in order,
// whose sketch it has exactly (itself for that one): exact copies, the
// thousands of crawled error pages or syndicated texts of a corpus, are
// verified and indexed once, which keeps the cost linear when one text
// fills most of a corpus. Documents without shingles are exact copies of
// nothing: they match nothing.
func exactCopies(sk []Sketch, order []int) []int32 {
	rep := make([]int32, len(sk))
	first := make(map[uint64]int32, len(sk))
	for _, i := range order {
		rep[i] = int32(i)
		if sk[i].shingles == 0 {
			continue
		}
		h := sk[i].exactKey()
		if r, ok := first[h]; ok && sk[i].sameAs(&sk[r]) {
			rep[i] = r
		} else if !ok {
			first[h] = int32(i)
		}
	}
	return rep
}

// membersByCenter returns a function listing, in order, the documents
// whose center was x when membersByCenter was called.
func membersByCenter(center, order []int) func(x int) []int {
	start := make([]int32, len(center)+1)
	for _, c := range center {
		start[c+1]++
	}
	for i := range center {
		start[i+1] += start[i]
	}
	list := make([]int, len(center))
	fill := slices.Clone(start[:len(center)])
	for _, i := range order {
		list[fill[center[i]]] = i
		fill[center[i]]++
	}
	return func(x int) []int { return list[start[x]:start[x+1]] }
}

// holds reports whether document i, verified against member j, also
// holds against t, the member its cluster is judged by (the center, or in
// the second pass the canonical): a verified match, or t contains i at the
// bar i's match with j used, the lead bar when i shares a lead with j or
// t (whose lead a layout change, such as the whole text on one line, can
// move), with numbers that do not disagree.
func (c Config) holds(sk []Sketch, i, j, t int) (Match, bool) {
	bar := c.Containment
	if l := sk[i].lead; l != 0 && (l == sk[j].lead || l == sk[t].lead) {
		bar *= leadContainment
	}
	m := c.Compare(&sk[i], &sk[t])
	return m, m.Duplicate || (m.Containment >= bar && !m.DifferentNumbers)
}

// lineSet is a set of boilerplate line hashes. A line mapped to true is
// a link: a headline-sized line carried by fewer than BoilerplateArticles
// articles, boilerplate on the pages that link and the headline of the
// article linked to.
type lineSet map[uint64]bool

func (s lineSet) isBoilerplate(h uint64) bool { _, ok := s[h]; return ok }

// carries reports whether a document with these lines carries some of
// the set: the documents the second reading sketches again.
func (s lineSet) carries(lines []docLine) bool {
	return slices.ContainsFunc(lines, func(l docLine) bool { return s.isBoilerplate(l.Hash) })
}

// keepHeadline reports whether h, as a document's first content line, is
// that document's headline rather than a link to it.
func (s lineSet) keepHeadline(h uint64) bool { return s[h] }

// shortLineWords is the length, in words, up to which a line counts as
// short: a headline, a caption, a credit, a link. Vietnamese headlines run
// 10 to 20 syllables, English ones 5 to 12 words.
const shortLineWords = 24

// paragraphWords is the length, in words, above which a line counts as a
// paragraph of an article's text: twice the longest headline, so that no
// headline, link, caption or credit reaches it.
const paragraphWords = 2 * shortLineWords

// learnBoilerplate returns the lines carried by at least
// BoilerplateArticles articles, and the short lines carried by at least
// two: a headline-sized line that two unrelated articles share is a link
// to one of them, or a caption or credit, not their content.
//
// Copies of one article share their lines, so lines are counted once per
// article, not per document. An article is a preliminary cluster (from the
// full text, boilerplate included), joined with every other preliminary
// cluster with which it shares a paragraph: a line longer than
// paragraphWords that is itself too rare to be boilerplate. A verbatim
// paragraph is the text of an article, so two clusters sharing one are
// copies that the preliminary clustering kept apart (a teaser wrapped in
// a page whose boilerplate outweighs it), and the lines they share are
// the evidence of that, not boilerplate.
//
// A short line carried by fewer articles than that, which opens the
// documents of some of them but not all, is a link: it stays content
// where it is a document's first content line, the headline of the
// article linked to, and is boilerplate elsewhere.
func (c Config) learnBoilerplate(sk []Sketch, lines [][]docLine) lineSet {
	order := groupOrder(sk)
	rep := exactCopies(sk, order)
	center, _ := c.group(sk, order, c.candidatePairs(sk, order, rep), rep)
	// Every line once per article, as one flat sorted array rather than
	// a map of all lines: most lines occur once, and a million documents
	// carry tens of millions of them.
	type occ struct {
		hash    uint64
		article int32
		words   int32
	}
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	occs := make([]occ, 0, total)
	collect := func(article func(int) int) {
		occs = occs[:0]
		for i, l := range lines {
			a := int32(article(center[i]))
			for _, li := range l {
				occs = append(occs, occ{li.Hash, a, li.Words})
			}
		}
		slices.SortFunc(occs, func(x, y occ) int {
			if c := cmp.Compare(x.hash, y.hash); c != 0 {
				return c
			}
			return cmp.Compare(x.article, y.article)
		})
		occs = slices.CompactFunc(occs, func(x, y occ) bool { return x.hash == y.hash && x.article == y.article })
	}
	// runs calls f with each line's articles.
	runs := func(f func(run []occ)) {
		for lo := 0; lo < len(occs); {
			hi := lo + 1
			for hi < len(occs) && occs[hi].hash == occs[lo].hash {
				hi++
			}
			f(occs[lo:hi])
			lo = hi
		}
	}
	collect(func(k int) int { return k })
	// Join the clusters that share a rare paragraph (union-find, the
	// smaller cluster the root).
	parent := make(map[int]int)
	var find func(int) int
	find = func(k int) int {
		p, ok := parent[k]
		if !ok || p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	runs(func(run []occ) {
		if int(run[0].words) > paragraphWords && len(run) >= 2 && len(run) < c.BoilerplateArticles {
			for _, o := range run[1:] {
				if a, b := find(int(run[0].article)), find(int(o.article)); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	})
	article := func(k int) int { return k }
	if len(parent) > 0 {
		article = find
		collect(find)
	}
	// The lines of two articles or more; a line absent is in one.
	type count struct{ clusters, words int }
	counts := make(map[uint64]count)
	runs(func(run []occ) {
		if len(run) >= 2 {
			counts[run[0].hash] = count{len(run), int(run[0].words)}
		}
	})
	occs = nil
	// Each document's headline is its first line that is not common
	// boilerplate; count the articles whose documents open with each.
	type opening struct {
		hash    uint64
		article int
	}
	var openings []opening
	for i, l := range lines {
		first := -1
		for k, li := range l {
			if counts[li.Hash].clusters < c.BoilerplateArticles && (first < 0 || li.Pos < l[first].Pos) {
				first = k
			}
		}
		if first >= 0 && counts[l[first].Hash].clusters >= 2 {
			openings = append(openings, opening{l[first].Hash, article(center[i])})
		}
	}
	slices.SortFunc(openings, func(a, b opening) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(a.article, b.article)
	})
	headlineOf := make(map[uint64]int)
	for _, o := range slices.Compact(openings) {
		headlineOf[o.hash]++
	}
	boiler := make(lineSet)
	for h, k := range counts {
		switch {
		case k.clusters >= c.BoilerplateArticles:
			boiler[h] = false
		case k.words <= shortLineWords:
			// A link: the headline of some of its articles, not all (a
			// menu opens every page that carries it).
			n := headlineOf[h]
			boiler[h] = n > 0 && n < k.clusters
		}
	}
	return boiler
}

// score ranks the members of a cluster, best first.
func (c Config) score(members []int, sk []Sketch) []Score {
	scores := make([]Score, len(members))
	if len(members) == 1 {
		scores[0] = Score{Doc: members[0], Total: 1, Coverage: 1, NumberFactor: 1, DiacriticFactor: 1, ContentShare: boilerShare(&sk[members[0]])}
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
		total += float64(sk[j].shingles)
	}
	anyReal := false
	maxMarked := 0.0
	for _, m := range members {
		s := &sk[m]
		anyReal = anyReal || s.numbers.hasReal()
		maxMarked = max(maxMarked, markedShare(s))
	}
	for k, m := range members {
		s := &sk[m]
		carried := 0.0
		for _, j := range refs {
			if j == m {
				carried += float64(s.shingles)
			} else {
				carried += estimateIntersection(sk[j].sig, s.sig, sk[j].shingles, s.shingles)
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
		if c := cmp.Compare(sk[b.Doc].words, sk[a.Doc].words); c != 0 {
			return c
		}
		if c := cmp.Compare(sk[b.Doc].numbers.Count, sk[a.Doc].numbers.Count); c != 0 {
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
