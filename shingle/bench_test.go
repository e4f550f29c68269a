package shingle_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/neardup/neardup/shingle"
)

// benchText repeats seed 001 (Vietnamese news, partly segmented) to size.
func benchText(b *testing.B, size int) []byte {
	seed := readSeed(b, "001")
	text := bytes.Repeat(seed, size/len(seed)+1)
	return text[:size]
}

func BenchmarkAppendHashes(b *testing.B) {
	for _, size := range []int{64, 1 << 10, 3 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			text := benchText(b, size)
			var sh shingle.Shingler
			dst := make([]uint64, 0, size)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = sh.AppendHashes(dst[:0], text)
			}
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
	text := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog, said the BBC. "), 52)
	var sh shingle.Shingler
	dst := make([]uint64, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = sh.AppendHashes(dst[:0], text)
	}
}
