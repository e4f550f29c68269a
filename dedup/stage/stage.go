// Package stage exposes the stages of neardup's batch pipeline and the
// rules of its index, for engines that run them elsewhere: a Beam
// pipeline over many machines, SQL over an exported table of index keys,
// an index kept in a shared store (package
// github.com/neardup/neardup/dedup/redisindex).
//
// Config.ClusterReader composes the stages as
//
//	sketch every document      SketchLines (or SketchCorpus, both passes)
//	learn boilerplate          LearnBoilerplate
//	sketch again               FinalSketch, for documents b.Carries
//	group                      ClusterSketches (candidate pairs: Pair)
//
// and an engine that composes them the same way gets the same result,
// byte for byte. An index shared between processes files each sketch
// under its AppendIndexKeys, treats each key as Banding.Postings says,
// verifies candidates with dedup.Config.Compare, and refuses a peer whose
// Fingerprint differs.
//
// Every function is safe for concurrent use; a Boilerplate is safe for
// concurrent reads. Each is the code package dedup runs, not a copy of it.
package stage

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/internal/engine"
)

// SignatureVersion is the version of the stored formats built on
// signatures: the signature values, the sketch encoding
// (dedup.Sketch.AppendBinary), the index keys and Fingerprint. Engines
// that keep any of them keep the version with them.
const SignatureVersion = 4

// The one version (a constant index out of range fails the build).
var _ = [1]struct{}{}[SignatureVersion-engine.SignatureVersion]

// The line lengths, in words, that LearnBoilerplate tells apart: a line
// of at most ShortLineWords is short (a headline, caption, credit or
// link), and one of more than ParagraphWords is a paragraph of an
// article's text. An engine that learns boilerplate elsewhere applies the
// rules of LearnBoilerplate with these.
const (
	ShortLineWords = engine.ShortLineWords
	ParagraphWords = engine.ParagraphWords
)

// Line is a distinct line of a document as boilerplate learning counts
// it: its hash (Hash), its number of words (Words) and its place among
// the document's lines that have words (Pos).
type Line = engine.Line

// IndexKey is a key under which an index files a document: two
// documents are candidates when they share one. Band is the signature
// band the key comes from, 0 to Bands-1 of the Config's Banding; Bands
// for the lead (its first words); Bands+1 for a run key (a verbatim
// passage). Keys are a stored format, versioned by SignatureVersion.
type IndexKey = engine.IndexKey

// Pair is a candidate pair of the grouping stage. Later and Earlier are
// positions in GroupOrder, Later > Earlier, of two documents that share
// an index key; Stored reports that Later is among the first postings of
// one key they share (Banding.Postings), and Earlier must be. These are
// the pairs an Index filled in GroupOrder would give with keys compared
// as Banding.GroupingKey files them, which an engine outside the process
// (SQL over exported keys) can compute.
type Pair = engine.Pair

// Banding is the LSH banding of a Config: Bands bands of Rows signature
// elements, chosen for Threshold (the lowest similarity the Config can
// call a copy) with the false positive and false negative areas it
// minimised. Its Postings method says how many documents an index keeps
// under a key of a band, and whether later documents meet them.
type Banding = engine.Banding

// Hooks into package dedup, asserted once (see dedup/internal/engine).
var (
	sketchLines      = engine.SketchLines.(func(dedup.Config, []byte) (dedup.Sketch, []Line))
	learnBoilerplate = engine.LearnBoilerplate.(func(dedup.Config, []dedup.Sketch, [][]Line) (map[uint64]bool, error))
	finalSketch      = engine.FinalSketch.(func(dedup.Config, []byte, map[uint64]bool) dedup.Sketch)
	sketchCorpus     = engine.SketchCorpus.(func(dedup.Config, dedup.ReadFunc) ([]string, []dedup.Sketch, int, int, error))
	groupOrder       = engine.GroupOrder.(func([]dedup.Sketch) []int)
	appendIndexKeys  = engine.AppendIndexKeys.(func(dedup.Config, []IndexKey, *dedup.Sketch) ([]IndexKey, error))
	lsh              = engine.LSH.(func(dedup.Config) Banding)
	clusterSketches  = engine.ClusterSketches.(func(dedup.Config, []string, []dedup.Sketch, []Pair) (*dedup.Clustering, error))
	fingerprint      = engine.Fingerprint.(func(dedup.Config) (string, error))
	inspect          = engine.Inspect.(func(*dedup.Sketch) engine.Fields)
	assemble         = engine.Assemble.(func(engine.Fields) (dedup.Sketch, error))
	exactKey         = engine.ExactKey.(func(*dedup.Sketch) uint64)
)

