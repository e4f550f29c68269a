package dedup

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

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
			var cfg Config
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				cfg.Sketch(text)
			}
		})
	}
}

// signedShingles returns the shingles Sketch signs for text: its distinct
// shingles, diacritics folded, in order of first occurrence.
func signedShingles(text []byte) []uint64 {
	all := shingle.Shingler{Normalizer: shingle.Normalizer{FoldDiacritics: true}}.AppendHashes(nil, text)
	seen := make(map[uint64]bool)
	var out []uint64
	for _, s := range all {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// BenchmarkAppendSignature is neardup's kernel over the shingles Sketch
// signs for a 3 KiB text (the oracle module beside package minwise holds
// go-minhash's Push over the same shingles, the floor it is measured
// against).
func BenchmarkAppendSignature(b *testing.B) {
	text := benchText(b, 3<<10)
	sh := signedShingles(text)
	sig := make(signature, 0, DefaultHashes)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		sig = appendSignature(sig[:0], sh, 0)
	}
}

// sketches returns n unrelated documents of 500 words drawn at random from
// the seeds' vocabulary.
func sketches(b *testing.B, n int) []Sketch {
	var cfg Config
	var vocab [][]byte
	for _, d := range seeds(b) {
		vocab = append(vocab, bytes.Fields(d.Text)...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Sketch, n)
	for i := range out {
		var text []byte
		for range 500 {
			text = append(append(text, vocab[rng.IntN(len(vocab))]...), ' ')
		}
		out[i] = cfg.Sketch(text)
	}
	return out
}

func BenchmarkIndexAdd(b *testing.B) {
	sk := sketches(b, 1000)
	b.ReportAllocs()
	var ix *Index
	i := 0
	for b.Loop() {
		if i%len(sk) == 0 {
			ix = newIndex(b, Config{})
		}
		ix.addSeq("", sk[i%len(sk)])
		i++
	}
}

func BenchmarkIndexQuery(b *testing.B) {
	sk := sketches(b, 1000)
	ix := newIndex(b, Config{})
	for _, s := range sk {
		ix.addSeq("", s)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Query(&sk[i%len(sk)])
		i++
	}
}

func BenchmarkCluster(b *testing.B) {
	var docs []Doc
	var size int64
	for i, s := range seeds(b) {
		for k := range 40 {
			text := append([]byte(fmt.Sprintf("bản %d của %d\n", k, i)), s.Text...)
			docs = append(docs, Doc{ID: fmt.Sprint(i, "/", k), Text: text})
			size += int64(len(text))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		cluster(b, Config{}, docs)
	}
}

// BenchmarkStoreAdd is Store.Add of 3 KiB pages (sketch, query, log
// record) under each fsync policy; group commit is measured with
// concurrent writers, where it shares fsyncs.
func BenchmarkStoreAdd(b *testing.B) {
	for _, p := range []struct {
		name   string
		policy SyncPolicy
	}{{"Stream", -1}, {"SyncNone", SyncNone}, {"SyncGroup", SyncGroup}, {"SyncEach", SyncEach}} {
		b.Run(p.name, func(b *testing.B) {
			// "Stream" is the in-memory Stream.Add, for the cost of the log.
			add := func(id string, text []byte) error { return nil }
			if p.policy < 0 {
				st := newStream(b, Config{})
				add = func(id string, text []byte) error { _, err := st.Add(context.Background(), id, text); return err }
			} else {
				s, err := OpenStore(b.TempDir(), StoreOptions{Sync: p.policy, SnapshotEvery: -1})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				add = func(id string, text []byte) error { _, err := s.Add(context.Background(), id, text); return err }
			}
			// Distinct articles of about 3 KiB, as most of a crawl is.
			texts := make([][]byte, 4096)
			for i := range texts {
				r := rand.New(rand.NewPCG(uint64(i), 3))
				var t []byte
				for len(t) < 3<<10 {
					t = append(t, vocab[r.IntN(len(vocab))]...)
					t = append(t, ' ')
				}
				texts[i] = t
			}
			b.SetBytes(3 << 10)
			b.ReportAllocs()
			var n atomic.Int64
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if err := add(fmt.Sprint(i), texts[i%4096]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkCompare is the verification of one candidate pair, a teaser
// against its article (testdata/fixtures), dominated by the
// maximum-likelihood intersection estimate.
func BenchmarkCompare(b *testing.B) {
	var cfg Config
	x := cfg.Sketch(readFile(b, "../testdata/fixtures/teaser.txt"))
	y := cfg.Sketch(readFile(b, "../testdata/fixtures/original.txt"))
	b.ReportAllocs()
	for b.Loop() {
		cfg.Compare(&x, &y)
	}
}

// BenchmarkEstimateIntersection is the estimate alone, on the same pair.
func BenchmarkEstimateIntersection(b *testing.B) {
	var cfg Config
	x := cfg.Sketch(readFile(b, "../testdata/fixtures/teaser.txt"))
	y := cfg.Sketch(readFile(b, "../testdata/fixtures/original.txt"))
	for b.Loop() {
		estimateIntersection(x.sig, y.sig, int(x.shingles), int(y.shingles))
	}
}

// BenchmarkCompareAligned verifies an abridged copy, the pair that needs
// its alignment computed.
func BenchmarkCompareAligned(b *testing.B) {
	var cfg Config
	x := cfg.Sketch(readFile(b, "../testdata/fixtures/flood_abridged.txt"))
	y := cfg.Sketch(readFile(b, "../testdata/fixtures/flood_full.txt"))
	if m := cfg.Compare(&x, &y); !m.Duplicate || m.Aligned.Runs == 0 {
		b.Fatalf("the pair does not go through alignment: %+v", m)
	}
	b.ReportAllocs()
	for b.Loop() {
		cfg.Compare(&x, &y)
	}
}
