package shingle

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind tells word tokens from number tokens.
type Kind uint8

const (
	// Word is a run of letters and combining marks. Only words enter shingles.
	Word Kind = iota + 1
	// Number is a run of decimal digits, keyed by its ASCII digits.
	Number
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Number:
		return "number"
	}
	return "invalid"
}

// Token is one token of a text.
type Token struct {
	// Key is the normalized token: lower case, NFD with the non-tone marks
	// of each letter in code point order, Vietnamese tone marks moved to the
	// end. For numbers it is the ASCII digits. Key is only valid until the
	// next call to Scan; copy it to keep it.
	Key []byte
	// Start and End are the byte offsets of the token in the scanned text.
	Start, End int
	Kind       Kind
	// Marked reports that the word carried a diacritic (a mark of the
	// Combining Diacritical Marks blocks, Hebrew points and Arabic vowel
	// signs, đ, or ð) in the source, whether or not it was folded away.
	Marked bool
	// Retyped reports that the word was read through a typing accident: a
	// compatibility form (a ligature, a full-width or half-width letter,
	// compatibility jamo), a look-alike letter (Ð for Đ, a Cyrillic а in a
	// Latin word) or a hyphen at a line end. A copy typed cleanly is the
	// better one to keep.
	Retyped bool
}

// Scanner reads the tokens of a text, like a bufio.Scanner:
//
//	var sc shingle.Scanner
//	sc.Reset(text, shingle.Normalizer{})
//	for sc.Scan() {
//		tok := sc.Token()
//		...
//	}
//
// A Scanner reuses its key buffer across Reset calls, so one Scanner per
// goroutine scans any number of texts without allocating. A Scanner is not
// safe for concurrent use. Its zero value scans an empty text.
type Scanner struct {
	src  []byte
	pos  int
	fold bool
	key  []byte
	// the current token, kept as fields: Token assembles it, so that an
	// inlined caller loads only the fields it reads
	kind            Kind
	marked, retyped bool
	start, end      int
	nfc             norm.Iter // for AppendNormalized
	// A run of a script written without spaces (see readRun): its
	// clusters, normalized, how it is cut, and the next cluster to cut a
	// token from.
	runKey []byte
	cl     []cluster
	ci     int
	class  runClass
	// runs counts the spaceless runs read; run is the one the current
	// token was cut from, 0 for any other token (for AppendNormalized)
	runs, run uint32
	// look-alike letters of the word being built (see unconfuse)
	conf [maxConfusables]confusable
	// token hashes, for Shingler.AppendHashes
	words []uint64
}

// Reset starts scanning src with the rules of n.
func (s *Scanner) Reset(src []byte, n Normalizer) {
	s.src = src
	s.pos = 0
	s.fold = n.FoldDiacritics
	s.kind = 0
	s.cl, s.ci = s.cl[:0], 0
	s.runs, s.run = 0, 0
	if s.key == nil || cap(s.key) > 1<<16 { // do not pin the buffer of one huge token
		s.key = make([]byte, 0, 64) // room for scan's fixed-size copies
	}
	if cap(s.runKey) > 1<<16 {
		s.runKey, s.cl = nil, nil
	}
}

// Key, Kind and Marked return one field of Token without assembling it,
// which matters in loops over every token of a corpus.
func (s *Scanner) Key() []byte  { return s.key[:len(s.key):len(s.key)] }
func (s *Scanner) Kind() Kind   { return s.kind }
func (s *Scanner) Marked() bool { return s.marked }

// Retyped returns Token().Retyped.
func (s *Scanner) Retyped() bool { return s.retyped }

// Token returns the token found by the last call to Scan.
func (s *Scanner) Token() Token {
	if s.kind == 0 {
		return Token{}
	}
	return Token{Key: s.Key(), Start: s.start, End: s.end, Kind: s.kind, Marked: s.marked, Retyped: s.retyped}
}

// Vietnamese tone marks, in the order they are appended to a key.
var tones = [...]rune{0x0300, 0x0301, 0x0303, 0x0309, 0x0323}

func toneBit(r rune) uint8 {
	switch r {
	case 0x0300:
		return 1
	case 0x0301:
		return 2
	case 0x0303:
		return 4
	case 0x0309:
		return 8
	case 0x0323:
		return 16
	}
	return 0
}

