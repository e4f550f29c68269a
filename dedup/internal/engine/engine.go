// Package engine holds what package dedup shares with package
// dedup/stage without widening dedup's API: the plain types of the
// pipeline's stages (lines, index keys, candidate pairs, the banding),
// the rules on them that both need, and the functions through which
// stage reaches dedup's unexported implementation.
//
// dedup/stage imports dedup, so dedup cannot name stage's types; stage
// cannot reach what dedup does not export. The hooks below close the
// loop: dedup fills them at initialization with functions over its own
// types, and stage asserts them to those types once, at its own
// initialization (a package is initialized after the packages it
// imports). A wrong type fails every program that imports stage at
// start, and every test of stage.
package engine

import (
	"cmp"
	"fmt"
	"math"
)

// SignatureVersion is the version of the stored formats built on
// signatures: the signature values, the sketch encoding, the index keys
// and the Config fingerprint. A change to any of them changes it.
const SignatureVersion = 4

// Line is a distinct line of a document as boilerplate learning counts
// it: its hash, its number of words, and its place among the document's
// lines that have words.
type Line struct {
	Hash       uint64
	Words, Pos int32
}

// IndexKey is a key under which an index files a document: two documents
// are candidates when they share one. Band is the signature band the key
// comes from, 0 to Bands-1; Bands for the lead; Bands+1 for a run key.
type IndexKey struct {
	Band int
	Hash uint64
}

// Pair is a candidate pair of the grouping stage: Later and Earlier are
// positions in the group order, Later > Earlier; Stored reports that
// Later is among the first postings of a key they share.
type Pair struct {
	Later, Earlier uint32
	Stored         bool
}

// Banding is a banding of a signature: Bands bands of Rows elements. Two
// documents are candidates when all elements of at least one band agree,
// which happens with probability 1-(1-s^Rows)^Bands at Jaccard similarity
// s.
type Banding struct {
	Bands, Rows int
	// Threshold is the similarity the banding was chosen for.
	Threshold float64
	// FalsePositive is the area under the candidate probability curve
	// below Threshold, and FalseNegative the area above it of the
	// probability of not being a candidate: the weighted error rates the
	// choice minimised.
	FalsePositive, FalseNegative float64
}

func (p Banding) String() string {
	return fmt.Sprintf("%d bands x %d rows for threshold %.2f (false positive area %.4f, false negative area %.4f)",
		p.Bands, p.Rows, p.Threshold, p.FalsePositive, p.FalseNegative)
}

// Probability returns the probability that two documents of Jaccard
// similarity s become candidates.
func (p Banding) Probability(s float64) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(p.Rows)), float64(p.Bands))
}

