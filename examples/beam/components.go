package pipeline

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// components returns the connected components of links, a PCollection of
// KV<int64, int64> (undirected links between nodes): KV<node, root> for
// every node of a link, root being the least node of its component.
//
// It alternates large-star and small-star rounds (Kiveris et al.,
// "Connected Components in MapReduce and Beyond", 2014): large-star links
// each node's larger neighbours to the least node of its neighbourhood,
// small-star links a node and its smaller neighbours to the least of
// them. Both keep every component connected, and together they turn each
// component into a star around its least node in O(log² n) rounds for n
// nodes, O(log n) in practice: copies of one article form stars and short
// chains, which take two or three.
//
// A round groups each node with its neighbours (GroupByKey by node, a
// group taking a bucket of nodes), except for a hub: a node with more
// than hub links in the round. The center of a star of copies is linked
// to every member of a family, a share of the corpus, and its links
// repeat, once for each node that sends a member to it. A combiner keyed
// by bucket (nodeStatFn) counts each node's links and keeps its least
// neighbour, which is all a round needs to know of a node; the hubs, few,
// become a side input, and their links are rewritten where they are
// (routeLinkFn) rather than grouped. A group then holds a bucket's nodes
// of at most hub links each: about the corpus's links over buckets.
//
// The graph of a pipeline cannot loop until done, so rounds pairs of
// rounds are laid out; the last step, which combines each node's least
// and greatest neighbour rather than grouping its links, checks that
// every component is a star and fails the pipeline with an error naming
// the rounds if one is not (Options.Rounds).
// pass names the steps for --timings.
func components(s beam.Scope, links beam.PCollection, rounds int, buckets, hub int64, pass string) beam.PCollection {
	for r := range rounds {
		rs := s.Scope(fmt.Sprintf("round%02d", r))
		links = starRound(rs.Scope("large"), beam.ParDo(rs, &bothWaysFn{buckets}, links), true, hub, pass)
		links = starRound(rs.Scope("small"), beam.ParDo(rs, &downwardFn{buckets}, links), false, hub, pass)
	}
	stats := beam.CombinePerKey(s, &nodeStatFn{}, beam.ParDo(s, &bothWaysFn{buckets}, links))
	return beam.ParDo(s, &rootFn{Rounds: rounds, Pass: pass}, stats)
}

// starRound is one large-star or small-star round over filed, links
// filed under their node's bucket as KV<bucket, nodeLink>: the links of
// hubs (nodes of more than hub links) are rewritten by routeLinkFn, the
// others grouped by bucket for starFn.
func starRound(s beam.Scope, filed beam.PCollection, large bool, hub int64, pass string) beam.PCollection {
	hubs := beam.ParDo(s, &hubsFn{Max: hub}, beam.CombinePerKey(s, &nodeStatFn{}, filed))
	grouped, rewritten := beam.ParDo2(s, &routeLinkFn{Large: large}, filed, beam.SideInput{Input: hubs})
	return beam.Flatten(s, rewritten, beam.ParDo(s, &starFn{Large: large, Pass: pass}, beam.GroupByKey(s, grouped)))
}

// nodeLink is a link seen from Node.
type nodeLink struct{ Node, Other int64 }

// nodeBucket is the group that takes a node's links: a runner's cost per
// group key comes once per bucket of nodes rather than once per node.
func nodeBucket(node, buckets int64) int64 {
	return int64(uint64(node) * 0x9e3779b97f4a7c15 % uint64(buckets))
}

// bothWaysFn files a link under each of its nodes.
type bothWaysFn struct{ Buckets int64 }

func (f *bothWaysFn) ProcessElement(u, v int64, emit func(int64, nodeLink)) {
	emit(nodeBucket(u, f.Buckets), nodeLink{u, v})
	emit(nodeBucket(v, f.Buckets), nodeLink{v, u})
}

// downwardFn files a link under its larger node.
type downwardFn struct{ Buckets int64 }

func (f *downwardFn) ProcessElement(u, v int64, emit func(int64, nodeLink)) {
	emit(nodeBucket(max(u, v), f.Buckets), nodeLink{max(u, v), min(u, v)})
}

// nodeStatSize is the size of a packed nodeStat: node, links, least and
// greatest neighbour.
const nodeStatSize = 32

// nodeStat is what a round knows of a node from its filed links, repeats
// included: how many there are, and its least and greatest neighbour.
type nodeStat struct {
	node, n, lo, hi int64
}

func appendNodeStat(b []byte, s nodeStat) []byte {
	for _, v := range [...]int64{s.node, s.n, s.lo, s.hi} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return b
}

func readNodeStat(b []byte) nodeStat {
	r := func(i int) int64 { return int64(binary.LittleEndian.Uint64(b[8*i:])) }
	return nodeStat{r(0), r(1), r(2), r(3)}
}

// nodeStatFn combines the links of a bucket's nodes into a nodeStat each;
// its accumulator (packing.compact) holds a bucket's nodes a few times at
// most, however many links one of them has.
type nodeStatFn struct{}

func (f *nodeStatFn) CreateAccumulator() []byte { return make([]byte, 8) }

func (f *nodeStatFn) AddInput(acc []byte, l nodeLink) []byte {
	return nodeStats.compact(appendNodeStat(acc, nodeStat{l.Node, 1, l.Other, l.Other}), false)
}

func (f *nodeStatFn) MergeAccumulators(a, b []byte) []byte {
	return nodeStats.compact(append(a, b[8:]...), false)
}

func (f *nodeStatFn) ExtractOutput(acc []byte) []byte { return nodeStats.compact(acc, true)[8:] }

