package pipeline

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/google/go-cmp/cmp"
)

// rounds runs the star rounds in memory, as components lays them out, and
// returns the number of round pairs after which every component is a
// star (rootOf accepts every node), and the roots.
func rounds(links [][2]int64, limit int) (int, map[int64]int64) {
	adjacency := func(links [][2]int64, large bool) map[int64][]int64 {
		adj := map[int64][]int64{}
		for _, l := range links {
			u, v := l[0], l[1]
			if large {
				adj[u], adj[v] = append(adj[u], v), append(adj[v], u)
			} else {
				adj[max(u, v)] = append(adj[max(u, v)], min(u, v))
			}
		}
		for u, ns := range adj {
			slices.Sort(ns)
			adj[u] = slices.Compact(ns)
		}
		return adj
	}
	step := func(links [][2]int64, large bool) [][2]int64 {
		var out [][2]int64
		for u, ns := range adjacency(links, large) {
			out = append(out, star(u, ns, large)...)
		}
		return out
	}
	for r := 0; r <= limit; r++ {
		roots := map[int64]int64{}
		ok := true
		for u, ns := range adjacency(links, true) {
			root, err := rootOf(nodeStat{u, int64(len(ns)), ns[0], ns[len(ns)-1]})
			if err != nil {
				ok = false
				break
			}
			roots[u] = root
		}
		if ok {
			return r, roots
		}
		links = step(step(links, true), false)
	}
	return -1, nil
}

// The star rounds turn every component into a star around its least node
// within DefaultRounds: paths (the worst case for label propagation) in
// order, reversed and shuffled, stars, and random graphs, whose roots are
// checked against a union-find.
func TestComponentsConverge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	path := func(n int, label func(int) int64) [][2]int64 {
		var ls [][2]int64
		for i := 1; i < n; i++ {
			ls = append(ls, [2]int64{label(i - 1), label(i)})
		}
		return ls
	}
	perm := rng.Perm(100000)
	random := func(nodes, links int) [][2]int64 {
		var ls [][2]int64
		for len(ls) < links {
			if u, v := rng.Int64N(int64(nodes)), rng.Int64N(int64(nodes)); u != v { // edges join two documents
				ls = append(ls, [2]int64{u, v})
			}
		}
		return ls
	}
	cases := map[string][][2]int64{
		"path in order":      path(100000, func(i int) int64 { return int64(i) }),
		"path of 100":        path(100, func(i int) int64 { return int64(i) }),
		"path of 1000":       path(1000, func(i int) int64 { return int64(i) }),
		"path of 10000":      path(10000, func(i int) int64 { return int64(i) }),
		"path reversed":      path(100000, func(i int) int64 { return int64(100000 - i) }),
		"path shuffled":      path(100000, func(i int) int64 { return int64(perm[i]) }),
		"star":               path(2, func(i int) int64 { return int64(i) }),
		"random sparse":      random(50000, 30000),
		"random giant":       random(20000, 60000),
		"two nodes one link": {{7, 3}},
	}
	for i := 1; i < 1000; i++ {
		cases["star"] = append(cases["star"], [2]int64{int64(i * 37 % 1000), 500})
	}
	for name, links := range cases {
		n, roots := rounds(links, DefaultRounds)
		if n < 0 {
			t.Errorf("%s: not stars after %d rounds", name, DefaultRounds)
			continue
		}
		t.Logf("%s: %d round pairs", name, n)
		// The least node of each component, by union-find.
		parent := map[int64]int64{}
		var find func(int64) int64
		find = func(x int64) int64 {
			p, ok := parent[x]
			if !ok || p == x {
				return x
			}
			r := find(p)
			parent[x] = r
			return r
		}
		for _, l := range links {
			a, b := find(l[0]), find(l[1])
			parent[max(a, b)] = min(a, b)
		}
		for _, l := range links {
			for _, u := range l {
				if roots[u] != find(u) {
					t.Fatalf("%s: root of %d is %d, want %d", name, u, roots[u], find(u))
				}
			}
		}
	}
}

