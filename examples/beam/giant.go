package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// A component of verified copies is clustered on one worker
// (componentFn), which holds its documents' sketches and its pairs. A
// family of near copies that fills a fixed share of a corpus (a site's
// error page, a syndicated story reworded a little by each outlet) makes
// a component that grows with the corpus. A component of more than
// Options.MaxComponent documents takes another way (splitComponents):
//
//   - labelFn counts each component's documents by bucket of roots
//     (sizeCountFn, a combiner of exact counts); the components over
//     MaxComponent, few, are a side input;
//   - its anchors are the first MaxComponent/16 representatives of exact
//     copies in group order, those with most content (the command's
//     cluster centers are the first in group order of their clusters),
//     and the first document of every exact key of more than
//     Options.KeyGroup documents (anchorFn, a combiner);
//   - its other documents go to hugeShards(n, MaxComponent - anchors)
//     parts by their representative's position, so that exact copies
//     meet it, but for the copies of such a huge exact key (families.go),
//     which go by their own; the anchors go to every part, and a pair to
//     every part that holds both its documents (a pair between two
//     parts is dropped);
//   - each part is clustered with stage.ClusterSketches (partFn), and
//     so are its anchors alone, which every part does alike: a cluster
//     that holds an anchor takes the anchors' cluster of its first
//     anchor in group order, with that cluster's canonical; a cluster
//     without one keeps its own.
//
// A part holds about MaxComponent documents, and more when the component
// has exact keys of more than KeyGroup documents (their first documents
// are in every part); the pairs between anchors are in every part too.
// The result is the command's but in these ways, all confined to
// components over MaxComponent: a canonical is chosen among the anchors
// (the most complete copies) of its cluster rather than among all its
// members; a document whose verified matches with its cluster all lie in
// other parts stays apart, or joins another cluster; and a cluster whose
// center is not an anchor is cut into one cluster per part. A family of
// copies whose canonical is among its anchors keeps its cluster and its
// canonical whole.

// defaultMaxComponent is the default Options.MaxComponent: a component
// of 65,536 documents is about 90 MB of sketches and pairs on its
// worker, and its anchors 4,096 documents, 6 MB in each part.
const defaultMaxComponent = 1 << 16

// Routes of the documents of large exact-copy families (doc.Route).
const (
	routeEverywhere = -1 // the representative: to every part
	routeOwn        = -2 // a copy: by its own position
)

// anchorsOf is the number of anchors, in group order, of a component
// split with this MaxComponent (besides the representatives of large
// exact-copy families): a sixteenth, so that every part repeats little,
// at least 2.
func anchorsOf(maxComponent int64) int { return int(max(2, maxComponent/16)) }

// countTable reads packed counts over a limit, keyed by a root or an
// exact key (hugeFn's output over sizeCountFn's, a side input), into a
// map from that key to its number of parts of about per documents, on
// first use: the huge components, or the huge exact keys.
func countTable(t *map[int64]uint64, iter func(*[]byte) bool, per int64) {
	if *t == nil {
		*t = hugeTable(iter, per, func(b []byte) int64 { return int64(readKeyCount(b).hash) })
	}
}

// anchorTable reads anchorFn's output (a side input) into a map from
// root to its anchors' positions.
func anchorTable(t *map[int64]map[int64]bool, iter func(*int64, *[]byte) bool) {
	if *t != nil {
		return
	}
	*t = make(map[int64]map[int64]bool)
	var root int64
	var b []byte
	for iter(&root, &b) {
		set := make(map[int64]bool, len(b)/anchorSize)
		for ; len(b) >= anchorSize; b = b[anchorSize:] {
			set[int64(binary.LittleEndian.Uint64(b[8:]))] = true
		}
		(*t)[root] = set
	}
}

// partOf is the part, of parts (a power of two), that a document routed
// by position route goes to.
func partOf(route int64, parts uint64) uint64 { return contentShard(uint64(route), 0, parts) }

// sizeCountFn sums labelFn's counts of each component of a bucket of
// roots: keyCountFn, with packed counts rather than filings as input.
type sizeCountFn struct{ keyCountFn }

