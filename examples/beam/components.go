package pipeline

import (
	"cmp"
	"context"
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
// "Connected Components in MapReduce and Beyond", 2014), each one
// GroupByKey by node (a group takes a bucket of nodes): large-star links each node's larger neighbours to
// the least node of its neighbourhood, small-star links a node and its
// smaller neighbours to the least of them. Both keep every component
// connected, and together they turn each component into a star around its
// least node in O(log² n) rounds for n nodes, O(log n) in practice: copies
// of one article form stars and short chains, which take two or three. A
// group holds a bucket's nodes and their neighbours: about the corpus's
// nodes over buckets, more when one node is linked to a large component.
//
// The graph of a pipeline cannot loop until done, so rounds pairs of
// rounds are laid out; the last step checks that every component is a
// star and fails the pipeline with an error naming the rounds if one is
// not (Options.Rounds).
// pass names the steps for --timings.
func components(s beam.Scope, links beam.PCollection, rounds int, buckets int64, pass string) beam.PCollection {
	for r := range rounds {
		rs := s.Scope(fmt.Sprintf("round%02d", r))
		links = beam.ParDo(rs, &starFn{Large: true, Pass: pass}, beam.GroupByKey(rs, beam.ParDo(rs, &bothWaysFn{buckets}, links)))
		links = beam.ParDo(rs, &starFn{Pass: pass}, beam.GroupByKey(rs, beam.ParDo(rs, &downwardFn{buckets}, links)))
	}
	return beam.ParDo(s, &rootFn{Rounds: rounds, Pass: pass}, beam.GroupByKey(s, beam.ParDo(s, &bothWaysFn{buckets}, links)))
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

// byNode calls f with each node of a bucket's links and its distinct
// neighbours, sorted.
func byNode(ctx context.Context, next func(*nodeLink) bool, f func(u int64, ns []int64) error) error {
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
		if err := f(ls[lo].Node, ns); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// starFn is a large-star round (neighbours from both directions) or a
// small-star round (smaller neighbours only, as downwardFn files them).
type starFn struct {
	Large bool
	Pass  string
}

func (f *starFn) ProcessElement(ctx context.Context, _ int64, next func(*nodeLink) bool, emit func(int64, int64)) {
	defer timed(ctx, f.Pass+"/components", time.Now())
	byNode(ctx, next, func(u int64, ns []int64) error {
		groupSize(ctx, "component nodes", len(ns), 8*len(ns))
		for _, l := range star(u, ns, f.Large) {
			emit(l[0], l[1])
		}
		return nil
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

// rootFn names each node's root once the components are stars: a node
// with no smaller neighbour is a root, and every other has exactly one,
// its root, and no larger one.
type rootFn struct {
	Rounds int
	Pass   string
}

func (f *rootFn) ProcessElement(ctx context.Context, _ int64, next func(*nodeLink) bool, emit func(int64, int64)) error {
	defer timed(ctx, f.Pass+"/components", time.Now())
	return byNode(ctx, next, func(u int64, ns []int64) error {
		root, err := rootOf(u, ns)
		if err != nil {
			return fmt.Errorf("connected components: %w after %d rounds; raise Options.Rounds", err, f.Rounds)
		}
		emit(u, root)
		return nil
	})
}

// rootOf returns u's root from its distinct sorted neighbours, or an
// error when u's component is not a star around its least node yet.
func rootOf(u int64, ns []int64) (int64, error) {
	if len(ns) == 0 || ns[0] > u {
		return u, nil
	}
	if len(ns) > 1 {
		return 0, fmt.Errorf("node %d has %d neighbours and is not its component's least", u, len(ns))
	}
	return ns[0], nil
}