// SketchLines is the first sketch of a document, before boilerplate is
// known, with the document's distinct lines ordered by hash; an invalid
// Config gives the zero Sketch and no lines.
func SketchLines(c dedup.Config, text []byte) (dedup.Sketch, []Line) { return sketchLines(c, text) }

// Boilerplate is a corpus's learned boilerplate: the lines carried by at
// least Config.BoilerplateArticles distinct articles, and the
// headline-sized lines carried by at least two. Such a line carried by
// fewer than BoilerplateArticles is marked when it is a link (the first
// content line of the article it names, and so kept there). The zero
// Boilerplate is an empty set.
type Boilerplate struct{ set map[uint64]bool }

// LearnBoilerplate learns the boilerplate of a corpus from every
// document's first sketch and lines (SketchLines), in input order, as
// Config.ClusterReader does.
func LearnBoilerplate(c dedup.Config, sk []dedup.Sketch, lines [][]Line) (*Boilerplate, error) {
	set, err := learnBoilerplate(c, sk, lines)
	if err != nil {
		return nil, err
	}
	return &Boilerplate{set}, nil
}

// Len returns the number of lines in the set.
func (b *Boilerplate) Len() int { return len(b.set) }

// Carries reports whether a document with these lines carries some of
// the set: the documents to sketch again with FinalSketch.
func (b *Boilerplate) Carries(lines []Line) bool {
	return slices.ContainsFunc(lines, func(l Line) bool { _, ok := b.set[l.Hash]; return ok })
}