func isMark(r rune) bool {
	switch {
	case r < 0x0300: // no combining marks below the Combining Diacritical Marks block
		return false
	case r <= 0x036F:
		return true
	}
	return unicode.Is(unicode.Mark, r)
}

// isIdeographic reports scripts written without spaces between words whose
// characters are words or syllables on their own: each is one token.
func isIdeographic(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA:
		return true // the common ideographs, hiragana and katakana
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// digitValue returns the value of a Unicode decimal digit. Unicode encodes
// every decimal digit set as ten consecutive code points from zero to nine,
// so the value is the offset from the start of its range modulo ten.
func digitValue(r rune) byte {
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10)
		}
	}
	return 0
}

// scan state of the token being built
type building struct {
	kind      Kind
	start     int
	tones     uint8
	marked    bool
	retyped   bool
	prevLower bool
	lastBase  int   // len(key) after the last base letter
	nconf     uint8 // look-alikes noted in Scanner.conf; more than fit: maxConfusables+1
}

// Scan advances to the next token and reports whether there is one.
func (s *Scanner) Scan() bool {
	for s.scan() {
		if len(s.key) > 0 {
			return true
		}
		// A word of marks only, all folded away: not a token.
	}
	return false
}

func (s *Scanner) scan() bool {
	s.key = s.key[:0]
	if s.ci < len(s.cl) {
		return s.runToken()
	}
	var b building
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z':
				if b.kind == Number {
					return s.emit(&b)
				}
				if b.kind == 0 {
					b.kind, b.start = Word, s.pos
				}
				// Copy the whole run of small letters; most end within
				// eight bytes, found here without a call.
				var j int
				if len(src)-s.pos >= 8 {
					if m := notSmall(binary.LittleEndian.Uint64(src[s.pos:])); m != 0 {
						j = s.pos + bits.TrailingZeros64(m)/8
					} else {
						j = s.pos + 8 + smallRun(src[s.pos+8:])
					}
				} else {
					j = s.pos + smallRun(src[s.pos:])
				}
				if n := len(s.key); j-s.pos <= 16 && cap(s.key)-n >= 16 && len(src)-s.pos >= 16 {
					// Most words: two 8-byte moves instead of a call
					// to memmove.
					k := s.key[n : n+16]
					binary.LittleEndian.PutUint64(k, binary.LittleEndian.Uint64(src[s.pos:]))
					binary.LittleEndian.PutUint64(k[8:], binary.LittleEndian.Uint64(src[s.pos+8:]))
					s.key = s.key[:n+j-s.pos]
				} else {
					s.key = append(s.key, src[s.pos:j]...)
				}
				b.lastBase = len(s.key)
				b.prevLower = true
				s.pos = j
			case 'A' <= c && c <= 'Z':
				if b.kind == Number || (b.kind == Word && b.prevLower) {
					return s.emit(&b)
				}
				if b.kind == 0 {
					b.kind, b.start = Word, s.pos
				}
				s.key = append(s.key, c+'a'-'A')
				b.lastBase = len(s.key)
				b.prevLower = false
				s.pos++
			case '0' <= c && c <= '9':
				if b.kind == Word {
					return s.emit(&b)
				}
				if b.kind == 0 {
					b.kind, b.start = Number, s.pos
				}
				s.key = append(s.key, c)
				s.pos++
			default:
				if b.kind == Word && c == '-' {
					if q := s.afterHyphen(&b, s.pos+1); q >= 0 {
						s.pos = q // a compound or a word hyphenated at a line end
						continue
					}
				}
				if b.kind != 0 {
					return s.emit(&b)
				}
				s.pos++
			}
			continue
		}
		r, size := decodeLatin(src[s.pos:])
		if size == 0 {
			r, size = utf8.DecodeRune(src[s.pos:])
		}
		if e := latinLetter(r); e != nil {
			// Fast path: a precomposed Latin letter (all of Vietnamese).
			if b.kind == Number || (b.kind == Word && b.prevLower && e.upper) {
				return s.emit(&b)
			}
			if b.kind == 0 {
				b.kind, b.start = Word, s.pos
			}
			k := &e.keep
			if s.fold {
				k = &e.fold
			}
			b.lastBase = len(s.key) + int(k.baseEnd)
			if n := len(s.key); cap(s.key)-n >= len(k.key) {
				copy(s.key[n:n+len(k.key)], k.key[:]) // a fixed size: no call
				s.key = s.key[:n+int(k.n)]
			} else {
				s.key = append(s.key, k.key[:k.n]...)
			}
			b.tones |= k.tones
			b.marked = b.marked || k.marked
			b.retyped = b.retyped || k.retyped
			b.prevLower = k.lower
			s.pos += size
			continue
		}
		if uint(r-combiningLo) < uint(len(plainMarks)) && plainMarks[r-combiningLo] {
			// Fast path: a combining diacritic (NFD text), as the
			// general path below handles it.
			if b.kind == Number {
				return s.emit(&b)
			}
			if b.kind == 0 {
				b.kind, b.start = Word, s.pos
			}
			s.addDecomposed(&b, r)
			s.pos += size
			continue
		}
		if r == utf8.RuneError && size == 1 {
			// Invalid UTF-8: a separator.
			if b.kind != 0 {
				return s.emit(&b)
			}
			s.pos++
			continue
		}
		if isIgnorable(r) {
			// Format characters (zero-width space, soft hyphen, BOM,
			// direction marks) and variation selectors are deleted: they
			// do not split a word. A soft hyphen at a line end joins the
			// word across the break.
			if b.kind == Word && r == softHyphen {
				if q := s.afterHyphen(&b, s.pos+size); q >= 0 {
					s.pos = q
					continue
				}
			}
			s.pos += size
			continue
		}
		switch {
		case unicode.IsDigit(r):
			if b.kind == Word {
				return s.emit(&b)
			}
			if b.kind == 0 {
				b.kind, b.start = Number, s.pos
			}
			s.key = append(s.key, '0'+digitValue(r))
			s.pos += size
		case unicode.IsLetter(r) && (isHangul(r) || isIdeographic(r)):
			if b.kind != 0 {
				return s.emit(&b)
			}
			s.readRun(charRun)
			return s.runToken()
		case isRunLetter(r):
			if b.kind != 0 {
				return s.emit(&b)
			}
			s.readRun(spacelessRun)
			return s.runToken()
		case isHyphen(r): // the non-ASCII ones; a soft hyphen is ignorable
			if b.kind == Word {
				if q := s.afterHyphen(&b, s.pos+size); q >= 0 {
					s.pos = q
					continue
				}
				return s.emit(&b)
			}
			s.pos += size
		case unicode.IsLetter(r) || isMark(r):
			if b.kind == Number {
				return s.emit(&b)
			}
			if b.kind == Word && b.prevLower && unicode.IsUpper(r) && unicode.ToLower(r) != r {
				// A capital after a small letter starts a word (camelCase).
				// Capitals without a small form cannot split: normalized
				// text must scan the same way again.
				return s.emit(&b)
			}
			if b.kind == 0 {
				b.kind, b.start = Word, s.pos
			}
			s.addRune(&b, r, src[s.pos:s.pos+size])
			s.pos += size
		default:
			if b.kind != 0 {
				return s.emit(&b)
			}
			s.pos += size
		}
	}
	if b.kind != 0 {
		return s.emit(&b)
	}
	s.kind = 0
	return false
}

