package shingle

import (
	"testing"
	"unicode"
)

// A small letter in lookAlike has its capital there too: normalized text
// is lower-cased, and must read as the text it came from.
func TestLookAlikeClosed(t *testing.T) {
	for r := range lookAlike {
		if u := unicode.ToUpper(r); unicode.IsLower(r) && u != r {
			if _, ok := lookAlike[u]; !ok {
				t.Errorf("%c (U+%04X) is a look-alike, its capital %c (U+%04X) is not", r, r, u, u)
			}
		}
		if r < greekLo || r > cyrillicHi {
			t.Errorf("%c (U+%04X) is outside the Greek and Cyrillic blocks that are checked", r, r)
		}
	}
}

// isRunLetter's blocks hold exactly the letters and marks of its scripts.
func TestRunBlocks(t *testing.T) {
	scripts := []*unicode.RangeTable{
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
		unicode.Tai_Tham, unicode.Tai_Le, unicode.New_Tai_Lue, unicode.Tai_Viet,
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := (unicode.IsLetter(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)) && unicode.In(r, scripts...)
		if got := isRunLetter(r); got != want {
			t.Errorf("isRunLetter(U+%04X) = %v, want %v", r, got, want)
		}
	}
}

// isIdeographic's fast ranges agree with the script tables.
func TestIdeographicRanges(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isIdeographic(r), unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana); got != want {
			t.Errorf("isIdeographic(U+%04X) = %v, want %v", r, got, want)
		}
	}
}

// readRun's fast path for the characters in runTab keys them as its
// general path does.
func TestRunTab(t *testing.T) {
	tab := runTab()
	n := 0
	for r := rune(runTabLo); r < runTabHi; r++ {
		if tab[r-runTabLo] == 0 {
			continue
		}
		n++
		text := []byte(string([]rune{'ก', r, 'ข', r}))
		var fast, slow Scanner
		fast.Reset(text, Normalizer{})
		slow.Reset(text, Normalizer{})
		slowRun(&slow)
		fast.readRun(spacelessRun)
		if string(fast.runKey) != string(slow.runKey) || len(fast.cl) != len(slow.cl) {
			t.Errorf("U+%04X: fast path keys %q in %d clusters, general path %q in %d", r, fast.runKey, len(fast.cl), slow.runKey, len(slow.cl))
		}
	}
	if n < 300 {
		t.Errorf("runTab holds %d characters; expected the letters and marks of four scripts", n)
	}
}

// slowRun reads a run with the fast path off.
func slowRun(s *Scanner) {
	saved := runTab
	runTab = func() *[runTabHi - runTabLo]uint8 { return nil }
	defer func() { runTab = saved }()
	s.readRun(spacelessRun)
}

// isIgnorable's fast reject skips no format character.
func TestIgnorableRanges(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Cf, r) && !isIgnorable(r) {
			t.Errorf("U+%04X is a format character, not ignorable", r)
		}
	}
}
