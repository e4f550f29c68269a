package dedup

import (
	"fmt"
	"slices"
	"sync"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// banding is the LSH banding of an index (see engine.Banding).
type banding = engine.Banding

// lastBand returns the last band index of a document's keys: p.Bands
// (its lead key) when it has a lead, p.Bands-1 without. Run keys follow,
// under band p.Bands+1.
func lastBand(p banding, lead uint64) int {
	if lead != 0 {
		return p.Bands
	}
	return p.Bands - 1
}

// candidateThreshold is the lowest Jaccard similarity at which the
// Jaccard and containment rules of Compare (see matchBars) can call two
// documents copies: the Threshold, or lower for a containment match, where
// a smaller document of relative size f sharing a share C of its shingles
// with the larger has Jaccard Cf/(1+f-Cf). The banding is chosen for it;
// the lead and aligned rules, which accept lower similarities, have keys
// of their own (the lead, run keys). TestCannotMatchIsSafe holds it under
// every pair those two rules accept.
func (c Config) candidateThreshold() float64 {
	c = c.withDefaults()
	f, ct := c.MinContainedFraction, c.Containment
	return min(c.Threshold, ct*f/(1+f-ct*f))
}

var lshCache sync.Map

// lshBanding returns the banding used by indexes built with c: Bands and Rows if
// set, else engine.OptimalBanding at candidateThreshold; the zero banding for an
// invalid Config.
func (c Config) lshBanding() banding {
	if c.Validate() != nil {
		return banding{}
	}
	c = c.withDefaults()
	t := c.candidateThreshold()
	if c.Bands > 0 && c.Rows > 0 {
		return banding{Bands: c.Bands, Rows: c.Rows, Threshold: t}.WithAreas()
	}
	key := [2]float64{t, float64(c.Hashes)}
	if p, ok := lshCache.Load(key); ok {
		return p.(banding)
	}
	p := engine.OptimalBanding(t, c.Hashes)
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

// tableKey returns the key of band b of banding p (b == p.Bands: the
// lead) of a document with signature sig and lead lead.
func tableKey(p banding, sig []uint16, lead uint64, b int) uint64 {
	if b == p.Bands {
		return mix(lead ^ 0x6a09e667f3bcc909)
	}
	r := p.Rows
	band := sig[b*r : (b+1)*r]
	if r <= 3 {
		// The usual case in one mix: the codes and the band number fill
		// one word.
		k := uint64(b+1) << 48
		for j, v := range band {
			k |= uint64(v) << (16 * j)
		}
		return mix(k)
	}
	return mix(bandKey(band) + uint64(b))
}

// indexKey is a key under which an index files a document: two
// documents are candidates when they share one (see Pair). Keys are what
// an external index stores (a Redis hash, a Parquet export joined in SQL);
// they are a stored format, versioned with signatures (signatureVersion).
type indexKey = engine.IndexKey

// appendIndexKeys appends the keys of s under c's banding to dst and
// returns the extended slice: one per band, one for the lead when s has
// one, then its run keys (see runChunks), in text order; none when s has
// no shingles. An invalid Config, or a sketch of another signature length,
// is an error wrapping ErrConfig.
func (c Config) appendIndexKeys(dst []indexKey, s *Sketch) ([]indexKey, error) {
	if err := c.Validate(); err != nil {
		return dst, err
	}
	c = c.withDefaults()
	if len(s.sig) != c.Hashes {
		return dst, fmt.Errorf("%w: a sketch of %d hashes, Config has %d", ErrConfig, len(s.sig), c.Hashes)
	}
	if s.shingles == 0 {
		return dst, nil
	}
	p := c.lshBanding()
	for b := 0; b <= lastBand(p, s.lead); b++ {
		dst = append(dst, indexKey{Band: b, Hash: tableKey(p, s.sig, s.lead, b)})
	}
	var runs [64]uint64
	for _, k := range appendRunKeys(runs[:0], s.chunksIn(nil), 0, 1) {
		dst = append(dst, indexKey{Band: p.Bands + 1, Hash: k})
	}
	return dst, nil
}

const (
	// runChunks is the number of consecutive chunks a run key spans: with
	// its cut shingles, about 3·chunkWords + 5 words, a passage longer
	// than a sentence. Two documents share a run key when they share such
	// a passage verbatim, which copies do and independent reports of an
	// event, sharing names, figures and a quotation, seldom do.
	runChunks = 3 // appendRunKeys combines three
	// runKeyRate keeps one run key in runKeyRate (chosen by the key's
	// hash, so two documents keep the same ones). A smaller text of n
	// words whose half lies in the larger in runs of 60 words or more has
	// about n/(4·chunkWords·runKeyRate) shared keys: about four for a
	// 250-word item, so it misses all of them about once in fifty;
	// a document has one key per chunkWords·runKeyRate words, 30 for a
	// 1,000-word article, about as many as it has bands.
	runKeyRate = 4
)

// appendRunKeys appends to dst the run keys of chunks whose value modulo
// parts is part (all of them when parts is 1): the hashes of runChunks
// consecutive chunks, keeping those selected by runKeyRate, in text order
// and without repeats of a key that recurs in the document.
func appendRunKeys(dst []uint64, chunks []chunk, part, parts uint64) []uint64 {
	start := len(dst)
	const keep = ^uint64(0) / runKeyRate
	for i := 0; i+runChunks <= len(chunks); i++ {
		// One multiply-add chooses the kept windows by their top bits,
		// which depend on every bit of the three chunks; the key is that
		// value mixed.
		w := chunks[i : i+runChunks : i+runChunks]
		v := (uint64(w[0])<<32|uint64(w[1]))*0x9e3779b97f4a7c15 + uint64(w[2])*0xc2b2ae3d27d4eb4f
		if v >= keep {
			continue
		}
		if k := mix(v); k%parts == part && !slices.Contains(dst[start:], k) {
			dst = append(dst, k)
		}
	}
	return dst
}
