package shingle_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"

	"github.com/neardup/neardup/shingle"
)

func normalize(n shingle.Normalizer, s string) string {
	return string(n.AppendNormalized(nil, []byte(s)))
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		fold bool
		want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "segmenter joins", in: "Hội_đồng_Bảo_an", want: normalize(shingle.Normalizer{}, "hội đồng bảo an")},
		{name: "partial joins", in: "Hội_đồng Bảo_an LHQ_Chiều", want: normalize(shingle.Normalizer{}, "hội đồng bảo an lhq chiều")},
		{name: "unicode spaces", in: "a\u00a0b\u2003c\u3000d\te\nf", want: "a b c d e\nf"},
		{name: "case", in: "ASEAN Ủng Hộ", want: normalize(shingle.Normalizer{}, "asean ủng hộ")},
		{name: "nfd equals nfc", in: norm.NFD.String("Nguyễn Dy Niên"), want: normalize(shingle.Normalizer{}, "nguyễn dy niên")},
		{name: "old tone placement", in: "hòa khỏe thủy", want: normalize(shingle.Normalizer{}, "hoà khoẻ thuỷ")},
		{name: "windows-1258 style", in: "Vie\u0302\u0323t", want: normalize(shingle.Normalizer{}, "việt")},
		{name: "mark order", in: "o\u0302\u0323 o\u0323\u0302", want: normalize(shingle.Normalizer{}, "ộ ộ")},
		{name: "format chars deleted", in: "Hộ\u200bi đồ\u00adng \ufeffbảo\u200e", want: normalize(shingle.Normalizer{}, "hội đồng bảo")},
		{name: "grapheme joiner deleted", in: "Hô\u034f\u0323i đồ\u034fng", want: normalize(shingle.Normalizer{}, "hội đồng")},
		{name: "eth look-alike", in: "\u00d0à Nẵng \u00f0i", want: normalize(shingle.Normalizer{}, "Đà Nẵng đi")},
		{name: "camel case", in: "iPhone", want: "i phone"},
		{name: "camel split", in: "i Phone", want: "i phone"},
		{name: "acronym kept", in: "LHQ HĐBA", want: normalize(shingle.Normalizer{}, "lhq hđba")},
		{name: "digits separate", in: "ngày12/9,năm 2005", want: normalize(shingle.Normalizer{}, "ngày 12 9 năm 2005")},
		{name: "masked digits", in: "Chiều 4 7 Phó", want: normalize(shingle.Normalizer{}, "chiều 4 7 phó")},
		{name: "unicode digits", in: "١٢ １２", want: "12 12"},
		{name: "punctuation", in: "C.Rice, \"Sáng kiến\"...", want: normalize(shingle.Normalizer{}, "c rice sáng kiến")},
		{name: "ideographs", in: "東京abc", want: "東 京 abc"},
		{name: "invalid utf8 separates", in: "ab\xffcd\xc3", want: "ab cd"},
		{name: "fold diacritics", in: "Đồng Hội_đồng Bảo", fold: true, want: "dong hoi dong bao"},
		{name: "fold look-alike", in: "\u00d0à \u00f0i", fold: true, want: "da di"},
		{name: "fold nfd", in: norm.NFD.String("Nguyễn thuỷ"), fold: true, want: "nguyen thuy"},
		// compatibility forms
		{name: "full-width", in: "ＡＳＥＡＮ ｓｕｍｍｉｔ １２", want: "asean summit 12"},
		{name: "ligatures", in: "ﬁnal oﬀer ﬂows ﬃx ﬅ", want: "final offer flows ffix st"},
		{name: "half-width katakana", in: "ｶﾞｲﾄﾞ", want: "ガ イ ド"},
		{name: "compat decomposition drops non-letters", in: "a\u037ab", want: normalize(shingle.Normalizer{}, "a\u0345b")},
		{name: "variation selectors deleted", in: "東\ufe00京 a\U000e0100b", want: "東 京 ab"},
		// character tokens
		{name: "kana voicing nfd", in: "カ\u3099イ ガイ", want: "ガ イ ガ イ"},
		{name: "kana voicing kept when folding", in: "ガ カ", fold: true, want: "ガ カ"},
		{name: "hangul nfd", in: norm.NFD.String("한국 정부"), want: "한 국 정 부"},
		{name: "hangul spacing", in: "할수있다", want: normalize(shingle.Normalizer{}, "할 수 있 다")},
		{name: "hangul compat jamo", in: "\u314e\u314f\u3134", want: "\ud558 \u1102"},
		{name: "hangul lv plus t", in: "\uac00\u11a8", want: "\uac01"},
		// spaceless scripts
		{name: "thai segmented", in: "ประเทศ ไทย\u200bเป็น_สมาชิก", want: normalize(shingle.Normalizer{}, "ประเทศไทยเป็นสมาชิก")},
		{name: "thai mark order", in: "ท\u0e48\u0e35", want: normalize(shingle.Normalizer{}, "ท\u0e35\u0e48")},
		{name: "thai sara am", in: "กำลัง", want: normalize(shingle.Normalizer{}, "ก\u0e4d\u0e32ลัง")},
		{name: "thai marks kept when folding", in: "ที่นี่", fold: true, want: normalize(shingle.Normalizer{}, "ที่นี่")},
		{name: "thai digits and latin end a run", in: "ไทย๒๕ASEANไทย", want: "ไ ท ย 25 asean ไ ท ย"},
		// hyphens
		{name: "line-end hyphenation", in: "inte-\ngration", want: "integration"},
		{name: "hyphenation with spaces and crlf", in: "inte- \r\n  gration", want: "integration"},
		{name: "soft hyphen at line end", in: "inte\u00ad\ngration", want: "integration"},
		{name: "compound on one line", in: "well-known", want: "wellknown"},
		{name: "compound across lines", in: "well-\nknown", want: "wellknown"},
		{name: "unicode hyphen", in: "well\u2010known", want: "wellknown"},
		{name: "spaced dash separates", in: "Hanoi - Hue Hanoi -Hue Hanoi- Hue", want: "hanoi hue hanoi hue hanoi hue"},
		{name: "paragraph break separates", in: "inte-\n\ngration", want: "inte\ngration"},
		{name: "hyphen before digits", in: "COVID-19 19-year", want: "covid 19 19 year"},
		{name: "hyphen before a capital", in: "GD-ĐT Anglo-\nSaxon", want: normalize(shingle.Normalizer{}, "gd đt anglo\nsaxon")},
		// look-alikes
		{name: "cyrillic in latin word", in: "p\u0430ypal \u0412BC", want: "paypal bbc"},
		{name: "greek in latin word", in: "\u039dEWS", want: "news"},
		{name: "cyrillic word kept", in: "Москва", want: "москва"},
		{name: "greek word kept", in: "Νίκος", want: normalize(shingle.Normalizer{}, "νίκος")},
		{name: "all look-alikes, no latin letter", in: "\u0441\u043e\u0440", want: "\u0441\u043e\u0440"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalize(shingle.Normalizer{FoldDiacritics: tt.fold}, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AppendNormalized(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	type tok struct {
		Key        string
		Kind       shingle.Kind
		Start, End int
		Marked     bool
	}
	in := "Hoà_bình 12/9 iPhone"
	want := []tok{
		{Key: "hoa\u0300", Kind: shingle.Word, Start: 0, End: 4, Marked: true},
		{Key: "binh\u0300", Kind: shingle.Word, Start: 5, End: 10, Marked: true},
		{Key: "12", Kind: shingle.Number, Start: 11, End: 13},
		{Key: "9", Kind: shingle.Number, Start: 14, End: 15},
		{Key: "i", Kind: shingle.Word, Start: 16, End: 17},
		{Key: "phone", Kind: shingle.Word, Start: 17, End: 22},
	}
	var got []tok
	for tk := range (shingle.Normalizer{}).Tokens([]byte(in)) {
		got = append(got, tok{string(tk.Key), tk.Kind, tk.Start, tk.End, tk.Marked})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tokens(%q) mismatch (-want +got):\n%s", in, diff)
	}
}

func TestTokensStopEarly(t *testing.T) {
	n := 0
	for range (shingle.Normalizer{}).Tokens([]byte("a b c d")) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Fatalf("iterated %d tokens after break, want 2", n)
	}
}

// Known answers: these hashes are a stored format. If this test fails, the
// change breaks every stored hash; bump shingle.Version and update it on
// purpose.
func TestKnownAnswers(t *testing.T) {
	if shingle.Version != 3 {
		t.Fatalf("Version = %d; known answers below are for version 3", shingle.Version)
	}
	tokens := []struct {
		key  string
		want uint64
	}{
		{"", 0xef46db3751d8e999},
		{"a", 0xd24ec4f1a98c6e5b},
		{"hoa\u0300", 0xf4a8fbbb80923171},
	}
	for _, tt := range tokens {
		if got := shingle.TokenHash([]byte(tt.key)); got != tt.want {
			t.Errorf("TokenHash(%q) = %#x, want %#x", tt.key, got, tt.want)
		}
	}
	shingles := []struct {
		text string
		size int
		want []uint64
	}{
		{"", 0, nil},
		{"Hội đồng", 0, []uint64{0x2de0d898a5d3d9f7}},
		{"ASEAN ủng_hộ VN ứng_cử vào Hội_đồng", 5, []uint64{0xa15fa6a16d2f2784, 0xde455e500a53a05f, 0x8480c70e3b21b710, 0x8a61b1460889bb59, 0xe1fa302aee143611}},
		{"the quick brown fox", 2, []uint64{0x6eff1af9484eaaef, 0xafcacf602c77f377, 0xc31e241306d463ea}},
		// version 2: runs cut by content, composed Hangul, joined hyphens,
		// compatibility forms
		{"ประเทศไทยเป็นสมาชิก", 3, []uint64{0x7a3d621f32a25e7e, 0x5887aefc8b88d4d9, 0x7fefc9d287011746, 0x28ce4ae7fc67145a, 0x1ea977669093957f}},
		{"한국 정부는 발표했다", 4, []uint64{0x7da5f083b948bb26, 0xeb64fa5173925076, 0x85ce70c32f3b8b2, 0x5098d245c71a110e, 0x21f0a9d9f85649d9, 0x8747f53874412b4}},
		{"inte-\ngration of ＡＳＥＡＮ", 2, []uint64{0x2b58eed592d8be6b, 0x830de9105c3a0620}},
		// version 3: the combining grapheme joiner deleted ("Hội đồng")
		{"Hô\u034f\u0323i đồ\u034fng", 0, []uint64{0x2de0d898a5d3d9f7}},
	}
	for _, tt := range shingles {
		got := shingle.Shingler{Size: tt.size}.AppendHashes(nil, []byte(tt.text))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("AppendHashes(%q, size %d) mismatch (-want +got):\n%s", tt.text, tt.size, diff)
		}
	}
}

