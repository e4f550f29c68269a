package dedup

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// neighbors holds, for a batch of documents in grouping order, their
// verified matches among the candidates an Index would give if the
// documents were added in that order: the same bands, leads and posting
// caps, found by sorting instead of probing, and verified in parallel.
// Positions are places in the grouping order.
type neighbors struct {
	start []uint32 // edges of position p are edges[start[p]:start[p+1]]
	edges []neighbor
}

// neighbor is a verified match of a document.
type neighbor struct {
	pos     uint32  // the other document's position; a smaller one comes first
	stored  bool    // it is in the Index's postings once all are added
	jaccard float64 // estimated Jaccard similarity, for ordering
}

// of returns the verified matches of position p, most similar first
// (ties: earliest first), as Index.Query orders them.
func (nb *neighbors) of(p int) []neighbor { return nb.edges[nb.start[p]:nb.start[p+1]] }

// Verification reads, for each candidate pair, the earlier document's
// place in order, its Sketch and its signature: three dependent reads at
// random places in arrays of hundreds of megabytes at 10^6 documents
// (the later document is the same for runs of pairs). Done as they come,
// each waits for memory, and a pair took about 450 ns, most of it
// waiting. prefetchPair starts them ahead, each stage of the chain
// prefetchAhead pairs before it is needed, once the stage before it has
// arrived.
const prefetchAhead = 4

// prefetchPair prefetches, for pairs[j+prefetchAhead·k], the k-th stage
// of what verifying it reads: for k = 3 the place in order, for k = 2 the
// Sketch, for k = 1 the signature's first two cache lines (the hardware
// follows the others).
func prefetchPair(sk []Sketch, order []int, pairs []uint64, j int) {
	if i := j + 3*prefetchAhead; i < len(pairs) {
		prefetch(unsafe.Pointer(&order[uint32(pairs[i]>>1)]))
	}
	if i := j + 2*prefetchAhead; i < len(pairs) {
		prefetch(unsafe.Pointer(&sk[order[uint32(pairs[i]>>1)]]))
	}
	if i := j + prefetchAhead; i < len(pairs) {
		if sig := sk[order[uint32(pairs[i]>>1)]].sig; len(sig) > 0 {
			p := unsafe.Pointer(unsafe.SliceData(sig))
			prefetch(p)
			prefetch(unsafe.Add(p, 64))
		}
	}
}

// verifyPairs verifies candidate pairs (packed by pair, sorted and without
// repeats) of sk taken in order and returns the matches as adjacency
// lists.
func (c Config) verifyPairs(sk []Sketch, order []int, pairs []uint64) *neighbors {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	// Verify in parallel, in chunks whose results keep their order.
	type match struct {
		later, earlier uint32
		stored         bool
		jaccard        float64
	}
	const chunk = 4096
	results := make([][]match, (len(pairs)+chunk-1)/chunk)
	next := make(chan int, len(results))
	for k := range results {
		next <- k
	}
	close(next)
	for range workers {
		wg.Go(func() {
			// A chunk's matches gather in one buffer and are kept at
			// their size: in a family of near copies most candidates
			// match, and growing each chunk's list from nothing took
			// 4.7 s of the clustering stage's 63 s of CPU at 10^6
			// documents with families.
			var out []match
			for k := range next {
				out = out[:0]
				ps := pairs[k*chunk : min(len(pairs), (k+1)*chunk)]
				for j, v := range ps {
					prefetchPair(sk, order, ps, j)
					later, earlier := uint32(v>>33), uint32(v>>1)&(1<<32-1)
					a, b := &sk[order[later]], &sk[order[earlier]]
					if c.cannotMatch(a, b) {
						continue // most candidates: a band shared by chance
					}
					if m := c.compare(a, b); m.Duplicate {
						out = append(out, match{later, earlier, v&1 == 1, m.Jaccard})
					}
				}
				results[k] = slices.Clone(out)
			}
		})
	}
	wg.Wait()

	// Adjacency lists.
	n := len(order)
	nb := &neighbors{start: make([]uint32, n+1)}
	for _, r := range results {
		for _, m := range r {
			nb.start[m.later+1]++
			nb.start[m.earlier+1]++
		}
	}
	for p := range n {
		nb.start[p+1] += nb.start[p]
	}
	nb.edges = make([]neighbor, nb.start[n])
	fill := slices.Clone(nb.start[:n])
	for _, r := range results {
		for _, m := range r {
			nb.edges[fill[m.later]] = neighbor{pos: m.earlier, stored: true, jaccard: m.jaccard}
			fill[m.later]++
			nb.edges[fill[m.earlier]] = neighbor{pos: m.later, stored: m.stored, jaccard: m.jaccard}
			fill[m.earlier]++
		}
	}
	// Each list sorted, on every core, in shares of the edges, each
	// sorting the lists that start in it: a family's members, which have
	// most of the edges, lie together in order, so that shares of
	// positions would leave their lists to one core.
	inShares(int(nb.start[n]), func(lo, hi int) {
		p, _ := slices.BinarySearch(nb.start[:n], uint32(lo))
		for ; p < n && int(nb.start[p]) < hi; p++ {
			slices.SortFunc(nb.of(p), func(x, y neighbor) int { return engine.ByJaccard(x.jaccard, y.jaccard, cmp.Compare(x.pos, y.pos)) })
		}
	})
	return nb
}
