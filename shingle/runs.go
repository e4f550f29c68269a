package shingle

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// A run is a stretch of text between delimiters: ASCII bytes other than
// letters, digits and '-' (spaces, punctuation, '_', line breaks). No
// token of a Scanner crosses a delimiter, with two exceptions: a word
// that ends with a hyphen may go on after the line break and spaces that
// follow it (inte-⏎gration), and a run of a spaceless script (Thai, Lao,
// Myanmar, Khmer, the Tai scripts) reads on across spaces and
// punctuation. So a Scanner reading a run alone gives the tokens a Scanner
// reading the whole text gives there, unless RunAlone says otherwise;
// TestRunsAlone holds that, and the rest of this file to the Scanner.
//
// Callers that see the same runs again and again (a corpus of Vietnamese
// is made of a few thousand syllables) can keep what a Scanner made of
// each by its bytes, and skip the Scanner where a run comes back.

// IsDelimiter reports whether c ends a run: an ASCII byte other than a
// letter, a digit or '-'.
func IsDelimiter(c byte) bool { return delimiter[c] }

var delimiter = func() (t [256]bool) {
	for c := range 0x80 {
		t[c] = !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-')
	}
	return t
}()

// delimiters returns the bytes of w that are delimiters, as the high bit
// of each. Each byte is taken below 0x80 to be compared (see inRange),
// and the non-ASCII ones are masked out at the end.
func delimiters(w uint64) uint64 {
	y := w &^ highBits
	v := y ^ '-'*onesBits // 0 in a hyphen's byte, the one v+0x7f leaves below 0x80
	// A capital is taken as its small letter.
	return (v + 0x7f*onesBits) &^ (inRange(y|0x20*onesBits, 'a', 'z') | inRange(y, '0', '9') | w) & highBits
}

// RunEnd returns the end of the run that starts at text[start], which
// must not be a delimiter: the next delimiter's place, or len(text). It
// reads eight bytes at a time.
func RunEnd(text []byte, start int) int {
	q := start
	for len(text)-q >= 8 {
		if m := delimiters(binary.LittleEndian.Uint64(text[q:])); m != 0 {
			return q + bits.TrailingZeros64(m)/8
		}
		q += 8
	}
	for q < len(text) && !delimiter[text[q]] {
		q++
	}
	return q
}

// RunAlone reports whether a Scanner reading run alone gives the tokens
// that one reading the text around it gives there: run holds no byte that
// may begin a letter of a spaceless script, and does not end with a
// hyphen after something else (a word there may go on after the line
// break that follows). What a Scanner reads from a run that is not alone
// depends on the text after it: read the rest of the text from its start
// instead. It only reads run, so the answer depends on its bytes alone.
func RunAlone(run []byte) bool {
	for i, c := range run {
		switch {
		case c < 0xE0:
		case c == 0xE1:
			// U+1E00 to U+1FFF (Latin Extended Additional, Greek
			// Extended) are E1 B8 to E1 BF; below them lie Myanmar,
			// Khmer and the Tai scripts.
			if i+1 >= len(run) || run[i+1] < 0xB8 {
				return false
			}
		case c == 0xE0 || c == 0xEA:
			// Thai and Lao (U+0E00 to U+0EFF), Myanmar Extended-A and -B
			// and Tai Viet (U+A9E0 to U+AADF).
			return false
		}
	}
	if len(run) == 0 {
		return true
	}
	if last := run[len(run)-1]; last != '-' && last < utf8.RuneSelf {
		return true
	}
	// A hyphen after something else; a run of hyphens alone (the dash
	// of "ASEAN - Mỹ") ends no word.
	r, n := utf8.DecodeLastRune(run)
	if !isHyphen(r) {
		return true
	}
	for run = run[:len(run)-n]; len(run) > 0; run = run[:len(run)-n] {
		if r, n = utf8.DecodeLastRune(run); !isHyphen(r) {
			return false
		}
	}
	return true
}
