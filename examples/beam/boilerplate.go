package pipeline

import (
	"context"
	"encoding/binary"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// learnBoilerplate learns the corpus's boilerplate as
// stage.LearnBoilerplate does, from articles (KV<article, doc> from the
// preliminary grouping: each document's lines under its cluster's
// canonical), and returns it as KV<line hash, link> for a side input:
//
//   - lines are counted once per article, by combiners keyed by line hash
//     that keep the least BoilerplateArticles distinct articles, which is
//     all the rules need to know;
//   - articles that share a paragraph too rare to be boilerplate (a line of
//     more than stage.ParagraphWords words, carried by 2 to
//     BoilerplateArticles-1 articles) are joined: connected components of
//     those links, under their least article;
//   - lines are counted again by joined article; a line of
//     BoilerplateArticles articles or more is boilerplate, and a short
//     line (stage.ShortLineWords) of at least two is a link where some of
//     its articles but not all open with it, else boilerplate too. A
//     document's opening is its first line that is not boilerplate of the
//     first kind, which every worker knows from a side input of those.
//
// Each group is a line's article set (at most BoilerplateArticles) or at
// most about Options.KeyGroup documents of one article (joinArticles;
// huge holds the articles of more, KV<article, shards>).
func learnBoilerplate(s beam.Scope, cfg []byte, articles, huge beam.PCollection, rounds int, buckets, keyGroup int64) beam.PCollection {
	c, err := config(cfg)
	if err != nil {
		panic(err)
	}
	k := c.BoilerplateArticles
	if k == 0 {
		k = dedup.DefaultBoilerplateArticles
	}
	// Articles joined by a shared rare paragraph.
	long := beam.ParDo(s, &occurrencesFn{MinWords: stage.ParagraphWords + 1}, articles)
	links := beam.ParDo(s, &paragraphLinksFn{Articles: k}, beam.CombinePerKey(s, &distinctFn{Cap: k}, long))
	roots := components(s.Scope("joined"), links, rounds, buckets, keyGroup, "boilerplate")

	// Lines by joined article.
	occs, opened := joinArticles(s, articles, roots, huge)
	// Counted up to k articles, and at least 2: the rules tell lines of
	// one article from lines of two even when k is 1.
	counts := beam.ParDo(s, shared, beam.CombinePerKey(s, &distinctFn{Cap: max(k, 2)}, occs))
	common := beam.ParDo(s, &commonFn{Articles: k}, counts)
	openings := beam.ParDo(s, &openingFn{}, opened, beam.SideInput{Input: common})
	openings = beam.CombinePerKey(s, &distinctFn{Cap: k}, openings)
	return beam.ParDo(s, &boilerFn{Articles: k}, beam.CoGroupByKey(s, counts, openings))
}

// occ is a line's occurrence in an article, with the line's words.
type occ struct {
	Art, Words int64
}

// arts is a line's distinct articles, the least Cap of them, sorted,
// and its words.
type arts struct {
	Words int64
	Arts  []int64
}

// distinctFn combines occurrences into arts.
type distinctFn struct{ Cap int }

func (f *distinctFn) CreateAccumulator() arts { return arts{} }

func (f *distinctFn) AddInput(a arts, o occ) arts {
	a.Words = max(a.Words, o.Words)
	a.Arts = f.add(a.Arts, o.Art)
	return a
}

func (f *distinctFn) MergeAccumulators(a, b arts) arts {
	a.Words = max(a.Words, b.Words)
	for _, x := range b.Arts {
		a.Arts = f.add(a.Arts, x)
	}
	return a
}

func (f *distinctFn) ExtractOutput(a arts) arts { return a }

func (f *distinctFn) add(set []int64, x int64) []int64 {
	i, found := slices.BinarySearch(set, x)
	if found || i >= f.Cap {
		return set
	}
	set = slices.Insert(set, i, x)
	if len(set) > f.Cap {
		set = set[:f.Cap]
	}
	return set
}

// occurrencesFn emits the lines of at least MinWords words of a
// document, under the document's article.
type occurrencesFn struct{ MinWords int }

func (f *occurrencesFn) ProcessElement(art int64, d doc, emit func(uint64, occ)) {
	unpackLines(d.Lines, func(l stage.Line) {
		if int(l.Words) >= f.MinWords {
			emit(l.Hash, occ{art, int64(l.Words)})
		}
	})
}

// paragraphLinksFn links the articles of a paragraph carried by fewer
// than Articles of them.
type paragraphLinksFn struct{ Articles int }

func (f *paragraphLinksFn) ProcessElement(_ uint64, a arts, emit func(int64, int64)) {
	if len(a.Arts) >= 2 && len(a.Arts) < f.Articles {
		for _, x := range a.Arts[1:] {
			emit(a.Arts[0], x)
		}
	}
}

// joinArticles gives each document of articles (KV<article, doc>) its
// joined article from roots (KV<article, root>, the joined articles
// only), and returns its line occurrences (KV<line hash, occ>) and the
// documents under their joined article (KV<root, doc>).
//
// An article is one cluster of the preliminary grouping, and a family of
// copies is mostly one article, however large it grows: joined whole, its
// documents would make one group that grows with the family. So an
// article of more than Options.KeyGroup documents, few, which the
// grouping reports in huge (KV<article, shards>, a side input, with the
// shards hugeShards gives for its documents), is split like a huge index
// key: its documents go to its shards by position, and its root, if it
// has one, to every shard. The join is the same; no group holds more than
// about KeyGroup of an article's documents.
func joinArticles(s beam.Scope, articles, roots, huge beam.PCollection) (occs, opened beam.PCollection) {
	docs, shardDocs := beam.ParDo2(s, &routeArticleFn{}, articles, beam.SideInput{Input: huge})
	rootsOf, shardRoots := beam.ParDo2(s, &routeRootFn{}, roots, beam.SideInput{Input: huge})
	occs, opened = beam.ParDo2(s, &joinArticleFn{}, beam.CoGroupByKey(s, docs, rootsOf))
	occs2, opened2 := beam.ParDo2(s, &joinShardFn{}, beam.CoGroupByKey(s, shardDocs, shardRoots))
	return beam.Flatten(s, occs, occs2), beam.Flatten(s, opened, opened2)
}

// sideValue returns k's value in a KV<int64, int64> side input, and
// whether it has one: a huge article's number of shards, a
// representative's root. *t holds the side input, read from iter on first
// use.
func sideValue(t *map[int64]int64, iter func(*int64, *int64) bool, k int64) (int64, bool) {
	if *t == nil {
		*t = make(map[int64]int64)
		var a, n int64
		for iter(&a, &n) {
			(*t)[a] = n
		}
	}
	v, ok := (*t)[k]
	return v, ok
}

// posShard is the group key of a shard of a huge article, or of a part of
// a huge component: the article's or root's position, then the shard.
func posShard(pos int64, shard uint64) string {
	return shardName(string(binary.LittleEndian.AppendUint64(nil, uint64(pos))), shard)
}

// shardOf returns the position and the shard of a posShard key.
func shardOf(key string) (pos int64, shard uint32) {
	return int64(binary.LittleEndian.Uint64([]byte(key[:8]))), binary.LittleEndian.Uint32([]byte(key[8:]))
}

// routeArticleFn files a document under its article, or, if the article
// is huge, under one of its shards, by position.
type routeArticleFn struct{ huge map[int64]int64 }

func (f *routeArticleFn) ProcessElement(ctx context.Context, art int64, d doc, huge func(*int64, *int64) bool, normal func(int64, doc), byShard func(string, doc)) {
	shards, ok := sideValue(&f.huge, huge, art)
	if !ok {
		normal(art, d)
		return
	}
	beam.NewCounter("neardup.split", "documents of huge articles").Inc(ctx, 1)
	byShard(posShard(art, contentShard(uint64(d.Pos), 0, uint64(shards))), d)
}

// routeRootFn files an article's root under the article, or, if the
// article is huge, under every one of its shards.
type routeRootFn struct{ huge map[int64]int64 }

func (f *routeRootFn) ProcessElement(art, root int64, huge func(*int64, *int64) bool, normal func(int64, int64), byShard func(string, int64)) {
	shards, ok := sideValue(&f.huge, huge, art)
	if !ok {
		normal(art, root)
		return
	}
	for k := range shards {
		byShard(posShard(art, uint64(k)), root)
	}
}

// joinArticleFn takes an article's documents and its joined article (if
// it was joined) and emits the documents' line occurrences and the
// documents under the joined article.
type joinArticleFn struct{}

func (f *joinArticleFn) ProcessElement(ctx context.Context, art int64, docs func(*doc) bool, roots func(*int64) bool, emitOcc func(uint64, occ), emitDoc func(int64, doc)) {
	joinArticle(ctx, art, docs, roots, emitOcc, emitDoc)
}

// joinShardFn is joinArticleFn for a shard of a huge article.
type joinShardFn struct{}

func (f *joinShardFn) ProcessElement(ctx context.Context, key string, docs func(*doc) bool, roots func(*int64) bool, emitOcc func(uint64, occ), emitDoc func(int64, doc)) {
	art, _ := shardOf(key)
	if joinArticle(ctx, art, docs, roots, emitOcc, emitDoc) != art {
		beam.NewCounter("neardup.split", "shards of joined huge articles").Inc(ctx, 1)
	}
}

// joinArticle is the join of joinArticleFn and joinShardFn: art's
// documents (or a shard's) and its root, if it was joined. It returns the
// root the documents took.
func joinArticle(ctx context.Context, art int64, docs func(*doc) bool, roots func(*int64) bool, emitOcc func(uint64, occ), emitDoc func(int64, doc)) (root int64) {
	defer timed(ctx, "boilerplate/articles", time.Now())
	root = art
	roots(&root)
	var d doc
	n, size := 0, 0
	for docs(&d) {
		unpackLines(d.Lines, func(l stage.Line) { emitOcc(l.Hash, occ{root, int64(l.Words)}) })
		emitDoc(root, d)
		n++
		size += len(d.Lines)
	}
	groupSize(ctx, "articles", n, size)
	return root
}

// shared keeps the lines of two articles or more.
func shared(h uint64, a arts, emit func(uint64, arts)) {
	if len(a.Arts) >= 2 {
		emit(h, a)
	}
}

// commonFn keeps the lines of Articles articles or more.
type commonFn struct{ Articles int }

func (f *commonFn) ProcessElement(h uint64, a arts, emit func(uint64)) {
	if len(a.Arts) >= f.Articles {
		emit(h)
	}
}

// openingFn emits a document's opening, its first line that is not
// common, when it is short enough to be a headline: the links' articles
// that open with them.
type openingFn struct {
	common map[uint64]bool
}

func (f *openingFn) ProcessElement(art int64, d doc, common func(*uint64) bool, emit func(uint64, occ)) {
	if f.common == nil {
		f.common = make(map[uint64]bool)
		var h uint64
		for common(&h) {
			f.common[h] = true
		}
	}
	var first stage.Line
	found := false
	unpackLines(d.Lines, func(l stage.Line) {
		if !f.common[l.Hash] && (!found || l.Pos < first.Pos) {
			first, found = l, true
		}
	})
	if found && first.Words <= stage.ShortLineWords {
		emit(first.Hash, occ{art, int64(first.Words)})
	}
}

// boilerFn decides a line of two articles or more from its articles and
// the articles that open with it.
type boilerFn struct{ Articles int }

func (f *boilerFn) ProcessElement(ctx context.Context, h uint64, counts func(*arts) bool, openings func(*arts) bool, emit func(uint64, bool)) {
	defer timed(ctx, "boilerplate/lines", time.Now())
	var c, o arts
	if f.Articles < 0 || !counts(&c) {
		return // learning off, or a line of one article
	}
	openings(&o)
	switch n := len(c.Arts); {
	case n >= f.Articles:
		emit(h, false)
	case c.Words <= stage.ShortLineWords:
		emit(h, len(o.Arts) > 0 && len(o.Arts) < n)
	}
}