// addRune appends the letter or mark r, encoded as enc in the source, to
// the key under construction, by its compatibility decomposition (NFKD):
// a ligature gives its letters, a full-width letter its ASCII one. What a
// decomposition holds besides letters and marks (the space of U+037A, say)
// is dropped. Precomposed Latin letters never come here while scanning:
// latinTable, built by this path, holds what it does with each.
func (s *Scanner) addRune(b *building, r rune, enc []byte) {
	d := norm.NFKD.Properties(enc).Decomposition()
	if d == nil {
		s.addDecomposed(b, r)
		return
	}
	if !bytes.Equal(d, norm.NFD.Properties(enc).Decomposition()) {
		b.retyped = true // a compatibility form
	}
	for len(d) > 0 {
		q, n := utf8.DecodeRune(d)
		if isMark(q) || unicode.IsLetter(q) {
			s.addDecomposed(b, q)
		}
		d = d[n:]
	}
}

// latinEntry is the precomputed handling of one precomposed Latin letter:
// what adding its canonical decomposition rune by rune does to a word, with
// diacritics kept and folded, and whether it is a capital that has a small
// form. The look-alikes Ð U+00D0 and ð U+00F0 are read as Đ and đ (this
// table is the one place that does so).
type latinEntry struct {
	keep, fold latinKey
	upper      bool
}

