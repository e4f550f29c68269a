package dedup_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	minhash "github.com/dgryski/go-minhash"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/shingle"
)

func benchText(b *testing.B, size int) []byte {
	seed := seeds(b)[1].Text
	return bytes.Repeat(seed, size/len(seed)+1)[:size]
}

// BenchmarkSketch is the signing stage: normalize, shingle, sign.
func BenchmarkSketch(b *testing.B) {
	for _, size := range []int{1 << 10, 3 << 10, 16 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			text := benchText(b, size)
			var cfg dedup.Config
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				cfg.Sketch(text, nil)
			}
		})
	}
}

// BenchmarkMinWisePush is go-minhash's Push alone over the shingles of
// the same 3 KiB text: the floor the signing stage is measured against.
func BenchmarkMinWisePush(b *testing.B) {
	text := benchText(b, 3<<10)
	sh := shingle.Shingler{Normalizer: shingle.Normalizer{FoldDiacritics: true}}.AppendHashes(nil, text)
	le := func(p []byte) uint64 { return binary.LittleEndian.Uint64(p) }
	mw := minhash.NewMinWise(le, func(p []byte) uint64 { return le(p)*0x9e3779b97f4a7c15 | 1 }, dedup.DefaultHashes)
	var buf [8]byte
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sh {
			binary.LittleEndian.PutUint64(buf[:], s)
			mw.Push(buf[:])
		}
	}
}

// sketches returns n unrelated documents of 500 words drawn at random from
// the seeds' vocabulary.
func sketches(b *testing.B, n int) []dedup.Sketch {
	var cfg dedup.Config
	var vocab [][]byte
	for _, d := range seeds(b) {
		vocab = append(vocab, bytes.Fields(d.Text)...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]dedup.Sketch, n)
	for i := range out {
		var text []byte
		for range 500 {
			text = append(append(text, vocab[rng.IntN(len(vocab))]...), ' ')
		}
		out[i] = cfg.Sketch(text, nil)
	}
	return out
}

func BenchmarkIndexAdd(b *testing.B) {
	sk := sketches(b, 1000)
	b.ReportAllocs()
	var ix *dedup.Index
	i := 0
	for b.Loop() {
		if i%len(sk) == 0 {
			ix = dedup.NewIndex(dedup.Config{})
		}
		ix.Add("", sk[i%len(sk)])
		i++
	}
}

func BenchmarkIndexQuery(b *testing.B) {
	sk := sketches(b, 1000)
	ix := dedup.NewIndex(dedup.Config{})
	for _, s := range sk {
		ix.Add("", s)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Query(&sk[i%len(sk)])
		i++
	}
}

func BenchmarkCluster(b *testing.B) {
	var docs []dedup.Doc
	var size int64
	for i, s := range seeds(b) {
		for k := range 40 {
			text := append([]byte(fmt.Sprintf("bản %d của %d\n", k, i)), s.Text...)
			docs = append(docs, dedup.Doc{ID: fmt.Sprint(i, "/", k), Text: text})
			size += int64(len(text))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		dedup.Config{}.Cluster(docs)
	}
}
