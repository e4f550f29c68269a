package dedup

import (
	"cmp"
	"slices"
	"sync"
)

// chunk is one piece of a document's content as alignment sees it: the
// content words are cut where the shingle that starts at a word is
// selected by its hash (one in chunkWords on average), so two texts that
// share a passage verbatim are cut at the same places inside it, however
// the rest of them differs. A chunk packs a 24-bit hash of the piece's
// words (high bits) and its length in words (low 8 bits).
//
// A passage two documents share gives them the same chunks except the
// two at its ends, which run into text the other does not have: a shared
// run of n words yields about n - (2·chunkWords+ShingleSize-3) words of
// equal chunks, n - 18 at the defaults (see Alignment.Coverage).
// Chunks thus see long verbatim runs, the mark of a copy, and are blind to
// the names, figures and short quotations that independent reports of
// one event share.
//
// Chunks are a stored format, part of signatureVersion.
type chunk uint32

// words returns the number of words in the chunk.
func (c chunk) words() int { return int(c & 0xff) }

// hash returns the chunk's 24-bit hash.
func (c chunk) hash() uint32 { return uint32(c >> 8) }

const (
	// chunkWords is the average chunk length in words. Eight makes a
	// shared passage count from about 20 words on (2·chunkWords plus a
	// shingle): a sentence or more, the unit an editor keeps or drops,
	// where names, figures and quoted phrases, which independent reports
	// share, are shorter. It costs about half a byte per content word.
	chunkWords = 8
	// maxChunkWords cuts a chunk that no selected shingle ended, so its
	// length fits in 8 bits; at one cut in 8 words a chunk reaches it with
	// probability (7/8)^255, under 1e-14.
	maxChunkWords = 255
	// maxChunks is the most chunks a sketch keeps, about 8,000 words at
	// chunkWords: a long feature article. Text beyond is not aligned (its
	// shingles still count in the signature), which only makes alignment
	// more cautious for a copy of a longer text.
	maxChunks = 1024
	// chunkCut (odd) permutes shingle hashes before they choose cuts, so
	// that cuts do not favour the shingles with the smallest hashes, which
	// the first MinHash function picks; chunkBase (odd) is the base of the
	// polynomial hash of a chunk's words.
	chunkCut  = 0x2545f4914f6cdd1d
	chunkBase = 0x9fb21c651e98df25
)

// appendChunks appends the chunks of a document to dst: words are its
// content token hashes in order, shingles the hashes of its shingles of
// size words each, in text order (shingles[i] starts at words[i]).
//
// A cut falls before word i when shingles[i]·chunkCut, a permutation of the
// uniform shingle hash, lies in the lowest 1/chunkWords of its range. A
// chunk's hash is the top 24 bits of mix(Σ words[j]·chunkBase^(n-1-j)):
// one multiply-add per word.
func appendChunks(dst []chunk, words, shingles []uint64, size int) []chunk {
	if len(words) == 0 {
		return dst
	}
	const cut = ^uint64(0) / chunkWords
	limit := len(dst) + maxChunks
	last := min(len(shingles), len(words)-size+1) // cuts need a whole shingle
	from, h := 0, uint64(0)
	for i, w := range words {
		if i > from && (i-from == maxChunkWords || i < last && shingles[i]*chunkCut < cut) {
			dst = append(dst, chunk(uint32(mix(h)>>40)<<8|uint32(i-from)))
			if len(dst) == limit {
				return dst
			}
			from, h = i, 0
		}
		h = h*chunkBase + w
	}
	return append(dst, chunk(uint32(mix(h)>>40)<<8|uint32(len(words)-from)))
}

// Alignment describes how the content of the smaller of two documents
// lies in the larger: which of its chunks appear in the larger one in the
// same order (the longest such sequence), and how they group into runs of
// consecutive chunks.
type Alignment struct {
	// Coverage estimates the share of the smaller document's words (those
	// in chunks, see maxChunks) that lie in passages it shares verbatim
	// with the larger one, in order: the words of its aligned chunks,
	// plus, for each run, the words a shared passage loses at its two
	// ends, where the chunks run into text the other document lacks. A
	// cut falls on one word in chunkWords, so the first cut inside a
	// passage comes chunkWords-1 words after its start on average, and
	// the last chunk that can match ends that far, plus the ShingleSize-1
	// words of the shingle that makes its cut, before the passage's end:
	// 2·chunkWords+ShingleSize-3 words a run (18 at the defaults).
	Coverage float64
	// Runs is the number of runs: maximal sequences of chunks consecutive
	// in both documents.
	Runs int
	// Longest is the length, in words, of the longest run.
	Longest int
}