// latinKey is the key bytes one letter appends (its small base letter and
// non-tone marks in code point order) and the state it leaves.
type latinKey struct {
	key     [16]byte
	n       uint8
	baseEnd uint8 // len(key) after the base letter
	tones   uint8
	marked  bool
	retyped bool
	lower   bool
}

// Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional,
// where every precomposed Vietnamese letter lives.
const (
	latin1Lo, latin1Hi = 0x00C0, 0x024F
	latin2Lo, latin2Hi = 0x1E00, 0x1EFF
)

var latinTable = func() (t [latin1Hi - latin1Lo + 1 + latin2Hi - latin2Lo + 1]*latinEntry) {
	add := func(i int, r rune) {
		if !unicode.IsLetter(r) {
			return // × and ÷
		}
		e := &latinEntry{upper: unicode.IsUpper(r) && unicode.ToLower(r) != r}
		for _, k := range []*latinKey{&e.keep, &e.fold} {
			// Run the general path once, on an empty word.
			sc := Scanner{fold: k == &e.fold}
			var b building
			sc.addRune(&b, r, utf8.AppendRune(nil, r))
			if len(sc.key) > len(k.key) {
				return // the general path handles it
			}
			k.n = uint8(copy(k.key[:], sc.key))
			k.baseEnd = uint8(b.lastBase)
			k.tones, k.marked, k.retyped, k.lower = b.tones, b.marked, b.retyped, b.prevLower
		}
		t[i] = e
	}
	for r := rune(latin1Lo); r <= latin1Hi; r++ {
		add(int(r-latin1Lo), r)
	}
	for r := rune(latin2Lo); r <= latin2Hi; r++ {
		add(int(r-latin2Lo)+latin1Hi-latin1Lo+1, r)
	}
	return t
}()

// combiningLo is the first code point of the Combining Diacritical
// Marks block, U+0300 to U+036F: the marks of NFD Vietnamese, and of NFD
// Latin, Greek and Cyrillic text.
const combiningLo = 0x0300

// plainMarks tells the marks of the Combining Diacritical Marks block that
// scan's general path would add to a word as they are: 107 of the 112,
// those that are not ignorable (U+034F, the grapheme joiner, is) and have
// no decomposition (U+0340 and U+0341, say, decompose to U+0300 and
// U+0301). It is computed from the predicates that path tests, in its
// order, so the fast path that reads it cannot disagree.
var plainMarks = func() (t [0x036F - combiningLo + 1]bool) {
	for i := range t {
		r := rune(combiningLo + i)
		enc := utf8.AppendRune(nil, r)
		t[i] = !isIgnorable(r) && !unicode.IsDigit(r) && !unicode.IsLetter(r) &&
			!isRunLetter(r) && !isHyphen(r) && isMark(r) && !unicode.IsUpper(r) &&
			norm.NFKD.Properties(enc).Decomposition() == nil
	}
	return t
}()

// smallRun returns the length of the run of ASCII small letters that
// starts b. It reads eight bytes at a time where b has them: a word ends
// at an unpredictable place, and a loop that tests each byte mispredicts
// its exit at nearly every word, where finding the first byte outside
// a..z in a word of 64 bits takes no branch that depends on the text.
func smallRun(b []byte) int {
	n := 0
	for len(b)-n >= 8 {
		if m := notSmall(binary.LittleEndian.Uint64(b[n:])); m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
		n += 8
	}
	for n < len(b) && b[n]-'a' < 26 {
		n++
	}
	return n
}

// notSmall returns the bytes of w that are not ASCII small letters, as
// the high bit of each such byte.
func notSmall(w uint64) uint64 {
	return (^inRange(w&^highBits, 'a', 'z') | w) & highBits
}

// onesBits and highBits are a byte's lowest and highest bit in every byte
// of a word.
const (
	onesBits = 0x0101010101010101
	highBits = 0x8080808080808080
)

