// Package oracle holds neardup's signing kernels to go-minhash, the
// reference they replace. It is a module of its own so that go-minhash, a
// test oracle, stays out of the module graph of neardup's users; CI runs
// it with GOWORK=off.
package oracle

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	minhash "github.com/dgryski/go-minhash"

	"github.com/neardup/neardup/dedup/internal/minwise"
	"github.com/neardup/neardup/shingle"
)

// newMinWise returns go-minhash's MinWise with the hash functions package
// minwise documents: h1(s) = s, h2(s) = SplitMix64(s) | 1, the latter
// written out here rather than taken from minwise.
func newMinWise(hashes int) *minhash.MinWise {
	le := func(p []byte) uint64 { return binary.LittleEndian.Uint64(p) }
	h2 := func(p []byte) uint64 {
		x := le(p)
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		x ^= x >> 31
		return x | 1
	}
	return minhash.NewMinWise(le, h2, hashes)
}

func push(mw *minhash.MinWise, sh []uint64) {
	var buf [8]byte
	for _, s := range sh {
		binary.LittleEndian.PutUint64(buf[:], s)
		mw.Push(buf[:])
	}
}

// Both kernels compute go-minhash's MinWise values, for every shingle
// count (around the 4-shingle blocks and the AVX-512 kernel's batches of
// 256), hash count and duplicate, appending after what dst holds.
func TestAppendEqualsMinWise(t *testing.T) {
	for _, avx := range []bool{true, false} {
		t.Run(fmt.Sprintf("avx512=%v", avx), func(t *testing.T) {
			defer minwise.SetAVX512(minwise.SetAVX512(avx))
			rng := rand.New(rand.NewPCG(3, 4))
			for _, hashes := range []int{1, 3, 8, 128, 200} {
				for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 64, 255, 256, 257, 601} {
					sh := make([]uint64, n)
					for i := range sh {
						sh[i] = rng.Uint64()
						if i > 0 && rng.IntN(8) == 0 {
							sh[i] = sh[rng.IntN(i)] // a duplicate
						}
					}
					mw := newMinWise(hashes)
					push(mw, sh)
					want := append([]uint64{42}, mw.Signature()...)
					if got := minwise.Append([]uint64{42}, sh, hashes); !slices.Equal(got, want) {
						t.Fatalf("%d shingles, %d hashes: Append differs from MinWise\n got %v\nwant %v", n, hashes, got, want)
					}
				}
			}
		})
	}
}

// signedShingles returns the distinct shingle hashes that dedup signs for
// a 3 KiB text made of a seed document.
func signedShingles(b *testing.B) (text []byte, sh []uint64) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "testdata", "seeds", "001_*.txt"))
	if len(paths) != 1 {
		b.Fatalf("seed 001: %v", paths)
	}
	seed, err := os.ReadFile(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	text = bytes.Repeat(seed, 3<<10/len(seed)+1)[:3<<10]
	all := shingle.Shingler{Normalizer: shingle.Normalizer{FoldDiacritics: true}}.AppendHashes(nil, text)
	seen := make(map[uint64]bool)
	for _, s := range all {
		if !seen[s] {
			seen[s] = true
			sh = append(sh, s)
		}
	}
	return text, sh
}

// BenchmarkMinWisePush is go-minhash's Push alone over the shingles
// dedup signs for a 3 KiB text: the floor the signing stage is measured
// against.
func BenchmarkMinWisePush(b *testing.B) {
	text, sh := signedShingles(b)
	mw := newMinWise(128)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		push(mw, sh)
	}
}

// BenchmarkAppend is neardup's kernel over the same shingles.
func BenchmarkAppend(b *testing.B) {
	text, sh := signedShingles(b)
	sig := make([]uint64, 0, 128)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		sig = minwise.Append(sig[:0], sh, 128)
	}
}