// alignScratch holds the buffers of one alignment, pooled so that
// Compare allocates nothing.
type alignScratch struct {
	large []uint64 // hash<<32 | position in large, sorted
	match []uint64 // i<<32 | j, candidate matches
	best  []int32  // words of the best ordered sequence ending at each match
	prev  []int32  // its previous match, -1 for none
	tree  []int64  // Fenwick tree over j of the best (words<<32 | match+1)
}

var alignScratches = sync.Pool{New: func() any { return new(alignScratch) }}

// align aligns small's chunks into large's; size is the shingle size. The
// alignment is the sequence of matching chunks, increasing in both
// documents, with the most words: a weighted longest increasing
// subsequence, found in O(m log n) for m matches with a Fenwick tree of
// prefix maxima over the positions in large.
func align(small, large []chunk, size int) Alignment {
	if len(small) == 0 || len(large) == 0 {
		return Alignment{}
	}
	sc := alignScratches.Get().(*alignScratch)
	defer alignScratches.Put(sc)
	sc.large = sc.large[:0]
	for j, c := range large {
		sc.large = append(sc.large, uint64(c.hash())<<32|uint64(j))
	}
	slices.Sort(sc.large)
	// Candidate matches in order of i, and for one i in decreasing j, so
	// that a sequence increasing in j takes at most one match per chunk
	// of small.
	sc.match = sc.match[:0]
	for i, c := range small {
		h := uint64(c.hash())
		k, _ := slices.BinarySearchFunc(sc.large, h<<32, cmp.Compare[uint64])
		end := k
		for end < len(sc.large) && sc.large[end]>>32 == h {
			end++
		}
		for m := end - 1; m >= k; m-- {
			sc.match = append(sc.match, uint64(i)<<32|sc.large[m]&0xffffffff)
		}
	}
	if len(sc.match) == 0 {
		return Alignment{}
	}
	n := len(large)
	if cap(sc.tree) < n+1 {
		sc.tree = make([]int64, n+1)
	}
	sc.tree = sc.tree[:n+1]
	clear(sc.tree)
	sc.best, sc.prev = sc.best[:0], sc.prev[:0]
	top := int64(0) // best over all matches
	for k, m := range sc.match {
		i, j := int(m>>32), int(m&0xffffffff)
		before := int64(0) // best sequence ending before position j
		for x := j; x > 0; x &= x - 1 {
			before = max(before, sc.tree[x])
		}
		w := int32(before>>32) + int32(small[i].words())
		sc.best, sc.prev = append(sc.best, w), append(sc.prev, int32(before&0xffffffff)-1)
		v := int64(w)<<32 | int64(k+1)
		for x := j + 1; x <= n; x += x & -x {
			sc.tree[x] = max(sc.tree[x], v)
		}
		top = max(top, v)
	}
	// Walk the sequence back from its end: words covered and runs.
	var a Alignment
	covered, run := 0, 0
	nextI, nextJ := -2, -2
	for k := int32(top&0xffffffff) - 1; k >= 0; k = sc.prev[k] {
		i, j := int(sc.match[k]>>32), int(sc.match[k]&0xffffffff)
		w := small[i].words()
		covered += w
		if i+1 == nextI && j+1 == nextJ {
			run += w
		} else {
			if run > 0 {
				a.Runs++
			}
			a.Longest = max(a.Longest, run)
			run = w
		}
		nextI, nextJ = i, j
	}
	a.Runs++
	a.Longest = max(a.Longest, run)
	total := 0
	for _, c := range small {
		total += c.words()
	}
	a.Coverage = min(1, float64(covered+a.Runs*(2*chunkWords+size-3))/float64(total))
	return a
}
