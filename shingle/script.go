package shingle

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/text/unicode/norm"
)

// This file holds the rules for scripts and typing habits beyond the
// Latin letters of scanner.go: character tokens (Han, Kana, Hangul), runs
// of scripts written without spaces (Thai, Lao, Khmer, Myanmar), line-end
// hyphenation and mixed-script look-alikes. The package doc gives each
// rule's reason.

const softHyphen = 0x00AD

// isIgnorable reports characters deleted from the text: format characters
// (Cf), variation selectors, which choose a glyph and not a letter, and the
// combining grapheme joiner, which only keeps marks from being reordered.
func isIgnorable(r rune) bool {
	switch {
	case r == 0x034F: // the combining grapheme joiner, in the range below
		return true
	case r > 0x00AD && r < 0x0600, r >= 0x2070 && r < 0xFE00:
		return false // no format characters there: most scripts, fast
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF,
		r >= 0x180B && r <= 0x180D, r == 0x180F:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// isDiacritic reports the marks that sit on a letter without making it
// another letter, those Normalizer.FoldDiacritics drops and Token.Marked
// reports: the Combining Diacritical Marks blocks (all of Vietnamese's tone
// and vowel marks, and Greek's and Cyrillic's accents after NFD), Hebrew
// points and Arabic vowel signs. The marks of Thai, Lao, Khmer, Myanmar and
// the Indic scripts are vowels and parts of letters, and the Kana voicing
// marks tell か from が: they are kept.
func isDiacritic(r rune) bool {
	switch {
	case r >= 0x0300 && r <= 0x036F, r >= 0x1AB0 && r <= 0x1AFF,
		r >= 0x1DC0 && r <= 0x1DFF, r >= 0x20D0 && r <= 0x20FF,
		r >= 0xFE20 && r <= 0xFE2F,
		r >= 0x0591 && r <= 0x05C7,              // Hebrew points and accents
		r >= 0x064B && r <= 0x065F, r == 0x0670: // Arabic vowel signs
		return true
	}
	return false
}

// Hangul, in every block it is encoded in.
func isHangul(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x11FF, // conjoining jamo
		r >= 0x3131 && r <= 0x318E, // compatibility jamo
		r >= 0xA960 && r <= 0xA97F, // jamo extended A
		r >= 0xAC00 && r <= 0xD7A3, // syllables
		r >= 0xD7B0 && r <= 0xD7FF, // jamo extended B
		r >= 0xFFA0 && r <= 0xFFDC: // half-width jamo
		return true
	}
	return false
}

// isRunLetter reports a letter or mark of the scripts that do not separate
// words with spaces and whose characters are letters of syllables rather
// than words: Thai, Lao, Myanmar, Khmer, Tai Le, New Tai Lue, Tai Tham
// and Tai Viet. Their runs are cut into tokens by content (see runToken).
// The blocks below hold those scripts' characters only (TestRunBlocks).
func isRunLetter(r rune) bool {
	switch {
	case r < 0x0E00:
		return false
	case r <= 0x0EFF, // Thai, Lao
		r >= 0x1000 && r <= 0x109F, // Myanmar
		r >= 0x1780 && r <= 0x17FF, // Khmer
		r >= 0x1950 && r <= 0x19DF, // Tai Le, New Tai Lue
		r >= 0x1A20 && r <= 0x1AAF, // Tai Tham
		r >= 0xA9E0 && r <= 0xA9FF, // Myanmar Extended-B
		r >= 0xAA60 && r <= 0xAADF: // Myanmar Extended-A, Tai Viet
		return unicode.IsLetter(r) || isMark(r)
	}
	return false
}

// runClass tells the two kinds of runs apart.
type runClass uint8

const (
	// charRun is a run of Han, Kana or Hangul: each character (a Hangul
	// syllable composed from its jamo) is a token, with the marks that
	// follow it.
	charRun runClass = iota + 1
	// spacelessRun is a run of Thai, Lao, Khmer, Myanmar or the Tai
	// scripts, cut into tokens by content (see runToken).
	spacelessRun
)

// cluster is one character of a run with its marks.
type cluster struct {
	end             int32 // end of its key in Scanner.runKey
	start, stop     int32 // the source bytes it came from
	marked, retyped bool
}

// readRun reads the run of class that starts at s.pos into s.runKey and
// s.cl: its characters, compatibility-decomposed and lower-cased, each
// with its marks in code point order (so that every order of typing them
// keys alike). Ignorable characters are skipped. A mark of the run's
// script may open a cluster without a letter; a mark of another script
// joins only a cluster with a letter, so that a key never starts with it.
//
// A spaceless run reads on across anything but letters, digits and line
// breaks: the spaces, zero-width spaces and '_' a segmenter puts between
// words change nothing, and neither do the spaces and punctuation of the
// text itself, which cannot be told from a segmenter's. A letter of
// another script, a digit or a line break ends it, as does anything but a
// character of the class and its marks for a run of characters.
func (s *Scanner) readRun(class runClass) {
	s.runKey, s.cl, s.ci, s.class = s.runKey[:0], s.cl[:0], 0, class
	if class == spacelessRun {
		s.runs++
	}
	base := 0        // end of the current cluster's letter in runKey
	hasBase := false // the current cluster has a letter, not only marks
	var tab *[runTabHi - runTabLo]uint8
	if class == spacelessRun {
		tab = runTab()
	}
	p := s.pos
	for p < len(s.src) {
		r, n := utf8.DecodeRune(s.src[p:])
		if class == charRun && (r >= 0x4E00 && r <= 0x9FFF ||
			r >= hangulS && r < hangulS+countL*countV*countT && (r-hangulS)%countT != 0) {
			// Fast path: the common ideographs, which have no
			// decomposition and no case, and the Hangul syllables that
			// end with a trailing consonant, with which nothing composes.
			s.runKey = append(s.runKey, s.src[p:p+n]...)
			base, hasBase = len(s.runKey), true
			s.cl = append(s.cl, cluster{end: int32(base), start: int32(p), stop: int32(p + n)})
			p += n
			continue
		}
		if tab != nil && r >= runTabLo && r < runTabHi {
			// Fast path: a letter or mark that needs nothing done.
			switch tab[r-runTabLo] {
			case runTabLetter:
				s.runKey = append(s.runKey, s.src[p:p+n]...)
				base, hasBase = len(s.runKey), true
				s.cl = append(s.cl, cluster{end: int32(base), start: int32(p), stop: int32(p + n)})
				p += n
				continue
			case runTabMark:
				if len(s.cl) == 0 {
					s.cl = append(s.cl, cluster{start: int32(p)})
					base, hasBase = len(s.runKey), false
				}
				s.runKey = insertMark(s.runKey, base, r)
				c := &s.cl[len(s.cl)-1]
				c.end, c.stop = int32(len(s.runKey)), int32(p+n)
				p += n
				continue
			}
		}
		switch {
		case isIgnorable(r):
			p += n
			continue
		case class == charRun && unicode.IsLetter(r) && (isHangul(r) || isIdeographic(r)),
			class == spacelessRun && isRunLetter(r):
			if class == charRun && isHangul(r) {
				syl, q, compat := s.composeHangul(p)
				s.runKey = utf8.AppendRune(s.runKey, syl)
				base = len(s.runKey)
				s.cl = append(s.cl, cluster{end: int32(base), start: int32(p), stop: int32(q), retyped: compat})
				hasBase = true
				p = q
				continue
			}
		case hasBase && (isMark(r) || class == charRun && (r == 0xFF9E || r == 0xFF9F)):
			// a mark of another script on a letter, or a half-width
			// voicing mark (NFKD gives a mark)
		case class == spacelessRun && r != '\n' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !isMark(r):
			q := p + n
			for q < len(s.src) {
				g, m := utf8.DecodeRune(s.src[q:])
				if g == '\n' || unicode.IsLetter(g) || unicode.IsDigit(g) || isMark(g) {
					break
				}
				q += m
			}
			if g, _ := utf8.DecodeRune(s.src[q:]); q < len(s.src) && isRunLetter(g) {
				p = q
				continue
			}
			s.pos = p
			return
		default:
			s.pos = p
			return
		}
		enc := s.src[p : p+n]
		d := norm.NFKD.Properties(enc).Decomposition()
		compat := false
		if d == nil {
			d = enc
		} else {
			compat = class == charRun && !bytes.Equal(d, norm.NFD.Properties(enc).Decomposition())
		}
		for len(d) > 0 {
			q, m := utf8.DecodeRune(d)
			d = d[m:]
			switch {
			case isMark(q):
				if len(s.cl) == 0 { // a mark that opens a spaceless run
					s.cl = append(s.cl, cluster{start: int32(p)})
					base, hasBase = len(s.runKey), false
				}
				c := &s.cl[len(s.cl)-1]
				if isDiacritic(q) {
					c.marked = true
					if s.fold {
						break
					}
				}
				s.runKey = insertMark(s.runKey, base, q)
			case unicode.IsLetter(q):
				s.runKey = utf8.AppendRune(s.runKey, unicode.ToLower(q))
				base, hasBase = len(s.runKey), true
				s.cl = append(s.cl, cluster{start: int32(p)})
			default:
				continue
			}
			c := &s.cl[len(s.cl)-1]
			c.end, c.stop = int32(len(s.runKey)), int32(p+n)
			c.retyped = c.retyped || compat
		}
		p += n
	}
	s.pos = p
}

// runTab tells, for U+0E00 to U+17FF (Thai, Lao, Myanmar, Khmer), the
// letters and marks of spaceless scripts that readRun keeps as they are:
// no decomposition, no case, not ignorable, not a diacritic. Built on
// first use; TestRunTab holds it to the general path.
var runTab = sync.OnceValue(func() *[runTabHi - runTabLo]uint8 {
	var t [runTabHi - runTabLo]uint8
	for r := rune(runTabLo); r < runTabHi; r++ {
		if !isRunLetter(r) || isIgnorable(r) || isDiacritic(r) || unicode.ToLower(r) != r ||
			norm.NFKD.PropertiesString(string(r)).Decomposition() != nil {
			continue
		}
		if isMark(r) {
			t[r-runTabLo] = runTabMark
		} else {
			t[r-runTabLo] = runTabLetter
		}
	}
	return &t
})

const (
	runTabLo, runTabHi       = 0x0E00, 0x1800
	runTabLetter, runTabMark = 1, 2
)

// Hangul composition (Unicode, section 3.12): a leading consonant L and a
// vowel V make a syllable LV; LV and a trailing consonant T make LVT.
const (
	hangulS, hangulL, hangulV, hangulT = 0xAC00, 0x1100, 0x1161, 0x11A7
	countL, countV, countT             = 19, 21, 28
)

// composeHangul reads one Hangul syllable at p, composed from whatever
// form it arrives in (precomposed, conjoining jamo as in NFD, or
// compatibility jamo, which NFKD makes conjoining), or a jamo that composes
// with nothing. It returns the rune, the offset after what it consumed, and
// whether a compatibility form was read.
func (s *Scanner) composeHangul(p int) (r rune, next int, compat bool) {
	r, p, compat = s.jamoAt(p)
	switch {
	case r >= hangulL && r < hangulL+countL:
		if v, q, c := s.jamoAt(p); v >= hangulV && v < hangulV+countV {
			r = hangulS + ((r-hangulL)*countV+v-hangulV)*countT
			p, compat = q, compat || c
			if t, q, c := s.jamoAt(p); t > hangulT && t < hangulT+countT {
				r += t - hangulT
				p, compat = q, compat || c
			}
		}
	case r >= hangulS && r < hangulS+countL*countV*countT && (r-hangulS)%countT == 0:
		if t, q, c := s.jamoAt(p); t > hangulT && t < hangulT+countT {
			r += t - hangulT
			p, compat = q, compat || c
		}
	}
	return r, p, compat
}

// jamoAt decodes the Hangul character at p, skipping ignorable ones, as
// conjoining jamo when it is a compatibility or half-width one (and then
// reports compat). It returns -1 and p if there is none.
func (s *Scanner) jamoAt(p int) (r rune, next int, compat bool) {
	for q := p; q < len(s.src); {
		r, n := utf8.DecodeRune(s.src[q:])
		if isIgnorable(r) {
			q += n
			continue
		}
		if !isHangul(r) || !unicode.IsLetter(r) {
			return -1, p, false
		}
		if r >= 0x3131 && r <= 0x318E || r >= 0xFFA0 {
			d := norm.NFKD.Properties(s.src[q : q+n]).Decomposition()
			if j, m := utf8.DecodeRune(d); m > 0 && m == len(d) {
				r, compat = j, true
			}
		}
		return r, q + n, compat
	}
	return -1, p, false
}

// runCut is the mean length, in letters, of the tokens cut from a
// spaceless run. A Thai, Lao or Khmer syllable is two to four letters
// (with its vowel signs as marks), so a token stands for about one
// syllable, and DefaultSize tokens span about five, as a Vietnamese
// shingle does.
const runCut = 3

// runToken cuts the next token from the run in s.cl: one character of a
// run of characters; for a spaceless run, the letters up to the next cut.
// A spaceless run is cut between two letters when the hash of the pair's
// keys, XXH64 of their bytes, is 0 modulo runCut: the tokens depend on the
// letters alone, not on where a segmenter put spaces, and an edit moves
// only the cuts next to it.
func (s *Scanner) runToken() bool {
	keyStart := func(i int) int32 {
		if i == 0 {
			return 0
		}
		return s.cl[i-1].end
	}
	i := s.ci
	marked, retyped := s.cl[i].marked, s.cl[i].retyped
	for ; s.class == spacelessRun && i+1 < len(s.cl); i++ {
		if xxhash.Sum64(s.runKey[keyStart(i):s.cl[i+1].end])%runCut == 0 {
			break
		}
		marked = marked || s.cl[i+1].marked
		retyped = retyped || s.cl[i+1].retyped
	}
	s.key = append(s.key[:0], s.runKey[keyStart(s.ci):s.cl[i].end]...)
	s.kind, s.marked, s.retyped = Word, marked, retyped
	s.start, s.end = int(s.cl[s.ci].start), int(s.cl[i].stop)
	s.run = 0
	if s.class == spacelessRun {
		s.run = s.runs
	}
	s.ci = i + 1
	return true
}

// afterHyphen decides whether a word goes on after a hyphen that ends at
// p. It does, and afterHyphen returns where, when a small letter follows at
// once (a compound: well-known keys as wellknown) or after one line break
// with only spaces, tabs and '_' around it (a word hyphenated at a line
// end, inte-⏎gration, as PDF and OCR text has it). Treating both alike is
// what makes the rule safe: a compound that a copy breaks at its hyphen
// across two lines keys as it does on one. A capital after the hyphen
// starts a word, on one line or two: GD-ĐT, Bà Rịa-Vũng Tàu and
// Anglo-Saxon keep their parts, which other copies write with "&", " - "
// or a space. It returns -1 otherwise.
func (s *Scanner) afterHyphen(b *building, p int) int {
	q, breaks := skipLineGap(s.src, p)
	if breaks > 1 || breaks == 0 && q != p {
		return -1
	}
	if q < len(s.src) && isSmallLetter(s.src[q:]) {
		b.retyped = b.retyped || breaks == 1
		return q
	}
	return -1
}

// skipLineGap skips spaces, tabs, '_', '\r' and '\n' from p and returns
// where they end and how many '\n' it passed.
func skipLineGap(src []byte, p int) (int, int) {
	breaks := 0
	for ; p < len(src); p++ {
		switch src[p] {
		case ' ', '\t', '\r', '_':
		case '\n':
			breaks++
		default:
			return p, breaks
		}
	}
	return p, breaks
}

// isSmallLetter reports whether src starts with a small letter that goes
// on a word of letters: not one of a run (Han, Hangul, Thai, ...).
func isSmallLetter(src []byte) bool {
	if c := src[0]; c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z'
	}
	r, _ := utf8.DecodeRune(src)
	return unicode.IsLower(r) && (latinLetter(r) != nil || !isHangul(r) && !isIdeographic(r) && !isRunLetter(r))
}

