package dedup

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
)

// LSHParams is a banding of a signature: Bands bands of Rows elements. Two
// documents are candidates when all elements of at least one band agree,
// which happens with probability 1-(1-s^Rows)^Bands at Jaccard similarity s.
type LSHParams struct {
	Bands, Rows int
	// Threshold is the similarity the banding was chosen for.
	Threshold float64
	// FalsePositive is the area under the candidate probability curve
	// below Threshold, and FalseNegative the area above it of the
	// probability of not being a candidate: the weighted error rates the
	// choice minimised.
	FalsePositive, FalseNegative float64
}

func (p LSHParams) String() string {
	return fmt.Sprintf("%d bands x %d rows for threshold %.2f (false positive area %.4f, false negative area %.4f)",
		p.Bands, p.Rows, p.Threshold, p.FalsePositive, p.FalseNegative)
}

// Probability returns the probability that two documents of Jaccard
// similarity s become candidates.
func (p LSHParams) Probability(s float64) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(p.Rows)), float64(p.Bands))
}

func integrate(f func(float64) float64, a, b float64) float64 {
	const steps = 200
	h := (b - a) / steps
	sum := 0.5 * (f(a) + f(b))
	for i := 1; i < steps; i++ {
		sum += f(a + float64(i)*h)
	}
	return sum * h
}

// OptimalLSH returns the banding of a signature of the given length (Bands
// × Rows ≤ hashes) that minimises the false positive plus false negative
// area around threshold, with equal weights (as datasketch does).
func OptimalLSH(threshold float64, hashes int) LSHParams {
	best := LSHParams{Threshold: threshold}
	bestErr := math.Inf(1)
	for rows := 1; rows <= hashes; rows++ {
		for bands := 1; bands*rows <= hashes; bands++ {
			p := LSHParams{Bands: bands, Rows: rows, Threshold: threshold}
			fp := integrate(p.Probability, 0, threshold)
			fn := integrate(func(s float64) float64 { return 1 - p.Probability(s) }, threshold, 1)
			if fp+fn < bestErr {
				bestErr = fp + fn
				p.FalsePositive, p.FalseNegative = fp, fn
				best = p
			}
		}
	}
	return best
}

// CandidateThreshold is the lowest Jaccard similarity at which Compare can
// call two documents copies: the Threshold, or lower for a containment
// match, where a smaller document of relative size f sharing a share C of
// its shingles with the larger has Jaccard Cf/(1+f-Cf).
func (c Config) CandidateThreshold() float64 {
	c = c.withDefaults()
	f, ct := c.MinContainedFraction, c.Containment
	return min(c.Threshold, ct*f/(1+f-ct*f))
}

var lshCache sync.Map // [2]float64{threshold, hashes} -> LSHParams

// LSH returns the banding used by indexes built with c: Bands and Rows if
// set, else OptimalLSH at CandidateThreshold.
func (c Config) LSH() LSHParams {
	c = c.withDefaults()
	t := c.CandidateThreshold()
	if c.Bands > 0 && c.Rows > 0 {
		p := LSHParams{Bands: c.Bands, Rows: c.Rows, Threshold: t}
		p.FalsePositive = integrate(p.Probability, 0, t)
		p.FalseNegative = integrate(func(s float64) float64 { return 1 - p.Probability(s) }, t, 1)
		return p
	}
	key := [2]float64{t, float64(c.Hashes)}
	if p, ok := lshCache.Load(key); ok {
		return p.(LSHParams)
	}
	p := OptimalLSH(t, c.Hashes)
	lshCache.Store(key, p)
	return p
}

// bandKey hashes the elements of one band.
func bandKey[S ~[]E, E uint16 | uint64](sig S) uint64 {
	k := uint64(0x9e3779b97f4a7c15)
	for _, v := range sig {
		k = mix(k ^ uint64(v))
	}
	return k
}

// Found is an indexed document that matched a query.
type Found struct {
	// ID is the id it was added with; Seq its position in insertion order.
	ID  string
	Seq uint32
	Match
}

// Index is an in-memory LSH index of sketches for streaming use: each new
// document is checked against everything added before it. Candidates from
// the bands are verified with Config.Compare before they are reported.
// An Index is safe for concurrent use; QueryAdd is atomic, so two copies
// added concurrently never both miss each other.
type Index struct {
	cfg   Config
	p     LSHParams
	mu    sync.RWMutex
	bands []map[uint64][]uint32
	leads map[uint64][]uint32 // Sketch.Lead -> documents
	ids   []string
	docs  []Sketch
}

// NewIndex returns an empty index using cfg.
func NewIndex(cfg Config) *Index {
	cfg = cfg.withDefaults()
	p := cfg.LSH()
	ix := &Index{cfg: cfg, p: p, bands: make([]map[uint64][]uint32, p.Bands), leads: make(map[uint64][]uint32)}
	for i := range ix.bands {
		ix.bands[i] = make(map[uint64][]uint32)
	}
	return ix
}

// Params returns the index's banding.
func (ix *Index) Params() LSHParams { return ix.p }

// Len returns the number of documents added.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// Query returns the indexed documents that are copies of s, most similar
// first (ties: earliest added first).
func (ix *Index) Query(s *Sketch) []Found {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.query(s)
}

// Add adds a document and returns its sequence number. Adding an id twice
// adds two documents.
func (ix *Index) Add(id string, s Sketch) uint32 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.add(id, s)
}

// QueryAdd queries and then adds s in one step.
func (ix *Index) QueryAdd(id string, s Sketch) ([]Found, uint32) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	f := ix.query(&s)
	return f, ix.add(id, s)
}

func (ix *Index) add(id string, s Sketch) uint32 {
	seq := uint32(len(ix.ids))
	ix.ids = append(ix.ids, id)
	ix.docs = append(ix.docs, s)
	if s.Shingles == 0 {
		return seq
	}
	for b := range ix.bands {
		k := bandKey(s.Sig[b*ix.p.Rows : (b+1)*ix.p.Rows])
		ix.bands[b][k] = append(ix.bands[b][k], seq)
	}
	if s.Lead != 0 {
		ix.leads[s.Lead] = append(ix.leads[s.Lead], seq)
	}
	return seq
}

// candidates calls fn once for every indexed document sharing a band or
// its lead with s.
func (ix *Index) candidates(s *Sketch, seen map[uint32]struct{}, fn func(seq uint32)) {
	if s.Shingles == 0 {
		return
	}
	clear(seen)
	if s.Lead != 0 {
		for _, seq := range ix.leads[s.Lead] {
			seen[seq] = struct{}{}
			fn(seq)
		}
	}
	for b := range ix.bands {
		k := bandKey(s.Sig[b*ix.p.Rows : (b+1)*ix.p.Rows])
		for _, seq := range ix.bands[b][k] {
			if _, ok := seen[seq]; ok {
				continue
			}
			seen[seq] = struct{}{}
			fn(seq)
		}
	}
}

func (ix *Index) query(s *Sketch) []Found {
	var out []Found
	ix.candidates(s, make(map[uint32]struct{}), func(seq uint32) {
		if m := ix.cfg.Compare(s, &ix.docs[seq]); m.Duplicate {
			out = append(out, Found{ID: ix.ids[seq], Seq: seq, Match: m})
		}
	})
	slices.SortFunc(out, func(a, b Found) int {
		if c := cmp.Compare(b.Jaccard, a.Jaccard); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}
