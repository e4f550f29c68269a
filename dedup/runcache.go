package dedup

import (
	"encoding/binary"
	"math/bits"
)

// Sketching reads a line's words run by run (see shingle.RunEnd): a
// corpus writes the same runs again and again (a Vietnamese text is made
// of a few thousand syllables, a news text of some tens of thousands of
// words), so the tokens of a run of at most runCacheLen bytes that a
// Scanner reads alone (shingle.RunAlone) and that gives at most one word
// and no number are kept in a runCache, by its bytes. A run found there
// costs a hash and a compare of its bytes, instead of the Scanner's work
// on each letter and the word's XXH64: at 10^6 generated documents, 22%
// of sketching. The cache only recalls what a Scanner gave for the same
// bytes, so no sketch depends on what it holds; TestRunCacheSame
// compares sketches made with and without it.

// runCacheOff makes sketch read each line whole with the Scanner, as it
// did before the cache, for the tests that compare both ways.
var runCacheOff = false

// runCacheLen is the longest run the cache keeps: sixteen bytes hold any
// Vietnamese syllable (at most seven letters, two or three bytes for each
// of its at most three letters with diacritics) and most English words.
const runCacheLen = 16

// runCacheBits is the log2 of the cache's slots: 16,384 slots of 32 bytes
// (512 KB, a core's second-level cache) hold the syllables of Vietnamese
// and the common words of English with room for the rest.
const runCacheBits = 14

// runSlot is one run in the cache: its bytes, zero-padded, and what the
// Scanner made of it.
type runSlot struct {
	b0, b1 uint64 // the run's bytes, zero-padded
	hash   uint64 // the word's TokenHash; 0 with no word
	n      uint8  // the run's length; 0: an empty slot
	word   bool   // the run is one word (else no token)
	marked bool
	retyp  bool
}

// runCache is a direct-mapped cache of runs for one goroutine (see
// above), for one setting of FoldDiacritics. Its zero value is empty.
type runCache struct {
	slots []runSlot
	fold  bool
}

// runKey returns the bytes of run (at most runCacheLen) as two
// zero-padded words. line is the text run lies in, from which it may
// read up to 16 bytes from the run's start.
func runKey(line []byte, p, n int) (b0, b1 uint64) {
	var buf [16]byte
	src := line[p:]
	if len(src) < 16 {
		copy(buf[:], src[:n])
		src = buf[:]
	}
	b0 = binary.LittleEndian.Uint64(src)
	b1 = binary.LittleEndian.Uint64(src[8:])
	if n < 8 {
		b0 &= 1<<(8*n) - 1
		b1 = 0
	} else if n < 16 {
		b1 &= 1<<(8*(n-8)) - 1
	}
	return b0, b1
}

// slot returns the slot of the run with bytes b0, b1 and length n.
func (c *runCache) slot(b0, b1 uint64, n int) *runSlot {
	h := (b0*0x9E3779B97F4A7C15 ^ bits.RotateLeft64(b1*0xC2B2AE3D27D4EB4F, 31) ^ uint64(n)) * 0x165667B19E3779F9
	return &c.slots[h>>(64-runCacheBits)]
}

// reset empties the cache unless it holds runs read with fold.
func (c *runCache) reset(fold bool) {
	if c.slots == nil {
		c.slots = make([]runSlot, 1<<runCacheBits)
	} else if c.fold != fold {
		clear(c.slots)
	}
	c.fold = fold
}

// lookup returns the slot of line[p:q] if the cache holds it, and the
// run's key for keep (n 0 for a run longer than runCacheLen, which the
// cache does not keep).
func (c *runCache) lookup(line []byte, p, q int) (*runSlot, runKeyed) {
	n := q - p
	if n > runCacheLen {
		return nil, runKeyed{}
	}
	b0, b1 := runKey(line, p, n)
	s := c.slot(b0, b1, n)
	if int(s.n) == n && s.b0 == b0 && s.b1 == b1 {
		return s, runKeyed{}
	}
	return nil, runKeyed{b0, b1, n}
}

// runKeyed is a run's bytes and length, as runKey gives them.
type runKeyed struct {
	b0, b1 uint64
	n      int
}

// keep records what a run with key (from lookup) gave: no word, or one
// word (tokens.word) with its hash and flags.
func (c *runCache) keep(key runKeyed, tokens runSlot) {
	if key.n == 0 {
		return // too long to keep
	}
	tokens.b0, tokens.b1, tokens.n = key.b0, key.b1, uint8(key.n)
	*c.slot(key.b0, key.b1, key.n) = tokens
}
