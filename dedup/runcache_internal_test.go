package dedup

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/neardup/neardup/shingle"
)

// sketchPieces are what the random texts of TestRunCacheSame are made
// of: words that recur (so that the cache serves them), numbers and
// number words in their contexts, runs of no token and of two words,
// runs longer than the cache keeps, hyphens at line ends, and scripts a
// Scanner reads in runs across spaces.
var sketchPieces = []string{
	"Hội", "đồng", "Bảo", "an", "Liên", "Hợp", "Quốc", "họp", "ngày", "năm", "tên", "ten", "Ten", "two", "billion", "dlrs", "six", "pct",
	"12/9", "1.5", "6-3/16", "2005", "4", "٣", "iPhone", "LHQ_Chiều", "co-op", "e-\nmail", "inte-\n gration", "x\u00ad\ny",
	"“", "”", "–", "-", "--", ",", ".", " ", " ", " ", "\n", "\n\n", "_", "(", ")", "\u200b", "\u00a0",
	"Nguyễn_Thị_Minh_Khai_Đường", "internationalization", "ภาษาไทย", "ភាសា", "中文", "NFD: ho\u0300a",
}

// TestRunCacheSame compares sketches made through the run cache with
// sketches made reading each line whole, as sketching did before it: on
// every text under testdata and on random texts of sketchPieces, with
// and without diacritics, each text sketched twice through the cache (the
// second time from it), every field and the lines alike.
func TestRunCacheSame(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.txt"))
	if len(files) < 20 {
		t.Fatalf("%d testdata texts; want the seeds, scripts and fixtures", len(files))
	}
	var texts [][]byte
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, text)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			b.WriteString(sketchPieces[rng.IntN(len(sketchPieces))])
			b.WriteByte(" \n"[rng.IntN(8)/7])
		}
		texts = append(texts, []byte(b.String()))
	}
	for _, keep := range []bool{false, true} {
		c := Config{KeepDiacritics: keep}.withDefaults()
		sketchAll := func() (sk []Sketch, lines [][]docLine) {
			for _, text := range texts {
				s, l := c.sketch(text, nil, []docLine{}, nil)
				sk, lines = append(sk, s), append(lines, l)
			}
			return sk, lines
		}
		runCacheOff = true
		want, wantLines := sketchAll()
		runCacheOff = false
		for pass := range 2 {
			got, gotLines := sketchAll()
			for i := range texts {
				if !reflect.DeepEqual(want[i], got[i]) || !reflect.DeepEqual(wantLines[i], gotLines[i]) {
					t.Fatalf("keep diacritics %v, pass %d, %q:\nthrough the run cache %+v\nlines %v\nread whole %+v\nlines %v",
						keep, pass, texts[i], got[i], gotLines[i], want[i], wantLines[i])
				}
			}
		}
	}
}

// The cache serves the runs it has read: a text read a second time finds
// most of its words there (a mark put on the cached hashes shows which),
// and the first reading gives the words of a Scanner reading it whole.
func TestRunCacheServes(t *testing.T) {
	text := seeds(t)[1].Text
	var runs runCache
	runs.reset(true)
	var sc shingle.Scanner
	n := shingle.Normalizer{FoldDiacritics: true}
	read := func() []uint64 {
		var tr tokenReader
		for line := range bytes.Lines(text) {
			tr.readLine(&sc, &runs, line, n)
		}
		return tr.words
	}
	want := n.AppendTokenHashes(nil, text)
	if first := read(); !slices.Equal(first, want) {
		t.Fatalf("%d words through the cache, %d from the Scanner, or other words", len(first), len(want))
	}
	for i := range runs.slots {
		runs.slots[i].hash ^= 1 // the mark
	}
	second := read()
	served := 0
	for i := range min(len(second), len(want)) {
		if second[i] == want[i]^1 {
			served++
		}
	}
	if served < len(want)/2 {
		t.Errorf("the second reading found %d of %d words in the cache; want half at least", served, len(want))
	}
}

// A slot serves only the run whose every byte it holds: a run that shares
// its first eight bytes and its length, or its bytes but for the length,
// is not served from it, whichever slot it falls in.
func TestRunCacheCompares(t *testing.T) {
	var runs runCache
	runs.reset(true)
	line := []byte("abcdefghijkl abcdefghmnop abc abcd")
	for _, tc := range []struct{ kept, asked [2]int }{
		{[2]int{0, 12}, [2]int{13, 25}},  // the same first eight bytes
		{[2]int{26, 29}, [2]int{30, 34}}, // a prefix
		{[2]int{30, 34}, [2]int{26, 29}},
	} {
		clear(runs.slots)
		k0, k1 := runKey(line, tc.kept[0], tc.kept[1]-tc.kept[0])
		a0, a1 := runKey(line, tc.asked[0], tc.asked[1]-tc.asked[0])
		// The kept run's slot holds it where the asked one looks.
		*runs.slot(a0, a1, tc.asked[1]-tc.asked[0]) = runSlot{b0: k0, b1: k1, n: uint8(tc.kept[1] - tc.kept[0]), word: true}
		if s, _ := runs.lookup(line, tc.asked[0], tc.asked[1]); s != nil {
			t.Errorf("%q served from the slot of %q", line[tc.asked[0]:tc.asked[1]], line[tc.kept[0]:tc.kept[1]])
		}
		if s, _ := runs.lookup(line, tc.kept[0], tc.kept[1]); s != nil && tc.asked[1]-tc.asked[0] == tc.kept[1]-tc.kept[0] {
			t.Errorf("%q found in another run's slot", line[tc.kept[0]:tc.kept[1]])
		}
	}
}