// The documented formula, computed here independently of the package.
func TestHashFormula(t *testing.T) {
	words := []string{"the", "quick", "brown", "fox"}
	var want []uint64
	for i := 0; i+2 <= len(words); i++ {
		var b []byte
		for _, w := range words[i : i+2] {
			b = binary.LittleEndian.AppendUint64(b, xxhash.Sum64String(w))
		}
		want = append(want, xxhash.Sum64(b))
	}
	got := shingle.Shingler{Size: 2}.AppendHashes(nil, []byte("The QUICK, brown_fox"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shingle hashes differ from the documented formula (-want +got):\n%s", diff)
	}
}

func TestAppendShinglesMatchesAppendHashes(t *testing.T) {
	texts := []string{"", "one", "a b c", "a b c d e f g h i j", "Hội_đồng Bảo_an LHQ_Chiều 12/9 , Phó chủ_tịch nước"}
	for _, text := range texts {
		for size := 1; size <= 7; size++ {
			want := shingle.Shingler{Size: size}.AppendHashes(nil, []byte(text))
			got := shingle.AppendShingles(nil, shingle.Normalizer{}.AppendTokenHashes(nil, []byte(text)), size)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("text %q size %d: AppendShingles differs from AppendHashes (-want +got):\n%s", text, size, diff)
			}
		}
	}
}

