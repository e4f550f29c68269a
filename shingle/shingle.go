package shingle

import (
	"bytes"
	"iter"
	"slices"
	"sync"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/text/unicode/norm"
)

// Normalizer holds the normalization rules. Its zero value keeps
// diacritics, which is what most callers want. A Normalizer is a plain
// value and safe for concurrent use.
type Normalizer struct {
	// FoldDiacritics drops every diacritic and maps đ to d, so that
	// accent-free copies key like their originals. Off by default: folded
	// Vietnamese syllables collide (ma, má, mà, mả, mã, mạ all become ma).
	FoldDiacritics bool
}

// Tokens returns an iterator over the tokens of src. Each Token's Key is
// only valid during its iteration step.
func (n Normalizer) Tokens(src []byte) iter.Seq[Token] {
	return func(yield func(Token) bool) {
		sc := getScanner(src, n)
		defer scanners.Put(sc)
		for sc.Scan() {
			if !yield(sc.Token()) {
				return
			}
		}
	}
}

// scanners holds Scanners so that the stateless functions of this package
// reuse key buffers instead of allocating them per call.
var scanners = sync.Pool{New: func() any { return new(Scanner) }}

func getScanner(src []byte, n Normalizer) *Scanner {
	sc := scanners.Get().(*Scanner)
	sc.Reset(src, n)
	return sc
}

// AppendNormalized appends the normalized form of src to dst and returns
// the extended buffer: the keys of all tokens, words and numbers, in NFC,
// separated by single spaces, or by a line break where the source had one
// between them or where they come from two runs of a spaceless script
// that nothing left in the output keeps apart (a mark folded away): a line
// break ends a run, a space does not. It is meant for people and tests;
// normalizing its output again returns it unchanged.
func (n Normalizer) AppendNormalized(dst, src []byte) []byte {
	sc := getScanner(src, n)
	defer scanners.Put(sc)
	prevEnd, prevRun := -1, uint32(0)
	for sc.Scan() {
		if prevEnd >= 0 {
			runsApart := prevRun != 0 && sc.run != 0 && sc.run != prevRun
			if runsApart || sc.start > prevEnd && bytes.IndexByte(src[prevEnd:sc.start], '\n') >= 0 {
				dst = append(dst, '\n')
			} else {
				dst = append(dst, ' ')
			}
		}
		prevEnd, prevRun = sc.end, sc.run
		sc.nfc.Init(norm.NFC, sc.Token().Key)
		for !sc.nfc.Done() {
			dst = append(dst, sc.nfc.Next()...)
		}
	}
	return dst
}

// AppendTokenHashes appends the hash of every word token of src to dst,
// skipping numbers, and returns the extended buffer.
func (n Normalizer) AppendTokenHashes(dst []uint64, src []byte) []uint64 {
	sc := getScanner(src, n)
	defer scanners.Put(sc)
	return sc.appendWordHashes(dst)
}

// appendWordHashes appends the hash of every word token left in the
// scanner's text to dst.
func (sc *Scanner) appendWordHashes(dst []uint64) []uint64 {
	for sc.Scan() {
		if sc.kind == Word {
			dst = append(dst, TokenHash(sc.key))
		}
	}
	return dst
}

// TokenHash is the stable hash of a token key: XXH64 with seed 0.
func TokenHash(key []byte) uint64 { return xxhash.Sum64(key) }

// DefaultSize is the shingle size used when Shingler.Size is zero. Five
// syllables is about two Vietnamese words or four English ones: long enough
// that unrelated articles rarely share a shingle, short enough that one
// edited word disturbs only five shingles.
const DefaultSize = 5

// MaxSize is the largest shingle size.
const MaxSize = 16

// Shingler turns text into shingle hashes: every run of Size consecutive
// word tokens is one shingle. A text with fewer than Size words (but at
// least one) gives one shingle over all of them. The zero value uses
// DefaultSize and keeps diacritics. A Shingler is a plain value and safe
// for concurrent use.
type Shingler struct {
	// Size is the number of words per shingle, 1 to MaxSize; 0 means
	// DefaultSize.
	Size int
	Normalizer
}

func (s Shingler) size() int {
	switch {
	case s.Size == 0:
		return DefaultSize
	case s.Size < 0 || s.Size > MaxSize:
		panic("shingle: Size out of range [1, 16]")
	}
	return s.Size
}

// AppendHashes appends the shingle hashes of src to dst in text order,
// duplicates included, and returns the extended buffer. It allocates
// nothing when dst has room.
func (s Shingler) AppendHashes(dst []uint64, src []byte) []uint64 {
	size := s.size()
	sc := getScanner(src, s.Normalizer)
	defer scanners.Put(sc)
	// The token hashes first, then the shingles at once, so that
	// AppendShingles hashes eight of them at a time where it can.
	words := sc.appendWordHashes(sc.words[:0])
	dst = AppendShingles(dst, words, size)
	if cap(words) <= 1<<16 { // do not pin the buffer of one huge text
		sc.words = words
	}
	return dst
}

// AppendShingles appends the shingles of a sequence of token hashes, as
// produced by AppendTokenHashes, to dst. AppendHashes(dst, text) equals
// AppendShingles(dst, AppendTokenHashes(nil, text), size). It lets callers
// drop or reorder parts of a text (such as boilerplate lines) before
// shingling without scanning it twice.
func AppendShingles(dst []uint64, tokens []uint64, size int) []uint64 {
	if size == 0 {
		size = DefaultSize
	}
	if size < 0 || size > MaxSize {
		panic("shingle: size out of range [1, 16]")
	}
	if len(tokens) > 0 && len(tokens) < size {
		size = len(tokens)
	}
	i := 0
	if n := len(tokens) - size + 1; hasAVX512 && size >= 4 && n >= 8 {
		blocks := n / 8
		dst = slices.Grow(dst, n)
		out := dst[len(dst) : len(dst)+8*blocks]
		hashWindowsAVX512(&out[0], &tokens[0], blocks, size)
		dst, i = dst[:len(dst)+8*blocks], 8*blocks
	}
	for ; i+size <= len(tokens); i++ {
		dst = append(dst, HashTokens(tokens[i:i+size]))
	}
	return dst
}