// isHyphen reports the hyphens that join words: the hyphen-minus, the
// hyphen and the non-breaking hyphen, their small and full-width forms,
// and the soft hyphen (at a line end; elsewhere it is ignorable).
func isHyphen(r rune) bool {
	switch r {
	case '-', 0x2010, 0x2011, 0xFE63, 0xFF0D, softHyphen:
		return true
	}
	return false
}

// ScanLines is a bufio.SplitFunc that splits text into lines, as
// bufio.ScanLines does, except at a line break that a Scanner reads inside
// a word: a word hyphenated at the end of a line (inte-⏎gration) stays in
// one line, so that callers who scan text line by line see the word whole.
func ScanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for from := 0; ; {
		i := bytes.IndexByte(data[from:], '\n')
		if i < 0 {
			break
		}
		i += from
		if !joinsAcross(data, i) {
			return i + 1, dropCR(data[:i]), nil
		}
		from = i + 1
	}
	if atEOF && len(data) > 0 {
		return len(data), dropCR(data), nil
	}
	return 0, nil, nil
}

func dropCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// joinsAcross reports whether the line break at data[i] lies inside a
// token of a Scanner. A hyphen must end the line, before spaces, tabs or
// '_'; then the line is scanned from its start, where a token of a
// Scanner cannot be inside a word that a joined line break began: every
// line ends a run, and a word goes on with the same rules as one begun
// there.
func joinsAcross(data []byte, i int) bool {
	j := i
	for j > 0 && (data[j-1] == ' ' || data[j-1] == '\t' || data[j-1] == '\r' || data[j-1] == '_') {
		j--
	}
	if h, n := utf8.DecodeLastRune(data[:j]); n == 0 || !isHyphen(h) {
		return false
	}
	start := bytes.LastIndexByte(data[:j], '\n') + 1
	sc := getScanner(data[start:], Normalizer{})
	defer scanners.Put(sc)
	for sc.Scan() {
		if sc.start > i-start {
			break
		}
		if sc.end > i-start {
			return true
		}
	}
	return false
}