func TestShingleCounts(t *testing.T) {
	tests := []struct {
		text string
		size int
		want int
	}{
		{"", 5, 0},
		{"12 / 9 ,", 5, 0},
		{"one two", 5, 1},
		{"a b c d e", 5, 1},
		{"a b c d e f", 5, 2},
		{"a b c d e f", 1, 6},
	}
	for _, tt := range tests {
		got := len(shingle.Shingler{Size: tt.size}.AppendHashes(nil, []byte(tt.text)))
		if got != tt.want {
			t.Errorf("len(AppendHashes(%q, %d)) = %d, want %d", tt.text, tt.size, got, tt.want)
		}
	}
}

func readSeed(t testing.TB, prefix string) []byte {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("..", "testdata", "seeds", prefix+"_*.txt"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s: %v %v", prefix, m, err)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func set(h []uint64) map[uint64]bool {
	m := make(map[uint64]bool, len(h))
	for _, v := range h {
		m[v] = true
	}
	return m
}

func jaccard(a, b []uint64) float64 {
	sa, sb := set(a), set(b)
	in := 0
	for v := range sa {
		if sb[v] {
			in++
		}
	}
	return float64(in) / float64(len(sa)+len(sb)-in)
}

// The two forms of the UN-candidacy report share every shingle; the other
// seeds share almost none.
func TestSeedsJaccard(t *testing.T) {
	var sh shingle.Shingler
	seeds := []string{"000", "001", "002", "003", "004"}
	hashes := make([][]uint64, len(seeds))
	for i, s := range seeds {
		hashes[i] = sh.AppendHashes(nil, readSeed(t, s))
	}
	if j := jaccard(hashes[0], hashes[1]); j != 1 {
		t.Errorf("Jaccard(000, 001) = %.3f, want 1", j)
	}
	for i := range seeds {
		for k := i + 1; k < len(seeds); k++ {
			if i == 0 && k == 1 {
				continue
			}
			if j := jaccard(hashes[i], hashes[k]); j > 0.05 {
				t.Errorf("Jaccard(%s, %s) = %.3f, want < 0.05", seeds[i], seeds[k], j)
			}
		}
	}
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	text := readSeed(t, "001")
	dst := make([]uint64, 0, 4096)
	var sh shingle.Shingler
	if n := testing.AllocsPerRun(20, func() { dst = sh.AppendHashes(dst[:0], text) }); n != 0 {
		t.Errorf("AppendHashes allocates %v times per call, want 0", n)
	}
	if n := testing.AllocsPerRun(20, func() { dst = sh.AppendTokenHashes(dst[:0], text) }); n != 0 {
		t.Errorf("AppendTokenHashes allocates %v times per call, want 0", n)
	}
	buf := make([]byte, 0, 2*len(text))
	if n := testing.AllocsPerRun(20, func() { buf = sh.AppendNormalized(buf[:0], text) }); n != 0 {
		t.Errorf("AppendNormalized allocates %v times per call, want 0", n)
	}
	for _, text := range [][]byte{text, scriptText(t, "th_a", 4<<10), scriptText(t, "ko_a", 4<<10)} {
		var sc shingle.Scanner
		sc.Reset(text, shingle.Normalizer{}) // warm the key and run buffers
		for sc.Scan() {
		}
		if n := testing.AllocsPerRun(20, func() {
			sc.Reset(text, shingle.Normalizer{})
			for sc.Scan() {
			}
		}); n != 0 {
			t.Errorf("a reused Scanner allocates %v times per text, want 0 (%.20q...)", n, text)
		}
	}
}

func TestSizePanics(t *testing.T) {
	for _, size := range []int{-1, shingle.MaxSize + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Shingler{Size: %d} did not panic", size)
				}
			}()
			shingle.Shingler{Size: size}.AppendHashes(nil, []byte("a"))
		}()
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add([]byte("Hội_đồng Bảo_an LHQ_Chiều 12/9 , iPhone"))
	f.Add([]byte(norm.NFD.String("Nguyễn hòa khỏe thủy")))
	f.Add([]byte("\u00d0à\u200b\u00ad\ufeff\xff\xc3"))
	f.Add([]byte("o\u0302\u0323\u0308\u0301\u0327a\u0300\u0301"))
	f.Add([]byte("ประเทศ ไทย\u200bกำลัง ແລະ ໜ ខ្មែរ မြန်မာ"))
	f.Add([]byte(norm.NFD.String("한국 정부") + "\u314e\u314f\u3134 ｶﾞ カ\u3099"))
	f.Add([]byte("inte-\ngration well\u00ad\r\n known ＡＳＥＡＮ ﬁ p\u0430ypal"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, n := range []shingle.Normalizer{{}, {FoldDiacritics: true}} {
			once := n.AppendNormalized(nil, text)
			if !utf8.Valid(once) {
				t.Fatalf("normalized text is not valid UTF-8: %q", once)
			}
			twice := n.AppendNormalized(nil, once)
			if !bytes.Equal(once, twice) {
				t.Fatalf("not idempotent (fold=%v):\n in    %q\n once  %q\n twice %q", n.FoldDiacritics, text, once, twice)
			}
		}
	})
}

