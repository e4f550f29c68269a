package shingle_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/neardup/neardup/shingle"
)

// tokensOf returns every token of text, each Key copied and each place
// moved by off.
func tokensOf(text []byte, off int, n shingle.Normalizer) []shingle.Token {
	var out []shingle.Token
	var sc shingle.Scanner
	sc.Reset(text, n)
	for sc.Scan() {
		tok := sc.Token()
		tok.Key = bytes.Clone(tok.Key)
		tok.Start += off
		tok.End += off
		out = append(out, tok)
	}
	return out
}

// tokensByRuns reads text as a caller of the run functions does: each run
// that RunAlone allows alone, and the rest of the text from the first
// that it does not.
func tokensByRuns(t *testing.T, text []byte, n shingle.Normalizer) (toks []shingle.Token, alone int) {
	for p := 0; p < len(text); {
		if shingle.IsDelimiter(text[p]) {
			p++
			continue
		}
		q := shingle.RunEnd(text, p)
		if q <= p {
			t.Fatalf("%q: RunEnd(%d) = %d, on a byte that is not a delimiter", text, p, q)
		}
		if !shingle.RunAlone(text[p:q]) {
			return append(toks, tokensOf(text[p:], p, n)...), alone
		}
		toks = append(toks, tokensOf(text[p:q], p, n)...)
		alone++
		p = q
	}
	return toks, alone
}

func checkRuns(t *testing.T, text []byte) (alone int) {
	t.Helper()
	for _, n := range []shingle.Normalizer{{}, {FoldDiacritics: true}} {
		want := tokensOf(text, 0, n)
		got, a := tokensByRuns(t, text, n)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q (fold %v): read by runs, tokens differ from the whole text's (-want +got):\n%s", text, n.FoldDiacritics, diff)
		}
		alone = a
	}
	return alone
}

// runPieces are what a text is made of in TestRunsAlone: Latin words and
// letters of every kind, digits and number punctuation, every delimiter
// class, hyphens (ASCII, soft, Unicode) before line breaks and spaces,
// ignorable characters, combining marks, and letters of the scripts a
// Scanner reads in runs (Thai, Lao, Khmer, Myanmar, Tai Tham, Tai Viet)
// or character by character (Han, Kana, Hangul).
var runPieces = []string{
	"a", "Z", "iPhone", "Hội", "đồng", "Bảo_an", "LHQ_Chiều", "ĐẢNG", "ấ", "Ð", "ǅ", "ﬁ", "ｗ", "а", "Ω",
	"1", "12", "12/9", "1.5", "6-3/16", "٣", "0x",
	" ", "  ", "\n", "\r\n", "\t", "_", ",", ".", "'", "\"", "(", ")", "#", "\x00", "\x7f",
	"-", "--", "-\n", "- \n", "-\n\n", "\u00ad", "\u00ad\n", "\u2010", "\u2010\n", "\u2011", "\uff0d\n", "\u2013", "\u2014",
	"\u200b", "\u00a0", "\u0301", "\u0323", "\xff", "\xe1", "\xe1\xbb", "\xe0",
	"ภาษาไทย", "ພາສາລາວ", "ភាសាខ្មែរ", "မြန်မာ", "ᨴᩢ᩠ᨾ", "ꪁꪫ", "中文", "かな", "한국어", "ᄀ",
}

// TestRunsAlone holds the run functions to the Scanner: read run by run,
// as RunAlone allows, every text gives the tokens that reading it whole
// gives, with and without FoldDiacritics. The texts are random strings of
// runPieces and every text under testdata, whole and line by line.
func TestRunsAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	alone := 0
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(runPieces[rng.IntN(len(runPieces))])
		}
		alone += checkRuns(t, []byte(b.String()))
	}
	if alone < n/2 {
		t.Errorf("%d runs read alone in %d texts: too few to tell", alone, n)
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.txt"))
	if len(files) < 20 {
		t.Fatalf("%d testdata texts; want the seeds, scripts and fixtures", len(files))
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkRuns(t, text)
		for line := range bytes.Lines(text) {
			checkRuns(t, line)
		}
	}
}

// RunEnd ends a run at the first delimiter, reading eight bytes at a
// time: every byte value at every place of three words, after bytes of
// each kind.
func TestRunEnd(t *testing.T) {
	for _, fill := range []byte{'a', 'Z', '5', '-', 0xC3, 0xBB} {
		for at := range 24 {
			for c := range 256 {
				text := bytes.Repeat([]byte{fill}, 24)
				text[at] = byte(c)
				want := len(text)
				for i, x := range text {
					if shingle.IsDelimiter(x) {
						want = i
						break
					}
				}
				if want == 0 {
					continue // RunEnd starts on a byte that is not a delimiter
				}
				if got := shingle.RunEnd(text, 0); got != want {
					t.Fatalf("RunEnd(% x) = %d, want %d", text, got, want)
				}
			}
		}
	}
	for c := range 256 {
		want := c < 0x80 && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-')
		if shingle.IsDelimiter(byte(c)) != want {
			t.Errorf("IsDelimiter(%#x) = %v, want %v", c, !want, want)
		}
	}
}

func FuzzRuns(f *testing.F) {
	for _, p := range runPieces {
		f.Add([]byte("x" + p + " " + p + "y"))
	}
	f.Add([]byte("inte-\ngration co-\u00ad\nop Hội-\n đồng ภาษา ไทย, 12/9"))
	f.Fuzz(func(t *testing.T, text []byte) {
		checkRuns(t, text)
	})
}