// inRange returns the bytes of y, each below 0x80, that lie in lo..hi, as
// the high bit of each (other bits are garbage): one addition sets a
// byte's high bit from lo on, the other from past hi on, and neither
// carries into the next byte, as a byte stays below 0x100.
func inRange(y uint64, lo, hi byte) uint64 {
	return (y + (0x80-uint64(lo))*onesBits) &^ (y + (0x80-uint64(hi)-1)*onesBits)
}

// decodeLatin decodes the two forms in which every precomposed Latin
// letter is written, as utf8.DecodeRune does: two bytes (Latin-1 to Latin
// Extended-B), and three led by E1 (U+1000 to U+1FFF, Latin Extended
// Additional among them, where most Vietnamese letters lie). For any
// other b, and for one of fewer than three bytes, it returns size 0. It
// is small enough to inline into scan: a call for every letter of
// Vietnamese text cost 2.5% of sketching.
func decodeLatin(b []byte) (rune, int) {
	if len(b) < 3 || b[1]&0xC0 != 0x80 {
		return 0, 0
	}
	if c := b[0]; c >= 0xC2 && c < 0xE0 {
		return rune(c&0x1F)<<6 | rune(b[1]&0x3F), 2
	} else if c == 0xE1 && b[2]&0xC0 == 0x80 {
		return 0x1000 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F), 3
	}
	return 0, 0
}

func latinLetter(r rune) *latinEntry {
	switch {
	case r >= latin1Lo && r <= latin1Hi:
		return latinTable[r-latin1Lo]
	case r >= latin2Lo && r <= latin2Hi:
		return latinTable[r-latin2Lo+latin1Hi-latin1Lo+1]
	}
	return nil
}

func (s *Scanner) addDecomposed(b *building, q rune) {
	if isMark(q) {
		diacritic := isDiacritic(q)
		if diacritic {
			b.marked = true
			if t := toneBit(q); t != 0 {
				b.tones |= t
				return
			}
			if s.fold {
				return
			}
		}
		s.key = insertMark(s.key, b.lastBase, q)
		return
	}
	switch q { // the look-alikes Ð and ð, read as Đ and đ
	case 0x00D0:
		q, b.retyped = 0x0110, true
	case 0x00F0:
		q, b.retyped = 0x0111, true
	}
	if q == 0x0110 || q == 0x0111 {
		b.marked = true
		if s.fold {
			q = 'd'
		}
	}
	if q >= greekLo && q <= cyrillicHi {
		s.noteConfusable(b, q)
	}
	b.prevLower = unicode.IsLower(q)
	q = unicode.ToLower(q)
	s.key = utf8.AppendRune(s.key, q)
	b.lastBase = len(s.key)
}

// maxMarks is how many non-tone marks one letter keeps: real text has
// one or two. Keeping the smallest ones in code point order makes the key
// independent of mark order, and bounds the work on garbage input.
const maxMarks = 16

// insertMark adds a non-tone mark to key after its last base letter, which
// ends at lastBase, keeping the marks of one letter sorted by code point (at
// most maxMarks, the smallest), so that every mark order keys alike.
func insertMark(key []byte, lastBase int, q rune) []byte {
	var marks [maxMarks + 1]rune
	n := 0
	for region := key[lastBase:]; len(region) > 0; n++ {
		m, sz := utf8.DecodeRune(region)
		marks[n] = m
		region = region[sz:]
	}
	i := n
	for i > 0 && marks[i-1] > q {
		marks[i] = marks[i-1]
		i--
	}
	marks[i] = q
	n = min(n+1, maxMarks)
	key = key[:lastBase]
	for _, m := range marks[:n] {
		key = utf8.AppendRune(key, m)
	}
	return key
}

func (s *Scanner) emit(b *building) bool {
	if b.nconf != 0 {
		s.unconfuse(b)
	}
	if b.tones != 0 && b.kind == Word && !s.fold {
		for i, t := range tones {
			if b.tones&(1<<i) != 0 {
				s.key = utf8.AppendRune(s.key, t)
			}
		}
	}
	s.kind, s.marked, s.retyped, s.start, s.end = b.kind, b.marked, b.retyped, b.start, s.pos
	s.run = 0
	return true
}