func FuzzShingles(f *testing.F) {
	f.Add([]byte("ASEAN ủng hộ VN ứng cử vào Hội đồng Bảo an LHQ. Chiều 12/9"), uint8(5))
	f.Add([]byte("a b\u00a0c\nd\te"), uint8(2))
	f.Add([]byte("x \xff y"), uint8(1))
	f.Add([]byte("ประเทศไทยเป็นสมาชิกอาเซียน 東京都 한국은"), uint8(5))
	f.Add([]byte("ພາສາລາວ ភាសាខ្មែរ မြန်မာစာ inte-\ngration"), uint8(3))
	f.Fuzz(func(t *testing.T, text []byte, size uint8) {
		sh := shingle.Shingler{Size: int(size%shingle.MaxSize) + 1}
		want := sh.AppendHashes(nil, text)
		// Each shingle is HashTokens of its window of token hashes, as
		// the portable loop computes it: the AVX-512 kernel, where it
		// runs, must agree.
		tokens := sh.AppendTokenHashes(nil, text)
		k := min(sh.Size, len(tokens))
		var windows []uint64
		for i := 0; k > 0 && i+k <= len(tokens); i++ {
			windows = append(windows, shingle.HashTokens(tokens[i:i+k]))
		}
		if !slices.Equal(want, windows) {
			t.Fatalf("shingles of %q (size %d) differ from HashTokens of their windows:\n %x\n %x", text, sh.Size, want, windows)
		}
		// Replacing spaces with '_' changes no shingle.
		joined := bytes.ReplaceAll(text, []byte(" "), []byte("_"))
		if got := sh.AppendHashes(nil, joined); !slices.Equal(want, got) {
			t.Fatalf("'_' for ' ' changed shingles of %q", text)
		}
		// Segmenting a script written without spaces, with spaces, '_' or
		// zero-width spaces between its characters, changes no shingle.
		for _, sep := range []string{" ", "_", "\u200b"} {
			if seg := segment(text, sep); !slices.Equal(want, sh.AppendHashes(nil, seg)) {
				t.Fatalf("segmenting with %q changed shingles:\n %q\n %q", sep, text, seg)
			}
		}
		// Re-shingling the normalized text gives the same shingles.
		normalized := sh.AppendNormalized(nil, text)
		if got := sh.AppendHashes(nil, normalized); !slices.Equal(want, got) {
			t.Fatalf("normalized text %q shingles differently from %q", normalized, text)
		}
	})
}