// WithAreas returns p with FalsePositive and FalseNegative computed
// around its Threshold.
func (p Banding) WithAreas() Banding {
	p.FalsePositive = integrate(p.Probability, 0, p.Threshold)
	p.FalseNegative = integrate(func(s float64) float64 { return 1 - p.Probability(s) }, p.Threshold, 1)
	return p
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

// OptimalBanding returns the banding of a signature of the given length
// (Bands × Rows ≤ hashes) that minimises the false positive plus false
// negative area around threshold, with equal weights (as datasketch
// does).
func OptimalBanding(threshold float64, hashes int) Banding {
	best := Banding{Threshold: threshold}
	bestErr := math.Inf(1)
	for rows := 1; rows <= hashes; rows++ {
		for bands := 1; bands*rows <= hashes; bands++ {
			p := Banding{Bands: bands, Rows: rows, Threshold: threshold}.WithAreas()
			if e := p.FalsePositive + p.FalseNegative; e < bestErr {
				bestErr, best = e, p
			}
		}
	}
	return best
}

// MaxPostings is the most documents an index keeps under one band key,
// and MaxLeadPostings under one lead. A key shared by more is a page
// template or a document copied many times over: the documents already
// there are enough to find the copies, and without a cap each new copy
// would be compared with every earlier one and probe past all of them. A
// lead shared by more than a handful of documents is a site's menu or
// byline that boilerplate learning has not removed yet, not an article's
// opening.
//
// MaxRunPostings is the most documents an index keeps under one run key,
// and the most that pair through it. A passage that more documents carry
// is a common one (a press release quoted everywhere, a stock paragraph,
// a sentence every report of a series repeats): pairing every later
// carrier with the first ones would bring verifications, not copies.
// Abridged renderings of one article seldom number more than a few;
// larger families are syndication, near-verbatim, which the bands find.
const (
	MaxPostings     = 64
	MaxLeadPostings = 8
	MaxRunPostings  = 4
)

// Postings says how an index treats the keys of a band (see IndexKey):
// the first limit documents filed under a key are its postings. A later
// document meets each of them when the key is open, as band and lead
// keys are; under a run key it meets none, since a passage that more than
// limit documents share is a common one rather than the mark of a copy,
// and the postings made before it was known to be common stay. Every
// index (in memory, the batch grouping, Redis, an SQL engine over an
// export) applies this one rule.
func (p Banding) Postings(band int) (limit int, open bool) {
	switch {
	case band < p.Bands:
		return MaxPostings, true
	case band == p.Bands:
		return MaxLeadPostings, true
	}
	return MaxRunPostings, false
}

// GroupingKey returns k as the batch grouping (dedup's ClusterReader and
// ClusterSketches) compares it: by the high 32 bits of its hash, and a run
// key also by its value modulo RunParts. The batch grouping packs a key
// with a document's position into 8 bytes, which halves the memory of
// its sorts, and sorts run keys in RunParts parts by value. Two keys of
// one band that agree there but differ elsewhere, about one pair of keys
// in 2^32 (2^35 for run keys), pair their documents in the batch grouping
// and not in an index that keeps whole keys; an engine that must
// reproduce the batch result exactly files keys under GroupingKey.
func (p Banding) GroupingKey(k IndexKey) IndexKey {
	h := GroupingHash(k.Hash)
	if k.Band == p.Bands+1 {
		h |= k.Hash % RunParts
	}
	k.Hash = h
	return k
}

// GroupingHash is the part of a key's hash that the batch grouping
// compares (see GroupingKey): its high 32 bits, the low ones cleared for
// a document's position.
func GroupingHash(h uint64) uint64 { return h >> 32 << 32 }

// RunParts is the number of parts in which the batch grouping sorts run
// keys, by value: a document has one run key per chunkWords·runKeyRate
// words, about 20 for a news article, so a part holds a few per document
// and costs a few bands.
const RunParts = 8

// ShortLineWords is the length, in words, up to which boilerplate
// learning counts a line as short: a headline, a caption, a credit, a
// link. Vietnamese headlines run 10 to 20 syllables, English ones 5 to 12
// words.
const ShortLineWords = 24

// ParagraphWords is the length, in words, above which boilerplate
// learning counts a line as a paragraph of an article's text: twice the
// longest headline, so that no headline, link, caption or credit reaches
// it.
const ParagraphWords = 2 * ShortLineWords

// ByJaccard is the order of every index's results (dedup.Index, the batch
// grouping, redisindex): the most similar copy first (Jaccard ja before
// jb), ties by earlier, the comparison of the two documents' places in
// the order they were added.
func ByJaccard[F float32 | float64](ja, jb F, earlier int) int {
	return cmp.Or(cmp.Compare(jb, ja), earlier)
}

// Fields are a sketch's fields, for engines that store or inspect
// sketches whole (dedup.Sketch keeps them unexported). NumberSample packs
// each sampled number as context<<16 | value.
type Fields struct {
	Sig                      []uint16
	Shingles                 int
	Words, Marked, Retyped   int
	BoilerplateWords         int
	NumberCount, RealNumbers int
	NumberContexts           int
	NumberSample             []uint32
	Lead                     uint64
	Headline                 uint32
	Chunks                   []uint32
}

// The hooks dedup fills (see the package comment); each comment gives
// the function's type, over dedup's types.
var (
	// func(dedup.Config, []byte) (dedup.Sketch, []Line)
	SketchLines any
	// func(dedup.Config, []dedup.Sketch, [][]Line) (map[uint64]bool, error)
	LearnBoilerplate any
	// func(dedup.Config, []byte, map[uint64]bool) dedup.Sketch
	FinalSketch any
	// func(dedup.Config, dedup.ReadFunc) (ids []string, sk []dedup.Sketch, boilerplateLines, boilerplateDocs int, err error)
	SketchCorpus any
	// func([]dedup.Sketch) []int
	GroupOrder any
	// func(dedup.Config, []IndexKey, *dedup.Sketch) ([]IndexKey, error)
	AppendIndexKeys any
	// func(dedup.Config) Banding
	LSH any
	// func(dedup.Config, []string, []dedup.Sketch, []Pair) (*dedup.Clustering, error)
	ClusterSketches any
	// func(dedup.Config) (string, error)
	Fingerprint any
	// func(*dedup.Sketch) Fields
	Inspect any
	// func(Fields) (dedup.Sketch, error)
	Assemble any
	// func(*dedup.Sketch) uint64
	ExactKey any
)
