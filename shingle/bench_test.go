package shingle_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/neardup/neardup/shingle"
)

// benchText repeats seed 001 (Vietnamese news, partly segmented) to size.
func benchText(b *testing.B, size int) []byte {
	seed := readSeed(b, "001")
	text := bytes.Repeat(seed, size/len(seed)+1)
	return text[:size]
}

// benchAppendHashes measures Shingler.AppendHashes over text.
func benchAppendHashes(b *testing.B, text []byte) {
	var sh shingle.Shingler
	dst := make([]uint64, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = sh.AppendHashes(dst[:0], text)
	}
}

func BenchmarkAppendHashes(b *testing.B) {
	for _, size := range []int{64, 1 << 10, 3 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			benchAppendHashes(b, benchText(b, size))
		})
	}
}

func BenchmarkAppendTokenHashes(b *testing.B) {
	text := benchText(b, 3<<10)
	dst := make([]uint64, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = shingle.Normalizer{}.AppendTokenHashes(dst[:0], text)
	}
}

func BenchmarkAppendNormalized(b *testing.B) {
	text := benchText(b, 3<<10)
	dst := make([]byte, 0, 2*len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = shingle.Normalizer{}.AppendNormalized(dst[:0], text)
	}
}

func BenchmarkAppendHashesASCII(b *testing.B) {
	benchAppendHashes(b, bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog, said the BBC. "), 52))
}

// scriptText repeats a fixture of ../testdata/scripts (raw: its '|' word
// marks removed) to size bytes.
func scriptText(b testing.TB, name string, size int) []byte {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "scripts", name+".txt"))
	if err != nil {
		b.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("|"), nil)
	text := bytes.Repeat(raw, size/len(raw)+1)
	for size > 0 && !utf8.RuneStart(text[size]) {
		size--
	}
	return text[:size]
}

// Scripts beyond Vietnamese and English take the character-token and
// spaceless-run paths.
func BenchmarkAppendHashesScripts(b *testing.B) {
	for _, name := range []string{"th_a", "km_a", "my_a", "ko_a", "zh_a", "ja_a"} {
		b.Run(name, func(b *testing.B) {
			benchAppendHashes(b, scriptText(b, name, 3<<10))
		})
	}
}

// shuffledText returns size bytes of the words of seed 001 in a random
// order (a fixed one), a line break every 40 words. A text repeated every
// 3 KB, as benchText makes, lets the processor learn the outcome of every
// branch of the Scanner, and shows about twice the speed it reaches on a
// corpus, in which neither the end of a word nor the letter after it can
// be predicted.
func shuffledText(b *testing.B, size int) []byte {
	words := bytes.Fields(readSeed(b, "001"))
	rng := rand.New(rand.NewPCG(1, 2))
	var text []byte
	for n := 0; len(text) < size; n++ {
		text = append(text, words[rng.IntN(len(words))]...)
		if n%40 == 39 {
			text = append(text, '\n')
		} else {
			text = append(text, ' ')
		}
	}
	return text[:size]
}

// BenchmarkScan measures the Scanner alone, as dedup drives it: every
// token's key and kind read, nothing hashed. The shuffled texts measure
// it as a corpus does (see shuffledText).
func BenchmarkScan(b *testing.B) {
	vi := benchText(b, 3<<10)
	en := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog, said the BBC on 12 May. "), 45)
	shuffled := shuffledText(b, 1<<20)
	for _, bc := range []struct {
		name string
		text []byte
		n    shingle.Normalizer
	}{
		{"vi", vi, shingle.Normalizer{}},
		{"vi-fold", vi, shingle.Normalizer{FoldDiacritics: true}},
		{"vi-nfd-fold", norm.NFD.Bytes(vi), shingle.Normalizer{FoldDiacritics: true}},
		{"en", en, shingle.Normalizer{}},
		{"vi-shuffled", shuffled, shingle.Normalizer{}},
		{"vi-shuffled-fold", shuffled, shingle.Normalizer{FoldDiacritics: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var sc shingle.Scanner
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				sc.Reset(bc.text, bc.n)
				for sc.Scan() {
					n += len(sc.Key()) + int(sc.Kind())
				}
			}
			if n == 0 {
				b.Fatal("no tokens")
			}
		})
	}
}
