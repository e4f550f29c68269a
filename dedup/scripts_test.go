package dedup_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/neardup/neardup/dedup"
)

// scriptText reads a fixture of testdata/scripts. Texts of
// scripts written without spaces mark word boundaries with '|'.
func scriptText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "scripts", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// fullWidth types ASCII as the full-width forms of CJK-sourced pages.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '\u3000'
		case r > ' ' && r < 0x7F:
			return r - 0x21 + 0xFF01
		}
		return r
	}, s)
}

// ligatures types f-ligatures as PDF extraction leaves them.
func ligatures(s string) string {
	return strings.NewReplacer("ffi", "ﬃ", "ffl", "ﬄ", "ff", "ﬀ", "fi", "ﬁ", "fl", "ﬂ").Replace(s)
}

// hyphenate wraps s at width columns, breaking long words with a hyphen
// at the line end, as typeset text extracted from a PDF has it.
func hyphenate(s string, width int) string {
	var out, line strings.Builder
	for _, w := range strings.Fields(s) {
		room := width - utf8.RuneCountInString(line.String()) - 1
		if line.Len() > 0 && len(w) > room {
			// break after k letters when a small letter follows
			k := min(room-1, len(w)-3)
			for k >= 3 && !(isLetters(w[:k]) && unicode.IsLower(rune(w[k]))) {
				k--
			}
			if k >= 3 {
				line.WriteString(" " + w[:k] + "-")
				w = w[k:]
			}
			out.WriteString(line.String() + "\n")
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	out.WriteString(line.String())
	return out.String()
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// joinEvery2nd drops every second space, as Korean outlets that space
// words differently do (할 수 있다, 할수 있다).
func joinEvery2nd(s string) string {
	words := strings.Split(s, " ")
	var b strings.Builder
	for i, w := range words {
		if i > 0 && i%2 == 1 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// lookAlikes types Cyrillic а, е and о for their Latin twins in every
// third word, as spam and copy-paste from another keyboard layout do.
func lookAlikes(s string) string {
	words := strings.Split(s, " ")
	for i := 0; i < len(words); i += 3 {
		words[i] = strings.NewReplacer("a", "\u0430", "e", "\u0435", "o", "\u043e").Replace(words[i])
	}
	return strings.Join(words, " ")
}

// The same short news item typed the ways real pipelines type it joins
// one cluster, in every script a regional corpus meets, and an unrelated
// item of the same script stays apart. Where one copy is typed cleanly and
// the other through ligatures, full-width forms, hyphenation or
// look-alikes, the clean copy is canonical even when it comes second.
func TestScriptsTypedTwoWays(t *testing.T) {
	raw := func(s string) string { return strings.ReplaceAll(s, "|", "") }
	seg := func(sep string) func(string) string {
		return func(s string) string { return strings.ReplaceAll(s, "|", sep) }
	}
	firstSentences := func(s string, n int) string {
		parts := strings.SplitAfter(s, ". ")
		return strings.TrimSpace(strings.Join(parts[:n], ""))
	}
	type pair struct {
		name      string
		a, b      string // the same text typed two ways
		cleanIsB  bool   // b is typed cleanly and must be canonical
		unrelated string // another item of the same script
	}
	ko := scriptText(t, "ko_a")
	en := scriptText(t, "en_a")
	enShort := firstSentences(en, 2)
	pairs := []pair{
		{name: "Chinese, raw vs segmented with spaces", a: raw(scriptText(t, "zh_a")), b: seg(" ")(scriptText(t, "zh_a")), unrelated: raw(scriptText(t, "zh_b"))},
		{name: "Japanese, raw vs segmented with spaces", a: raw(scriptText(t, "ja_a")), b: seg(" ")(scriptText(t, "ja_a")), unrelated: raw(scriptText(t, "ja_b"))},
		{name: "Thai, raw vs segmented with spaces", a: raw(scriptText(t, "th_a")), b: seg(" ")(scriptText(t, "th_a")), unrelated: raw(scriptText(t, "th_b"))},
		{name: "Thai, one line vs one sentence per line", a: raw(scriptText(t, "th_a")), b: strings.ReplaceAll(raw(scriptText(t, "th_a")), " ", "\n"), unrelated: raw(scriptText(t, "th_b"))},
		{name: "Thai, raw vs zero-width spaces", a: raw(scriptText(t, "th_a")), b: seg("\u200b")(scriptText(t, "th_a")), unrelated: raw(scriptText(t, "th_b"))},
		{name: "Lao, raw vs segmented with spaces", a: raw(scriptText(t, "lo_a")), b: seg(" ")(scriptText(t, "lo_a")), unrelated: raw(scriptText(t, "lo_b"))},
		{name: "Lao, raw vs NFKC (ໜ as ຫນ, ຳ as ໍາ)", a: raw(scriptText(t, "lo_a")), b: norm.NFKC.String(raw(scriptText(t, "lo_a"))), unrelated: raw(scriptText(t, "lo_b"))},
		{name: "Khmer, raw vs segmented with spaces", a: raw(scriptText(t, "km_a")), b: seg(" ")(scriptText(t, "km_a")), unrelated: raw(scriptText(t, "km_b"))},
		{name: "Burmese, raw vs segmented with spaces", a: raw(scriptText(t, "my_a")), b: seg(" ")(scriptText(t, "my_a")), unrelated: raw(scriptText(t, "my_b"))},
		{name: "Korean, NFC vs NFD", a: ko, b: norm.NFD.String(ko), unrelated: scriptText(t, "ko_b")},
		{name: "Korean, spaced differently", a: ko, b: joinEvery2nd(ko), unrelated: scriptText(t, "ko_b")},
		{name: "English vs full-width forms", a: fullWidth(en), b: en, cleanIsB: true, unrelated: scriptText(t, "en_b")},
		{name: "English vs ligatures", a: ligatures(en), b: en, cleanIsB: true, unrelated: scriptText(t, "en_b")},
		{name: "English vs line-end hyphenation, short item", a: hyphenate(enShort, 36), b: enShort, cleanIsB: true, unrelated: firstSentences(scriptText(t, "en_b"), 2)},
		{name: "English vs Cyrillic look-alikes", a: lookAlikes(en), b: en, cleanIsB: true, unrelated: scriptText(t, "en_b")},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			if p.a == p.b {
				t.Fatal("the two typings are equal: the test proves nothing")
			}
			res, err := dedup.Config{}.Cluster([]dedup.Doc{
				{ID: "a", Text: []byte(p.a)}, {ID: "b", Text: []byte(p.b)}, {ID: "unrelated", Text: []byte(p.unrelated)},
			})
			if err != nil {
				t.Fatal(err)
			}
			a, b, u := res.Docs[0], res.Docs[1], res.Docs[2]
			if a.ClusterIndex != b.ClusterIndex {
				var c dedup.Config
				sa, sb := c.Sketch([]byte(p.a)), c.Sketch([]byte(p.b))
				m := c.Compare(&sa, &sb)
				t.Errorf("the two typings are apart: %s", m.Reason())
			}
			if u.ClusterIndex == a.ClusterIndex || u.ClusterIndex == b.ClusterIndex {
				t.Errorf("an unrelated item joined them (similarity %.2f)", u.Similarity)
			}
			var c dedup.Config
			sa, su := c.Sketch([]byte(p.a)), c.Sketch([]byte(p.unrelated))
			if m := c.Compare(&sa, &su); m.Jaccard > 0.1 || m.Containment > 0.2 {
				t.Errorf("an unrelated item shares too much: %s", m.Reason())
			}
			if p.cleanIsB && !b.Canonical {
				c := res.Clusters[b.ClusterIndex]
				t.Errorf("the copy typed cleanly is not canonical: %s", c.Reason(res.Docs))
			}
		})
	}
}