func (f *sizeCountFn) AddInput(acc, counts []byte) []byte {
	return keyCounts.compact(append(acc, counts...), false)
}

// anchorSize is the size of a packed anchor candidate: its rank (0 for
// the representative of a large exact-copy family, then 1 +
// MaxUint32 - its shingles, group order), then its position.
const anchorSize = 16

// anchorFn keeps a component's anchors: every candidate of rank 0, and
// the first Keep others in group order. Its accumulator is packed
// candidates, in order after compaction.
type anchorFn struct{ Keep int }

func (f *anchorFn) CreateAccumulator() []byte { return nil }

func (f *anchorFn) AddInput(acc, c []byte) []byte { return f.compact(append(acc, c...), false) }

func (f *anchorFn) MergeAccumulators(a, b []byte) []byte { return f.compact(append(a, b...), false) }

func (f *anchorFn) ExtractOutput(acc []byte) []byte { return f.compact(acc, true) }

func (f *anchorFn) compact(acc []byte, force bool) []byte {
	n := len(acc) / anchorSize
	if !force && n <= 2*f.Keep+1024 {
		return acc
	}
	type cand struct{ rank, pos uint64 }
	cs := make([]cand, n)
	for i := range cs {
		b := acc[i*anchorSize:]
		cs[i] = cand{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.pos, b.pos)) })
	cs = slices.CompactFunc(cs, func(a, b cand) bool { return a == b })
	kept := 0
	out := acc[:0:0]
	for _, c := range cs {
		if c.rank != 0 {
			if kept == f.Keep {
				break
			}
			kept++
		}
		out = binary.LittleEndian.AppendUint64(out, c.rank)
		out = binary.LittleEndian.AppendUint64(out, c.pos)
	}
	return out
}

// splitDocFn takes the documents of huge components (the side input) out
// of docsByRoot, with each one's anchor candidacy: a representative of
// exact copies (Route its own position) by group order, and that of a
// large family (routeEverywhere) first; copies are not candidates.
type splitDocFn struct {
	Per  int64
	huge map[int64]uint64
}

func (f *splitDocFn) ProcessElement(root int64, d doc, huge func(*[]byte) bool, normal func(int64, doc), split func(int64, doc), candidate func(int64, []byte)) error {
	countTable(&f.huge, huge, f.Per)
	if _, ok := f.huge[root]; !ok {
		normal(root, d)
		return nil
	}
	split(root, d)
	var rank uint64
	switch d.Route {
	case routeEverywhere:
	case d.Pos:
		shingles, err := shinglesOf(d)
		if err != nil {
			return err
		}
		rank = 1 + math.MaxUint32 - uint64(shingles)
	default:
		return nil // a copy
	}
	c := binary.LittleEndian.AppendUint64(make([]byte, 0, anchorSize), rank)
	candidate(root, binary.LittleEndian.AppendUint64(c, uint64(d.Pos)))
	return nil
}

// partDocFn files a huge component's document under its part, or, an
// anchor, under every part.
type partDocFn struct {
	Per     int64
	huge    map[int64]uint64
	anchors map[int64]map[int64]bool
}

func (f *partDocFn) ProcessElement(ctx context.Context, root int64, d doc, huge func(*[]byte) bool, anchors func(*int64, *[]byte) bool, emit func(string, doc)) {
	countTable(&f.huge, huge, f.Per)
	anchorTable(&f.anchors, anchors)
	parts := f.huge[root]
	if f.anchors[root][d.Pos] {
		for p := range parts {
			emit(posShard(root, p), d)
		}
		return
	}
	beam.NewCounter("neardup.split", "documents of split components").Inc(ctx, 1)
	route := d.Route
	if route == routeOwn {
		route = d.Pos
	}
	emit(posShard(root, partOf(route, parts)), d)
}

// partEdgesFn takes the edge lists of huge components out of edgesByRoot
// and files each pair under every part that holds both its documents.
type partEdgesFn struct {
	Per     int64
	huge    map[int64]uint64
	anchors map[int64]map[int64]bool
}