// Mixed-script look-alikes: Greek and Cyrillic letters that look like
// Latin ones, typed into Latin words by spammers and by copy-paste from
// keyboards with another layout ("pаypal" with a Cyrillic а).
const (
	greekLo, cyrillicHi = 0x0370, 0x052F
	// maxConfusables is how many look-alikes one word may hold and still
	// be read as Latin: real mixed words have one or two.
	maxConfusables = 8
)

type confusable struct {
	at    int32 // offset of the letter in the key
	latin byte  // the small Latin letter it looks like
}

// lookAlike maps the Greek and Cyrillic letters that look like a Latin
// letter (in the case typed: Greek Ν is N, ν is v) to that small letter.
// With every small letter it holds its capital, so that a word lower-cased
// by normalization is read as it was (TestLookAlikeClosed).
var lookAlike = map[rune]byte{
	// Greek capitals and small letters
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm',
	'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'χ': 'x',
	// Cyrillic capitals and small letters
	'А': 'a', 'В': 'b', 'Е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p',
	'С': 'c', 'Т': 't', 'У': 'y', 'Х': 'x', 'Ѕ': 's', 'І': 'i', 'Ј': 'j', 'Ү': 'y', 'Һ': 'h',
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'ү': 'y', 'һ': 'h',
	'Ԁ': 'd', 'Ԛ': 'q', 'Ԝ': 'w', 'Ӏ': 'l',
	'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
}

