package dedup

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/neardup/neardup/shingle"
)

// Config holds the settings of sketching, matching and clustering. Its
// zero value means "the defaults"; every default is explained where it is
// defined. A Config is a plain value and safe for concurrent use.
type Config struct {
	// ShingleSize is the number of syllables (words) per shingle, 1 to
	// shingle.MaxSize; 0 means shingle.DefaultSize (5).
	ShingleSize int
	// Hashes is the signature length, 1 to MaxHashes; 0 means
	// DefaultHashes (128).
	Hashes int
	// Threshold is the estimated Jaccard similarity of content shingles at
	// or above which two documents are copies, in (0, 1]; 0 means
	// DefaultThreshold.
	Threshold float64
	// Containment is the estimated share of the smaller document's content
	// shingles found in the larger one at or above which the smaller is a
	// copy (a teaser, an excerpt), in (0, 1]; 0 means DefaultContainment.
	Containment float64
	// MinContainedFraction is the smallest size ratio, in content
	// shingles, of smaller to larger document for which Containment
	// applies, in (0, 1]; 0 means DefaultMinContainedFraction.
	MinContainedFraction float64
	// Bands and Rows override the LSH banding: both positive, with
	// Bands·Rows at most Hashes, or both 0 for the banding derived from
	// the candidate threshold (see banding).
	Bands, Rows int
	// KeepDiacritics makes signatures accent-sensitive. By default
	// shingles are keyed without diacritics, so an accent-free copy
	// matches its original; diacritics still count in the choice of
	// canonical.
	KeepDiacritics bool
	// NoNumberCheck turns off the check that two copies which both carry
	// real numbers carry mostly the same ones.
	NoNumberCheck bool
	// BoilerplateArticles is how many distinct articles must carry a line
	// before it counts as boilerplate; 0 means DefaultBoilerplateArticles.
	// A negative value turns boilerplate learning off.
	BoilerplateArticles int
	// SpillDir, when not empty, makes Cluster and ClusterReader keep the
	// chunks and number samples of their sketches (the pieces alignment
	// and the number check read, nearly half of what a sketch holds) and,
	// until boilerplate is learned, the documents' line hashes in
	// temporary files in that directory rather than in memory; the
	// result is the same. The files have no name while the run lasts
	// where the system allows it; the lines' goes once learned, the
	// sketches' once the Clustering's sketches are collected. It costs a
	// read from the file for each pair that the signatures match (for
	// its numbers) or that only alignment decides, and a pass over the
	// files a stage. stage.SketchCorpus spills the same way; other entry
	// points ignore it.
	SpillDir string
}

const (
	// DefaultThreshold: copies that went through a different pipeline
	// share (after normalization) nearly all shingles; an edit of one to
	// three sentences in a 20-sentence article changes about a tenth of
	// them; a new headline a few more. Different articles on the same
	// topic share well under 0.2. 0.5 sits between, with room for the
	// ±0.044 error of a 128-hash estimate.
	DefaultThreshold = 0.5
	// DefaultContainment: a truncated copy's shingles all lie in its
	// original, except about ShingleSize-1 at each cut; 0.8 leaves room for
	// that and for estimation error.
	DefaultContainment = 0.8
	// DefaultMinContainedFraction: teasers and lead excerpts keep at least
	// a third of an article; a much smaller text inside a larger one is a
	// quotation, not a copy.
	DefaultMinContainedFraction = 0.3
	// DefaultBoilerplateArticles: a line that three unrelated articles
	// carry is not the content of any one of them (menus, link lists,
	// share bars, bylines, copyright lines).
	DefaultBoilerplateArticles = 3
)

// MaxHashes is the longest signature a Config may ask for. The estimate's
// error falls as 1/√Hashes: at 4,096 hashes it is within ±0.008 of the
// Jaccard similarity, finer than any rule here needs, and a sketch already
// holds 8 KiB of codes.
const MaxHashes = 4096

// Validate reports whether every field of c is in its range: ShingleSize 0
// or 1 to shingle.MaxSize; Hashes 0 or 1 to MaxHashes; Threshold,
// Containment and MinContainedFraction 0 or in (0, 1]; Bands and Rows
// both 0, or both positive with Bands·Rows at most the signature length.
// Every entry point that takes a Config (Cluster, ClusterReader,
// NewIndex, NewStream, OpenStore, the stages of package stage) calls it
// and returns its error.
func (c Config) Validate() error {
	var bad []string
	if c.ShingleSize < 0 || c.ShingleSize > shingle.MaxSize {
		bad = append(bad, fmt.Sprintf("ShingleSize %d not in 1..%d (0 for the default)", c.ShingleSize, shingle.MaxSize))
	}
	if c.Hashes < 0 || c.Hashes > MaxHashes {
		bad = append(bad, fmt.Sprintf("Hashes %d not in 1..%d (0 for the default)", c.Hashes, MaxHashes))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Threshold", c.Threshold}, {"Containment", c.Containment}, {"MinContainedFraction", c.MinContainedFraction}} {
		if !(f.v >= 0 && f.v <= 1) { // NaN fails both
			bad = append(bad, fmt.Sprintf("%s %v not in (0, 1] (0 for the default)", f.name, f.v))
		}
	}
	switch hashes := cmp.Or(c.Hashes, DefaultHashes); {
	case c.Bands < 0 || c.Rows < 0:
		bad = append(bad, fmt.Sprintf("Bands %d and Rows %d must not be negative", c.Bands, c.Rows))
	case (c.Bands == 0) != (c.Rows == 0):
		bad = append(bad, fmt.Sprintf("Bands %d and Rows %d: set both or neither", c.Bands, c.Rows))
	case c.Bands > hashes || c.Rows > hashes || c.Bands*c.Rows > hashes:
		bad = append(bad, fmt.Sprintf("Bands %d × Rows %d exceed the %d hashes of a signature", c.Bands, c.Rows, hashes))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(bad, "; "))
	}
	return nil
}

// ErrConfig reports a Config with a field out of range (see Validate).
var ErrConfig = errors.New("dedup: invalid Config")

func (c Config) withDefaults() Config {
	if c.ShingleSize == 0 {
		c.ShingleSize = shingle.DefaultSize
	}
	if c.Hashes == 0 {
		c.Hashes = DefaultHashes
	}
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Containment == 0 {
		c.Containment = DefaultContainment
	}
	if c.MinContainedFraction == 0 {
		c.MinContainedFraction = DefaultMinContainedFraction
	}
	if c.BoilerplateArticles == 0 {
		c.BoilerplateArticles = DefaultBoilerplateArticles
	}
	return c
}
