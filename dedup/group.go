package dedup

import "slices"

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
//
// match, when not nil, is where the verdict that put document i in its
// cluster goes (the Match of its DocResult); boilerplate learning, which
// needs only the clusters, passes nil and computes no verdicts, rather
// than hold a slice of them (120 bytes a document) beside its own. match
// is called from several goroutines at once, with different i.
func (c Config) group(sk []Sketch, order []int, pairs []uint64, rep []int32, match func(i int) *Match) (center []int) {
	// The verified matches each document would find in an Index filled
	// in this order, computed up front in parallel.
	nb := c.verifyPairs(sk, order, pairs)
	pos := make([]int, len(sk)) // input index -> position in order
	for p, i := range order {
		pos[i] = p
	}
	center = make([]int, len(sk))
	// The verdicts of the documents that join a cluster here depend only
	// on the pair, once the pass has chosen it: they are computed after
	// it, on every core.
	var joins []join
	for p, i := range order {
		center[i] = i
		if r := int(rep[i]); r != i {
			center[i] = center[r]
			if match != nil {
				joins = append(joins, join{doc: int32(i), with: int32(r), exact: true})
			}
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
			if match != nil {
				joins = append(joins, join{doc: int32(i), with: int32(best), inCenter: inCenter})
			}
		}
	}
	if match != nil {
		c.joinVerdicts(sk, joins, match)
	}
	joins = nil
	// A document that became a center because it was larger than its
	// copies (leftover boilerplate, an inserted sentence) but found no
	// member among the larger documents stays alone although its copies
	// came after it, joining each other. Such singletons get a second
	// chance: they join the cluster of a verified match when they also
	// verify against its center or its provisional canonical. The center
	// is only the largest member, and leftover boilerplate or an inserted
	// sentence can make it so; the canonical is the member that carries
	// most of what the copies share, and so the best stand-in for the
	// article. This pass writes the Match only of documents that are
	// still their own center, whose Match joinVerdicts never wrote.
	members := membersByCenter(center, order)
	canonical := make(map[int]int)
	canonicalOf := func(cj int) int {
		k, ok := canonical[cj]
		if !ok {
			k = c.score(members(cj), func(i int) *Sketch { return &sk[i] })[0].Doc
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
				if match != nil {
					m.why.pass2 = against
					*match(i) = m
				}
				break
			}
		}
	}
	for i, r := range rep {
		center[i] = center[r] // exact copies follow a second-pass move
	}
	return center
}

// join is a document that group put in a cluster by its match with
// another: an exact copy of it, or a verified match, with the
// containment in the cluster's center when that is not the other.
type join struct {
	doc, with int32
	exact     bool
	inCenter  float64 // -1: with is the center; unused when exact
}

// joinVerdicts sets the Match of each join, as group's pass would have,
// on GOMAXPROCS goroutines: each writes only its own documents' matches
// (no two joins share a document), so the result does not depend on
// their number.
func (c Config) joinVerdicts(sk []Sketch, joins []join, match func(i int) *Match) {
	inShares(len(joins), func(lo, hi int) {
		for _, j := range joins[lo:hi] {
			m := match(int(j.doc))
			*m = c.Compare(&sk[j.doc], &sk[j.with])
			switch {
			case j.exact:
				m.why.rule = ruleExact
			case j.inCenter >= 0:
				m.why.member, m.why.inCenter = j.with+1, j.inCenter
			}
		}
	})
}

// exactCopies maps each document of sk to the first document, in order,
// whose sketch it has exactly (itself for that one): exact copies, the
// thousands of crawled error pages or syndicated texts of a corpus, are
// verified and indexed once, which keeps the cost linear when one text
// fills most of a corpus. Documents without shingles are exact copies of
// nothing: they match nothing.
func exactCopies(sk []Sketch, order []int) []int32 {
	// The keys first, on every core: each is a chain of a hundred
	// dependent multiplications.
	keys := make([]uint64, len(sk))
	inShares(len(sk), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if sk[i].shingles > 0 {
				keys[i] = sk[i].exactKey()
			}
		}
	})
	return firstOfKey(keys, order, func(i int) bool { return sk[i].shingles > 0 },
		func(i, r int) bool { return sk[i].sameAs(&sk[r]) })
}

// firstOfKey maps each document i to the first document r, in order,
// with its key (keys[i]), when same(i, r) holds; a document for which
// has(i) is false, or that is not the same as the first of its key, maps
// to itself (and does not become the first of its key). same is called
// from several goroutines at once.
func firstOfKey(keys []uint64, order []int, has func(i int) bool, same func(i, r int) bool) []int32 {
	// The documents in order, sorted by key: entry packs a key's high
	// bits above the place in order, so that each run of one key lists
	// its documents in order, the first one first. A map from key to
	// first document took 0.4 s of one core at 10^6 documents; the sort
	// and the pass over it take a third of that on two cores.
	rep := make([]int32, len(keys))
	ents := make([]uint64, 0, len(keys))
	for p, i := range order {
		rep[i] = int32(i)
		if has(i) {
			ents = append(ents, entry(keys[i], uint32(p)))
		}
	}
	ents, _, _ = sortPacked(ents, nil, nil)
	// The first document of each whole key in a run: a run holds more
	// than one key only when keys meet in their high bits, so a list
	// searched from its start serves. Comparing a document with its
	// first reads both sketches, scattered in memory: the runs are
	// shared among GOMAXPROCS goroutines, each starting at the first run
	// that begins in its share.
	inShares(len(ents), func(lo, end int) {
		for lo > 0 && lo < len(ents) && ents[lo]>>32 == ents[lo-1]>>32 {
			lo++ // the run began in the share before
		}
		var first []keyDoc
		for lo < end {
			hi := lo + 1
			for hi < len(ents) && ents[hi]>>32 == ents[lo]>>32 {
				hi++
			}
			if hi-lo > 1 { // a document alone with its key is its own first
				first = first[:0]
				for _, e := range ents[lo:hi] {
					i := order[uint32(e)]
					h := keys[i]
					k := slices.IndexFunc(first, func(f keyDoc) bool { return f.key == h })
					switch {
					case k < 0:
						first = append(first, keyDoc{h, int32(i)})
					case same(i, int(first[k].doc)):
						rep[i] = first[k].doc
					}
				}
			}
			lo = hi
		}
	})
	return rep
}

// keyDoc is a document and its key.
type keyDoc struct {
	key uint64
	doc int32
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