// noteConfusable records q, a Greek or Cyrillic letter about to be
// appended to the key, if it looks like a Latin one.
func (s *Scanner) noteConfusable(b *building, q rune) {
	l, ok := lookAlike[q]
	if !ok || b.nconf > maxConfusables {
		return
	}
	if int(b.nconf) < maxConfusables {
		s.conf[b.nconf] = confusable{at: int32(len(s.key)), latin: l}
	}
	b.nconf++
}

// unconfuse rewrites the look-alikes of the word in the key as the Latin
// letters they look like, if the word is otherwise Latin: every other
// letter is Latin, and there is one. A Greek or Cyrillic word is left
// alone, whatever letters it shares with Latin.
func (s *Scanner) unconfuse(b *building) {
	n := int(b.nconf)
	if n > maxConfusables {
		return
	}
	conf := s.conf[:n]
	latin := false
	for i, k := 0, 0; i < len(s.key); {
		r, m := utf8.DecodeRune(s.key[i:])
		switch {
		case k < n && int(conf[k].at) == i:
			k++
		case r < utf8.RuneSelf || unicode.Is(unicode.Latin, r):
			latin = true
		case !isMark(r):
			return
		}
		i += m
	}
	if !latin {
		return
	}
	b.retyped = true
	w := int(conf[0].at)
	for i, k := w, 0; i < len(s.key); {
		if k < n && int(conf[k].at) == i {
			_, m := utf8.DecodeRune(s.key[i:])
			s.key[w] = conf[k].latin
			w, i, k = w+1, i+m, k+1
			continue
		}
		s.key[w] = s.key[i]
		w, i = w+1, i+1
	}
	s.key = s.key[:w]
}
