package shingle

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// AppendShingles gives HashTokens of every window, with the AVX-512
// kernel (where the CPU has it) and without, for every size and for
// lengths around the kernel's 8-window blocks, appended after what dst
// already holds.
func TestAppendShinglesKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tokens := make([]uint64, 70)
	for i := range tokens {
		tokens[i] = r.Uint64()
	}
	defer setAVX512(true)
	for _, avx := range []bool{true, false} {
		setAVX512(avx)
		for size := 1; size <= MaxSize; size++ {
			for n := 0; n <= len(tokens); n++ {
				ts := tokens[:n]
				want := []uint64{42}
				k := min(size, n)
				for i := 0; n > 0 && i+k <= n; i++ {
					want = append(want, HashTokens(ts[i:i+k]))
				}
				got := AppendShingles([]uint64{42}, ts, size)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("AVX-512 %v, size %d, %d tokens (-want +got):\n%s", avx && hasAVX512, size, n, diff)
				}
			}
		}
	}
}

// BenchmarkAppendShingles hashes the 5-word windows of 600 tokens (about
// a 3 KB article's words), with the kernel the CPU selects and with the
// portable loop; the bytes are the tokens' 8 bytes each.
func BenchmarkAppendShingles(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	tokens := make([]uint64, 600)
	for i := range tokens {
		tokens[i] = r.Uint64()
	}
	dst := make([]uint64, 0, len(tokens))
	defer setAVX512(true)
	for _, k := range []struct {
		name string
		avx  bool
	}{{"kernel", true}, {"portable", false}} {
		b.Run(k.name, func(b *testing.B) {
			setAVX512(k.avx)
			b.SetBytes(int64(8 * len(tokens)))
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendShingles(dst[:0], tokens, DefaultSize)
			}
		})
	}
}