// AppendBinary appends the set's encoding: a count (uvarint), then per
// line in ascending hash order its hash (8 bytes, little-endian) and a
// byte that is 1 for a link.
func (b *Boilerplate) AppendBinary(dst []byte) ([]byte, error) {
	hs := make([]uint64, 0, len(b.set))
	for h := range b.set {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	dst = binary.AppendUvarint(dst, uint64(len(hs)))
	for _, h := range hs {
		dst = binary.LittleEndian.AppendUint64(dst, h)
		if b.set[h] {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	}
	return dst, nil
}

// MarshalBinary returns AppendBinary(nil).
func (b *Boilerplate) MarshalBinary() ([]byte, error) { return b.AppendBinary(nil) }

// UnmarshalBinary decodes what AppendBinary wrote. Errors wrap
// dedup.ErrFormat.
func (b *Boilerplate) UnmarshalBinary(data []byte) error {
	n, k := binary.Uvarint(data)
	if k <= 0 || uint64(len(data)-k) != 9*n {
		return fmt.Errorf("%w: boilerplate set", dedup.ErrFormat)
	}
	data = data[k:]
	set := make(map[uint64]bool, n)
	for i := range int(n) {
		rec := data[9*i:]
		set[binary.LittleEndian.Uint64(rec)] = rec[8] == 1
	}
	b.set = set
	return nil
}

// FinalSketch is a document's sketch once b is learned: without b's
// lines, unless nothing else would be left. A document that carries none
// of b's lines sketches as SketchLines sketched it.
func FinalSketch(c dedup.Config, text []byte, b *Boilerplate) dedup.Sketch {
	return finalSketch(c, text, b.set)
}

// Corpus is what SketchCorpus returns: the final sketches of a corpus,
// in input order, with the boilerplate learned on the way.
type Corpus struct {
	IDs      []string
	Sketches []dedup.Sketch
	// BoilerplateLines is the number of distinct lines learned as
	// boilerplate; BoilerplateDocs the number of documents that had some.
	BoilerplateLines, BoilerplateDocs int
}

// SketchCorpus runs the stages before grouping in one process, with
// Config.ClusterReader's rules for read: it sketches every document,
// learns boilerplate and sketches again the documents that carry some.
// ClusterSketches(c, IDs, Sketches, nil) then gives ClusterReader's
// result.
func SketchCorpus(c dedup.Config, read dedup.ReadFunc) (*Corpus, error) {
	ids, sk, lines, docs, err := sketchCorpus(c, read)
	if err != nil {
		return nil, err
	}
	return &Corpus{IDs: ids, Sketches: sk, BoilerplateLines: lines, BoilerplateDocs: docs}, nil
}

// GroupOrder returns the order in which the grouping stage takes
// documents: most shingles first, ties in input order.
func GroupOrder(sk []dedup.Sketch) []int { return groupOrder(sk) }

// AppendIndexKeys appends the keys of s under c's banding to dst and
// returns the extended slice: one per band, one for the lead when s has
// one, then its run keys, in text order; none when s has no content. An
// invalid Config, or a sketch of another signature length, is an error
// wrapping dedup.ErrConfig.
func AppendIndexKeys(c dedup.Config, dst []IndexKey, s *dedup.Sketch) ([]IndexKey, error) {
	return appendIndexKeys(c, dst, s)
}

// LSH returns the banding of indexes built with c: Config.Bands and
// Rows if set, else the banding that minimises the false positive and
// false negative areas around the lowest similarity c can call a copy.
// An invalid Config gives the zero Banding.
func LSH(c dedup.Config) Banding { return lsh(c) }

// ClusterSketches is the last stage: it groups the documents and picks
// each cluster's canonical. sk are the documents' final sketches, in
// input order, as SketchCorpus or FinalSketch made them. With pairs nil,
// the candidate pairs are found here; otherwise pairs must be exactly the
// candidate pairs of sk (see Pair), in any order, and the result equals
// the one found here. Pairs whose documents do not verify as copies
// (Config.Compare) may be left out, as may documents that no verified
// pair links to the rest: grouping reads verified pairs only, so an engine
// can group each connected component of them apart, with the pairs
// within it, and get the same clusters and canonicals. The result's
// DocResult.Sketch points into sk, which must not change while the
// result is in use.
func ClusterSketches(c dedup.Config, ids []string, sk []dedup.Sketch, pairs []Pair) (*dedup.Clustering, error) {
	return clusterSketches(c, ids, sk, pairs)
}

// Fingerprint names what makes the sketches and index keys of two
// processes comparable: the format versions, signature length, shingle
// size, accent sensitivity and banding of c. A shared index records it
// and refuses a process whose Fingerprint differs. An invalid Config is
// an error wrapping dedup.ErrConfig.
func Fingerprint(c dedup.Config) (string, error) { return fingerprint(c) }

// ExactKey hashes what verification reads of a sketch: sketches of the
// same content (exact copies, whatever their boilerplate) have the same
// key, so an index can keep one entry per distinct content. Keys are for
// one run's grouping, not a stored format: a version may compute them
// otherwise (sketches and index keys are the stored format, see
// Fingerprint).
func ExactKey(s *dedup.Sketch) uint64 { return exactKey(s) }

// Fields are a sketch's fields, for engines that store or inspect
// sketches whole (dedup.Sketch.AppendBinary encodes only what
// verification reads): the compact signature (Sig, 2 bytes per hash),
// the counts of content shingles, words, words with diacritics and
// boilerplate words, the numbers (NumberCount tokens, RealNumbers of them
// real, NumberContexts distinct contexts, and a sample packed as
// context<<16 | value), the lead and headline hashes, and the chunks in
// text order.
type Fields = engine.Fields

// Inspect returns the fields of s.
func Inspect(s *dedup.Sketch) Fields { return inspect(s) }

// Assemble returns the sketch with fields f: Assemble(Inspect(s)) equals
// s. Fields no sketch has (more hashes than dedup.MaxHashes, negative
// counts, oversized samples) are an error wrapping dedup.ErrFormat.
func Assemble(f Fields) (dedup.Sketch, error) { return assemble(f) }