// The pipeline's components step gives each node its component's least
// node, and fails, saying so, when the rounds are too few; with hubs (a
// star of 200 around node 1000, and at hub 1 every node of two links or
// more) as without.
func TestComponentsPipeline(t *testing.T) {
	links := [][2]int64{{5, 9}, {9, 2}, {2, 14}, {14, 20}, {20, 11}, {30, 31}, {40, 41}, {41, 42}}
	want := []kv{{5, 2}, {9, 2}, {2, 2}, {14, 2}, {20, 2}, {11, 2}, {30, 30}, {31, 30}, {40, 40}, {41, 40}, {42, 40}}
	for i := int64(100); i < 164; i++ { // a path that takes several rounds
		links = append(links, [2]int64{i, i + 1})
		want = append(want, kv{i + 1, 100})
	}
	want = append(want, kv{100, 100})
	for i := int64(1); i <= 200; i++ { // a star whose leaves link on to another node each
		links = append(links, [2]int64{1000, 1000 + i}, [2]int64{1000 + i, 2000 + i})
		want = append(want, kv{1000 + i, 1000}, kv{2000 + i, 1000})
	}
	links = append(links, [2]int64{2200, 999}) // and whose least is one of them
	want = append(want, kv{1000, 999}, kv{999, 999})
	for i := range want {
		if want[i].Root >= 1000 {
			want[i].Root = 999
		}
	}
	run := func(r int, hub int64) (beam.PipelineResult, error) {
		p, s := beam.NewPipelineWithRoot()
		in := beam.ParDo(s, func(l [2]int64) (int64, int64) { return l[0], l[1] }, beam.CreateList(s, links))
		got := beam.ParDo(s, func(u, r int64) kv { return kv{u, r} }, components(s, in, r, 3, hub, "test"))
		passert.EqualsList(s, got, want)
		return direct.Execute(context.Background(), p)
	}
	for _, hub := range []int64{4096, 8, 1} {
		res, err := run(DefaultRounds, hub)
		if err != nil {
			t.Fatalf("hub %d: %v", hub, err)
		}
		switch hub {
		case 8:
			checkSplit(t, res, "links of hub nodes, large-star")
		case 1:
			checkSplit(t, res, "links of hub nodes, large-star", "links of hub nodes, small-star")
		}
		if _, err := run(1, hub); err == nil {
			t.Fatalf("hub %d: a path of 65 nodes became a star in one round pair", hub)
		}
	}
}

// nodeStatFn gives the same stats however a runner splits and merges its
// input, and rootOf reads a star from them.
func TestNodeStatFnMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 20 {
		var ls []nodeLink
		want := map[int64]nodeStat{}
		for range 1 + rng.IntN(5000) {
			l := nodeLink{rng.Int64N(300), rng.Int64N(1000)}
			if rng.IntN(2) == 0 {
				l.Node = 7 // a hub
			}
			ls = append(ls, l)
			s, ok := want[l.Node]
			if !ok {
				s = nodeStat{l.Node, 0, l.Other, l.Other}
			}
			s.n, s.lo, s.hi = s.n+1, min(s.lo, l.Other), max(s.hi, l.Other)
			want[l.Node] = s
		}
		got := map[int64]nodeStat{}
		last := int64(-1)
		for b := combineShares(rng, &nodeStatFn{}, ls); len(b) > 0; b = b[nodeStatSize:] {
			s := readNodeStat(b)
			if s.node <= last {
				t.Fatalf("round %d: node %d after %d", round, s.node, last)
			}
			got[s.node], last = s, s.node
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(nodeStat{})); diff != "" {
			t.Fatalf("round %d: stats (-want +got):\n%s", round, diff)
		}
	}
	for _, c := range []struct {
		s    nodeStat
		root int64
		ok   bool
	}{
		{nodeStat{5, 3, 6, 9}, 5, true},  // a center
		{nodeStat{5, 2, 2, 2}, 2, true},  // a leaf, one link repeated
		{nodeStat{5, 2, 2, 3}, 0, false}, // two smaller neighbours
		{nodeStat{5, 2, 2, 9}, 0, false}, // a smaller and a larger
	} {
		root, err := rootOf(c.s)
		if root != c.root || (err == nil) != c.ok {
			t.Errorf("rootOf(%+v) = %d, %v; want %d, ok %v", c.s, root, err, c.root, c.ok)
		}
	}
}

type kv struct{ Node, Root int64 }