func (f *partEdgesFn) ProcessElement(ctx context.Context, root int64, list []byte, huge func(*[]byte) bool, anchors func(*int64, *[]byte) bool, normal func(int64, []byte), split func(string, []byte)) {
	countTable(&f.huge, huge, f.Per)
	parts, ok := f.huge[root]
	if !ok {
		normal(root, list)
		return
	}
	anchorTable(&f.anchors, anchors)
	isAnchor := f.anchors[root]
	a := int64(binary.LittleEndian.Uint64(list))
	byPart := make(map[uint64][]uint64)
	dropped := 0
	for _, w := range appendPartners(nil, list[8:]) {
		b := int64(w >> 1)
		switch {
		case isAnchor[a] && isAnchor[b]:
			for p := range parts {
				byPart[p] = append(byPart[p], w)
			}
		case isAnchor[a]:
			pb := partOf(b, parts)
			byPart[pb] = append(byPart[pb], w)
		case isAnchor[b] || partOf(a, parts) == partOf(b, parts):
			pa := partOf(a, parts)
			byPart[pa] = append(byPart[pa], w)
		default:
			dropped++
		}
	}
	beam.NewCounter("neardup.split", "pairs between parts").Inc(ctx, int64(dropped))
	for p, ws := range byPart {
		split(posShard(root, p), edgeList(a, ws))
	}
}

// partFn clusters one part of a split component (see splitComponents) and
// emits its documents' results as componentFn does: the anchors' only
// from part 0.
type partFn struct {
	Config  []byte
	Pass    string
	Out     *shards
	cfg     *dedup.Config
	anchors map[int64]map[int64]bool
}

func (f *partFn) ProcessElement(ctx context.Context, key string, docs func(*doc) bool, edges func(*[]byte) bool, anchors func(*int64, *[]byte) bool, emitArticle func(int64, doc), emitLine func(int64, outLine), emitCount func(int64, int64)) error {
	defer timed(ctx, f.Pass+"/cluster", time.Now())
	if err := loadConfig(&f.cfg, f.Config); err != nil {
		return err
	}
	anchorTable(&f.anchors, anchors)
	root, part := shardOf(key)
	first := part == 0
	m, es, err := readComponent(ctx, docs, edges)
	if err != nil {
		return err
	}
	beam.NewCounter("neardup.split", "parts of split components").Inc(ctx, 1)
	isAnchor := f.anchors[root]
	anchorIdx := []int{}
	for i, d := range m.ds {
		if isAnchor[d.Pos] {
			anchorIdx = append(anchorIdx, i)
		}
	}
	all, err := m.cluster(*f.cfg, m.all(), es)
	if err != nil {
		return err
	}
	alone, err := m.cluster(*f.cfg, anchorIdx, es)
	if err != nil {
		return err
	}
	label := make(map[int]int, len(anchorIdx)) // anchor -> its anchors' cluster's canonical
	for k, i := range anchorIdx {
		label[i] = anchorIdx[alone.Clusters[alone.Docs[k].ClusterIndex].Canonical]
	}
	// A cluster with an anchor takes the label of its first in group
	// order.
	relabelled := make(map[int]bool)
	for _, i := range stage.GroupOrder(m.sk) {
		k := all.Docs[i].ClusterIndex
		if _, ok := label[i]; !ok || relabelled[k] {
			continue
		}
		relabelled[k] = true
		cl := &all.Clusters[k]
		l := label[i]
		cl.Canonical = l
		for _, j := range cl.Members {
			d := &all.Docs[j]
			d.Canonical, d.Similarity = j == l, 1
			if j != l && f.Out != nil { // the preliminary pass reads no similarity
				d.Similarity = f.cfg.Compare(&m.sk[j], &m.sk[l]).Jaccard
			}
		}
	}
	// Each document's result, k in res: the anchors' from their own
	// clustering, in part 0 only.
	type result struct {
		i, k   int
		anchor bool
	}
	var results []result
	at := 0
	for i := range m.ds {
		if at < len(anchorIdx) && anchorIdx[at] == i {
			if first {
				results = append(results, result{i, at, true})
			}
			at++
			continue
		}
		results = append(results, result{i, i, false})
	}
	if f.Out == nil {
		counts := make(map[int64]int64)
		for _, r := range results {
			canon := all.Clusters[all.Docs[r.k].ClusterIndex].Canonical
			if r.anchor {
				canon = anchorIdx[alone.Clusters[alone.Docs[r.k].ClusterIndex].Canonical]
			}
			art := m.ds[canon].Pos
			emitArticle(art, doc{Pos: m.ds[r.i].Pos, Lines: m.ds[r.i].Lines})
			counts[art]++
		}
		for art, n := range counts {
			emitCount(art, n)
		}
		return nil
	}
	allLines, err := resultLines(all)
	if err != nil {
		return err
	}
	aloneLines, err := resultLines(alone)
	if err != nil {
		return err
	}
	for _, r := range results {
		line := allLines[r.k]
		if r.anchor {
			line = aloneLines[r.k]
		}
		emitLine(f.Out.of(m.ds[r.i].Pos), outLine{m.ds[r.i].Pos, line})
	}
	return nil
}