// nodeStats packs nodeStats, merged by adding their counts and taking
// the least and greatest neighbour.
var nodeStats = packing[nodeStat]{nodeStatSize, readNodeStat, appendNodeStat,
	func(a, b nodeStat) int { return cmp.Compare(a.node, b.node) },
	func(o *nodeStat, s nodeStat) { o.n, o.lo, o.hi = o.n+s.n, min(o.lo, s.lo), max(o.hi, s.hi) }}

// hubsFn emits a bucket's hubs, the nodes of more than Max links, as
// packed nodeStats.
type hubsFn struct{ Max int64 }

func (f *hubsFn) ProcessElement(_ int64, stats []byte, emit func([]byte)) {
	nodeStats.emitOver(stats, func(s nodeStat) bool { return s.n > f.Max }, emit)
}

// routeLinkFn passes a filed link on to its bucket's group, unless its
// node is a hub (the side input): it then emits what starFn would for
// that link, from the hub's least neighbour alone. It emits a link once
// for each of its repeats, where starFn merges them; the next round's
// groups merge them again.
type routeLinkFn struct {
	Large bool
	hubs  map[int64]int64 // hub -> its least neighbour
}

func (f *routeLinkFn) ProcessElement(ctx context.Context, bucket int64, l nodeLink, hubs func(*[]byte) bool, grouped func(int64, nodeLink), rewritten func(int64, int64)) {
	if f.hubs == nil {
		f.hubs = make(map[int64]int64)
		var b []byte
		for hubs(&b) {
			for ; len(b) >= nodeStatSize; b = b[nodeStatSize:] {
				s := readNodeStat(b)
				f.hubs[s.node] = s.lo
			}
		}
	}
	lo, ok := f.hubs[l.Node]
	if !ok {
		grouped(bucket, l)
		return
	}
	name := "links of hub nodes, small-star"
	if f.Large {
		name = "links of hub nodes, large-star"
	}
	beam.NewCounter("neardup.split", name).Inc(ctx, 1)
	u, v := l.Node, l.Other
	switch {
	case f.Large && v > u: // large-star: v to the least of u and its neighbours
		rewritten(v, min(u, lo))
	case !f.Large && v != lo: // small-star: every neighbour to the least
		rewritten(v, lo)
	case !f.Large: // and u itself, from its link to the least
		rewritten(u, lo)
	}
}

// byNode calls f with each node of a bucket's links and its distinct
// neighbours, sorted.
func byNode(ctx context.Context, next func(*nodeLink) bool, f func(u int64, ns []int64)) {
	var ls []nodeLink
	var l nodeLink
	for next(&l) {
		ls = append(ls, l)
	}
	groupSize(ctx, "node buckets", len(ls), 16*len(ls))
	slices.SortFunc(ls, func(a, b nodeLink) int { return cmp.Or(cmp.Compare(a.Node, b.Node), cmp.Compare(a.Other, b.Other)) })
	ns := make([]int64, 0, 16)
	for lo := 0; lo < len(ls); {
		ns = ns[:0]
		hi := lo
		for ; hi < len(ls) && ls[hi].Node == ls[lo].Node; hi++ {
			if len(ns) == 0 || ns[len(ns)-1] != ls[hi].Other {
				ns = append(ns, ls[hi].Other)
			}
		}
		f(ls[lo].Node, ns)
		lo = hi
	}
}

// starFn is a large-star round (neighbours from both directions) or a
// small-star round (smaller neighbours only, as downwardFn files them).
type starFn struct {
	Large bool
	Pass  string
}

func (f *starFn) ProcessElement(ctx context.Context, _ int64, next func(*nodeLink) bool, emit func(int64, int64)) {
	defer timed(ctx, f.Pass+"/components", time.Now())
	byNode(ctx, next, func(u int64, ns []int64) {
		groupSize(ctx, "component nodes", len(ns), 8*len(ns))
		for _, l := range star(u, ns, f.Large) {
			emit(l[0], l[1])
		}
	})
}

// star returns a round's links for node u with distinct sorted
// neighbours ns: large-star links each neighbour larger than u to the
// least of u and ns; small-star (ns all smaller than u) links u and each
// of ns to the least of them.
func star(u int64, ns []int64, large bool) [][2]int64 {
	if len(ns) == 0 {
		return nil
	}
	m := min(u, ns[0])
	var out [][2]int64
	if large {
		for _, v := range ns {
			if v > u {
				out = append(out, [2]int64{v, m})
			}
		}
		return out
	}
	for _, v := range append(ns, u) {
		if v != m {
			out = append(out, [2]int64{v, m})
		}
	}
	return out
}

// rootFn names each node's root once the components are stars, from the
// nodeStats of a bucket of nodes (links filed both ways): a node with no
// smaller neighbour is a root, and every other has exactly one
// neighbour, its root.
type rootFn struct {
	Rounds int
	Pass   string
}

func (f *rootFn) ProcessElement(ctx context.Context, _ int64, stats []byte, emit func(int64, int64)) error {
	defer timed(ctx, f.Pass+"/components", time.Now())
	groupSize(ctx, "node stats", len(stats)/nodeStatSize, len(stats))
	for ; len(stats) >= nodeStatSize; stats = stats[nodeStatSize:] {
		s := readNodeStat(stats)
		root, err := rootOf(s)
		if err != nil {
			return fmt.Errorf("connected components: %w after %d rounds; raise Options.Rounds", err, f.Rounds)
		}
		emit(s.node, root)
	}
	return nil
}

// rootOf returns a node's root from its nodeStat, or an error when its
// component is not a star around its least node yet.
func rootOf(s nodeStat) (int64, error) {
	if s.lo > s.node {
		return s.node, nil
	}
	if s.hi != s.lo {
		return 0, fmt.Errorf("node %d has neighbours %d to %d and is not its component's least", s.node, s.lo, s.hi)
	}
	return s.lo, nil
}
