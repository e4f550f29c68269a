package dedup

import (
	"cmp"
	"slices"

	"github.com/neardup/neardup/dedup/internal/engine"
)

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

// The line lengths that boilerplate learning tells apart, in words (see
// engine.ShortLineWords and engine.ParagraphWords for their reasons).
const (
	shortLineWords = engine.ShortLineWords
	paragraphWords = engine.ParagraphWords
)

// learnFrom returns the lines carried by at least
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
//
// It calls loadLines for the documents' lines, in input order, only once
// the preliminary clusters are found: lines read back from a spill file
// (see lineSpill) then take no memory while that clustering, the stage's
// peak, runs. It also returns the lines, and loadLines' error.
func (c Config) learnFrom(sk []Sketch, loadLines func() ([][]docLine, error)) (lineSet, [][]docLine, error) {
	order := groupOrder(sk)
	rep := exactCopies(sk, order)
	pairs, err := c.candidatePairs(sk, order, rep)
	if err != nil {
		return nil, nil, err
	}
	center := c.group(sk, order, pairs, rep, nil)
	order, rep, pairs = nil, nil, nil
	lines, err := loadLines()
	if err != nil {
		return nil, nil, err
	}
	// Every line once per article, as one flat sorted array rather than
	// a map of all lines: most lines occur once, and a million documents
	// carry tens of millions of them.
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	occs := make([]occ, total)
	collect := func(article func(int) int) {
		occs = sortOccs(occs[:total], lines, func(i int) int32 { return int32(article(center[i])) })
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
	// A lookup in counts for every line of every document: on every
	// core (the map is only read; article, which compresses paths in
	// parent, is called first). The openings are sorted below, so the
	// shares' order does not matter.
	articleOf := make([]int32, len(lines))
	for i := range lines {
		articleOf[i] = int32(article(center[i]))
	}
	openings := concatShares(len(lines), func(lo, hi int) []opening {
		var out []opening
		for i := lo; i < hi; i++ {
			l := lines[i]
			first := -1
			for k, li := range l {
				if counts[li.Hash].clusters < c.BoilerplateArticles && (first < 0 || li.Pos < l[first].Pos) {
					first = k
				}
			}
			if first >= 0 && counts[l[first].Hash].clusters >= 2 {
				out = append(out, opening{l[first].Hash, int(articleOf[i])})
			}
		}
		return out
	})
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
	return boiler, lines, nil
}

// recurringLines returns the first n documents' lines in p, of which
// each document keeps those that recur in another document, and the
// first, by place, of those that do not; p is emptied. learnFrom
// gives the same result for them as for all: a line of one document is
// carried by one article, so it is neither boilerplate nor a paragraph
// that joins articles, and it counts only as a document's possible first
// content line, where the first of them stands for all. Most lines of a
// corpus occur once: 59% of them in 10^5 generated documents, 76% in the
// natural dev set's real articles, 42% in the dev set, whose generated
// variants share lines. The kept ones, in a new arena, take about half
// the memory, and what the whole took is free again before boilerplate
// learning, the run's peak, allocates.
//
// Two bit sets sized to the lines find them: a line's bit in the second
// is set when its bit in the first was set already. A line whose second
// bit is clear occurs once; one whose bit a different line set is kept
// too, which changes nothing but memory.
func recurringLines(p *pages[[]docLine], n int) [][]docLine {
	total := 0
	for i := range n {
		total += len(*p.at(i))
	}
	out, _ := recurring(n, total, func(f func(i int, l []docLine)) error {
		for i := range n {
			f(i, *p.at(i))
		}
		return nil
	})
	*p = nil
	return out
}

// recurring is recurringLines for the n documents that each lists, with
// their total lines; each is called twice, and its first error returned.
func recurring(n, total int, each func(f func(i int, l []docLine)) error) ([][]docLine, error) {
	seen, again, shift := repeatSets(total, nil, nil)
	err := each(func(_ int, lines []docLine) {
		for _, l := range lines {
			addRepeat(seen, again, l.Hash>>shift)
		}
	})
	if err != nil {
		return nil, err
	}
	seen = nil
	recurs := func(l docLine) bool { b := l.Hash >> shift; return again[b/64]&(1<<(b%64)) != 0 }
	out := make([][]docLine, n)
	var kept arena[docLine]
	var buf []docLine
	err = each(func(i int, l []docLine) {
		first := -1
		for k, li := range l {
			if !recurs(li) && (first < 0 || li.Pos < l[first].Pos) {
				first = k
			}
		}
		buf = buf[:0]
		for k, li := range l {
			if k == first || recurs(li) {
				buf = append(buf, li)
			}
		}
		if len(buf) > 0 {
			out[i] = kept.keep(buf)
		}
	})
	return out, err
}

// occ is an occurrence of a line in an article, for learnFrom.
type occ struct {
	hash    uint64
	article int32
	words   int32
}

func compareOcc(x, y occ) int {
	if c := cmp.Compare(x.hash, y.hash); c != 0 {
		return c
	}
	return cmp.Compare(x.article, y.article)
}

// sortOccs fills dst, which has room for every line, with the
// occurrences of the documents' lines in their articles, sorted by line
// hash, then article, as sortPacked sorts band keys: in linear time, each
// occurrence written straight into its bucket (by the hash's top bits),
// with no unsorted copy. Line hashes are uniform but for the lines that
// recur (boilerplate), whose buckets fill up and are sorted with pdqsort.
func sortOccs(dst []occ, lines [][]docLine, article func(doc int) int32) []occ {
	shift, n := buckets(len(dst))
	counts := make([]int32, n+1)
	for _, l := range lines {
		for _, li := range l {
			counts[li.Hash>>shift+1]++
		}
	}
	for i := range n {
		counts[i+1] += counts[i]
	}
	tmp := dst
	fill := counts[:n]
	for i, l := range lines {
		a := article(i)
		for _, li := range l {
			b := li.Hash >> shift
			tmp[fill[b]] = occ{li.Hash, a, li.Words}
			fill[b]++
		}
	}
	// The buckets, each between the end of the one before and its own,
	// sorted on GOMAXPROCS goroutines: the recurring lines of a million
	// documents fill a million buckets.
	inShares(n, func(first, last int) {
		lo := int32(0)
		if first > 0 {
			lo = fill[first-1]
		}
		for b := first; b < last; b++ {
			hi := fill[b]
			if bucket := tmp[lo:hi]; len(bucket) > 16 {
				slices.SortFunc(bucket, compareOcc)
			} else {
				for i := 1; i < len(bucket); i++ {
					for j := i; j > 0 && compareOcc(bucket[j-1], bucket[j]) > 0; j-- {
						bucket[j-1], bucket[j] = bucket[j], bucket[j-1]
					}
				}
			}
			lo = hi
		}
	})
	return tmp
}