// resultLines returns res's JSONL lines, one per document.
func resultLines(res *dedup.Clustering) ([][]byte, error) {
	var buf bytes.Buffer
	if err := res.WriteJSONL(&buf); err != nil {
		return nil, err
	}
	return bytes.SplitAfter(buf.Bytes(), []byte("\n"))[:len(res.Docs)], nil
}

// hugeArticleFn emits the articles of split components with more than
// Max documents, with their number of shards, as componentFn does.
type hugeArticleFn struct{ Max int64 }

func (f *hugeArticleFn) ProcessElement(art, n int64, emit func(int64, int64)) {
	if n > f.Max {
		emit(art, int64(hugeShards(uint64(n), uint64(f.Max))))
	}
}

func sumCounts(a, b int64) int64 { return a + b }

// splitComponents clusters the components of docsByRoot and edgesByRoot,
// those of more than maxComponent documents (by labelFn's sizes) split in
// parts (see the comment above defaultMaxComponent), and returns what
// componentFn returns for them all.
func splitComponents(s beam.Scope, cfg []byte, docsByRoot, edgesByRoot, sizes beam.PCollection, maxComponent, maxArticle int64, out *shards, pass string) (articles, lines, hugeArticles beam.PCollection) {
	per := max(1, maxComponent-int64(anchorsOf(maxComponent)))
	ss := s.Scope("giant components")
	huge := beam.ParDo(ss, &hugeFn{Max: maxComponent}, beam.CombinePerKey(ss, &sizeCountFn{}, sizes))
	docs, splitDocs, candidates := beam.ParDo3(ss, &splitDocFn{Per: per}, docsByRoot, beam.SideInput{Input: huge})
	anchors := beam.CombinePerKey(ss, &anchorFn{Keep: anchorsOf(maxComponent)}, candidates)
	partDocs := beam.ParDo(ss, &partDocFn{Per: per}, splitDocs, beam.SideInput{Input: huge}, beam.SideInput{Input: anchors})
	edges, partEdges := beam.ParDo2(ss, &partEdgesFn{Per: per}, edgesByRoot, beam.SideInput{Input: huge}, beam.SideInput{Input: anchors})
	articles, lines, hugeArticles = beam.ParDo3(s, &componentFn{Config: cfg, Out: out, Pass: pass, MaxArticle: maxArticle}, beam.CoGroupByKey(s, docs, edges))
	articles2, lines2, counts := beam.ParDo3(ss, &partFn{Config: cfg, Out: out, Pass: pass}, beam.CoGroupByKey(ss, partDocs, partEdges), beam.SideInput{Input: anchors})
	huge2 := beam.ParDo(ss, &hugeArticleFn{Max: maxArticle}, beam.CombinePerKey(ss, sumCounts, counts))
	return beam.Flatten(s, articles, articles2), beam.Flatten(s, lines, lines2), beam.Flatten(s, hugeArticles, huge2)
}