// segment inserts sep between every two characters of scripts written
// without spaces (Han, Kana, Hangul syllables, Thai, Lao, Khmer, Myanmar),
// as a segmenter that splits everything would.
func segment(text []byte, sep string) []byte {
	starts := func(r rune) bool { // a character that a space may precede
		return !unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) &&
			(unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) && unicode.IsLetter(r) ||
				r >= 0xAC00 && r <= 0xD7A3)
	}
	var out []byte
	prev := false
	for len(text) > 0 {
		r, n := utf8.DecodeRune(text)
		cur := starts(r) && !(r == utf8.RuneError && n == 1)
		if prev && cur {
			out = append(out, sep...)
		}
		out = append(out, text[:n]...)
		text = text[n:]
		prev = cur || prev && unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)
	}
	return out
}

// ScanLines keeps in one line exactly the words a Scanner reads across a
// line break: scanning line by line gives the tokens of the whole text.
func FuzzScanLines(f *testing.F) {
	f.Add([]byte("inte-\ngration\nwell-\r\n known\n\nnext- \n line\n-\nx"))
	f.Add([]byte("a\u00ad\nb é-\nc ไทย-\nx 12-\nab"))
	f.Add([]byte("\u0e4c-\nx a\u0e4c-\nx \u0e4c\u0301-\nx 東\u3099-\nx \u0301-\nx"))
	f.Fuzz(func(t *testing.T, text []byte) {
		var n shingle.Normalizer
		want := n.AppendTokenHashes(nil, text)
		var got []uint64
		sc := bufio.NewScanner(bytes.NewReader(text))
		sc.Buffer(nil, len(text)+1)
		sc.Split(shingle.ScanLines)
		for sc.Scan() {
			got = n.AppendTokenHashes(got, sc.Bytes())
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(want, got) {
			t.Fatalf("line by line, %q scans to %d tokens, whole to %d", text, len(got), len(want))
		}
	})
}

func ExampleShingler() {
	var sh shingle.Shingler // 5-syllable shingles, diacritics kept
	a := sh.AppendHashes(nil, []byte("Hội_đồng_Bảo_an LHQ họp ngày 12/9"))
	b := sh.AppendHashes(nil, []byte("hội đồng bảo an LHQ họp ngày 4 7"))
	fmt.Println(len(a), slices.Equal(a, b))
	// Output: 3 true
}

func ExampleNormalizer_AppendNormalized() {
	fold := shingle.Normalizer{FoldDiacritics: true}
	fmt.Println(string(fold.AppendNormalized(nil, []byte("Hội_đồng Bảo an, iPhone 15"))))
	// Output: hoi dong bao an i phone 15
}

func ExampleScanner() {
	var sc shingle.Scanner
	sc.Reset([]byte("Thủy_điện 2.000 MW"), shingle.Normalizer{})
	for sc.Scan() {
		tok := sc.Token()
		fmt.Println(tok.Kind, norm.NFC.String(string(tok.Key)), tok.Marked)
	}
	// Output:
	// word thuỷ true
	// word điêṇ true
	// number 2 false
	// number 000 false
	// word mw false
}

// Precomposed Latin letters take a table-driven fast path; their NFD
// spelling (base letter plus combining marks) takes the general one. Both
// must give the same tokens, in every context that affects splitting.
func TestLatinFastPathMatchesGeneral(t *testing.T) {
	ranges := [][2]rune{{0x00C0, 0x024F}, {0x1E00, 0x1EFF}}
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			for _, ctx := range []string{"%c", "a%c", "%cb", "aB%c", "x%cY", "1%c2", "%c\u0301"} {
				composed := fmt.Sprintf(ctx, r)
				for _, n := range []shingle.Normalizer{{}, {FoldDiacritics: true}} {
					want := normalize(n, norm.NFD.String(composed))
					if got := normalize(n, composed); got != want {
						t.Errorf("U+%04X in %q (fold %v): fast path %q, general path %q", r, ctx, n.FoldDiacritics, got, want)
					}
				}
			}
		}
	}
}

// HashTokens is XXH64 of the tokens' little-endian bytes, for every length
// around the 4-word block size.
func TestHashTokens(t *testing.T) {
	tokens := make([]uint64, 40)
	for i := range tokens {
		tokens[i] = uint64(i+1) * 0x9e3779b97f4a7c15
	}
	for n := 0; n <= len(tokens); n++ {
		var b []byte
		for _, w := range tokens[:n] {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		if got, want := shingle.HashTokens(tokens[:n]), xxhash.Sum64(b); got != want {
			t.Errorf("HashTokens(%d words) = %#x, xxhash.Sum64 = %#x", n, got, want)
		}
	}
}
