package dedup

import (
	"fmt"
	"math"
	"sync"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// A document's path through a batch run, file by file:
//
//	cluster.go     Cluster → ClusterReader → clusterSketches
//	read.go        sketchCorpus: sketchPass reads and sketches (sketch.go),
//	               boilerplate.go learns boilerplate, sketchPass again
//	group.go       exactCopies, then in groupOrder:
//	candidates.go  candidatePairs from the keys (keys.go)
//	verify.go      verifyPairs with Compare (match.go, estimate.go, align.go)
//	group.go       group: each document against its cluster's center
//	canonical.go   score: the canonical of each cluster
//	result.go      the Clustering returned

// Cluster groups docs into clusters of copies and picks each cluster's
// canonical document. It learns boilerplate lines from the batch first:
// lines carried by at least BoilerplateArticles preliminary clusters, and
// headline-sized lines carried by at least two, are left out of every
// document's content (a link's line is kept where it is the headline of
// the article it names). The result is deterministic: it depends on the
// documents and their order, not on timing or the number of CPUs. The
// only error is c's Validate error. Cluster is safe for concurrent use.
func (c Config) Cluster(docs []Doc) (*Clustering, error) {
	return c.ClusterReader(func(_ func(int) bool, yield func(Doc) bool) error {
		for _, d := range docs {
			if !yield(Doc{ID: d.ID, Text: d.Text}) {
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
// yielding it, until its Release, if it set one, is called.
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
	// Only sc's spill is used after this: the corpus's []Sketch lives on
	// as the result's sketches (DocResult.Sketch points into it).
	ids, sk := sc.IDs, sc.Sketches
	lines, docs := sc.BoilerplateLines, sc.BoilerplateDocs
	res, err := c.clusterSketches(ids, sk, nil)
	if err == nil {
		err = sc.spill.error()
	}
	if err != nil {
		return nil, err
	}
	res.BoilerplateLines, res.BoilerplateDocs = lines, docs
	return res, nil
}

// candidatePair is a candidate pair of the grouping stage (see
// stage.Pair): two documents, by position in groupOrder, that share an
// index key (appendIndexKeys: band, lead and run keys), as an Index
// filled in groupOrder would pair them under banding.Postings, with keys
// compared as banding.GroupingKey files them (see entry).
type candidatePair = engine.Pair

// groupOrder returns the order in which the grouping stage takes
// documents: most shingles first, ties in input order.
func groupOrder(sk []Sketch) []int {
	// Sorted as numbers, (MaxUint32 - shingles) << 32 | place is the
	// order wanted, and a radix sort takes linear time: a stable sort
	// with a comparator took 0.45 s of one core at 10^6 documents, twice.
	keys := make([]uint64, len(sk))
	for i := range sk {
		keys[i] = uint64(math.MaxUint32-uint32(sk[i].shingles))<<32 | uint64(i)
	}
	keys = sortUint64(keys)
	order := make([]int, len(sk))
	for k, key := range keys {
		order[k] = int(uint32(key))
	}
	return order
}

// clusterSketches is the last stage of ClusterReader, for sketches made
// elsewhere (an export, a Beam pipeline): it groups the documents and picks
// each cluster's canonical. sk are the documents' final sketches, in input
// order, with every field Sketch has. With pairs nil, the candidate pairs
// are found here; otherwise pairs must be exactly the candidate pairs of
// sk (see Pair), in any order, and the result equals the one found here.
func (c Config) clusterSketches(ids []string, sk []Sketch, pairs []candidatePair) (res *Clustering, err error) {
	inStage("clustering", func() { res, err = c.clusterStage(ids, sk, pairs) })
	return res, err
}

// clusterStage is clusterSketches, run under its stage label.
func (c Config) clusterStage(ids []string, sk []Sketch, pairs []candidatePair) (*Clustering, error) {
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
		var err error
		if packed, err = c.candidatePairs(sk, order, rep); err != nil {
			return nil, err
		}
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
	// The results (168 bytes a document, 1.7 GB at 10^7 documents) are
	// made when group first records a verdict, once it has verified the
	// candidate pairs and dropped them: the pairs and their verification
	// are the stage's peak of memory, which the results would add to.
	var made sync.Once
	makeDocs := func() { res.Docs = make([]DocResult, n) }
	center := c.group(sk, order, packed, rep, func(i int) *Match { made.Do(makeDocs); return &res.Docs[i].Match })
	made.Do(makeDocs)
	// Clusters numbered in order of their first member; every cluster's
	// members in one array, cut into full slices, rather than a slice and
	// a map entry each (a million documents make most of a million
	// clusters).
	byCenter := make([]int32, n) // center -> cluster index + 1
	sizes := make([]int, 0, n/2)
	for i := range n {
		k := byCenter[center[i]] - 1
		if k < 0 {
			k = int32(len(sizes))
			byCenter[center[i]] = k + 1
			sizes = append(sizes, 0)
		}
		sizes[k]++
		d := &res.Docs[i] // Match set by group
		d.ID, d.ClusterIndex, d.Sketch = ids[i], int(k), &sk[i]
	}
	sketch := func(i int) *Sketch { return &sk[i] }
	res.Clusters = make([]Cluster, len(sizes))
	members := make([]int, n)
	at := 0
	for k, size := range sizes {
		res.Clusters[k].Members = members[at : at : at+size]
		at += size
	}
	for i := range n {
		cl := &res.Clusters[res.Docs[i].ClusterIndex]
		cl.Members = append(cl.Members, i)
	}
	// Each cluster's canonical and its members' similarities to it, on
	// GOMAXPROCS goroutines, each taking a share of the clusters: a
	// cluster writes only its own entry and its members' documents.
	inShares(len(res.Clusters), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			cl := &res.Clusters[k]
			cl.Scores = c.score(cl.Members, sketch)
			cl.Canonical = cl.Scores[0].Doc
			canon := &res.Docs[cl.Canonical]
			canon.Canonical = true
			for _, i := range cl.Members {
				if d := &res.Docs[i]; i == cl.Canonical {
					d.Similarity = 1
				} else {
					d.Similarity = compareJaccard(d.Sketch, canon.Sketch)
				}
			}
		}
	})
	return res, nil
}
