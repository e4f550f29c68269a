package dedup

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

var vocab = strings.Fields("mưa lớn kéo dài đêm qua khiến nhiều tuyến đường ngập sâu hàng trăm hộ dân phải sơ tán giá vàng trong nước sáng nay tăng mạnh theo đà thị trường thế giới đồng suy yếu đội tuyển quốc gia thắng đậm trận giao hữu tối sân nhà vạn khán giả")

const share = "Chia sẻ Facebook Zalo In bài"

func wrap(body string) []byte { return []byte(share + "\n" + body + "\n") }

func TestStreamLearnsBoilerplate(t *testing.T) {
	var cfg Config
	h, ok := cfg.lineHash([]byte(share))
	if !ok {
		t.Fatal("no line hash")
	}
	s := newStream(t, cfg)
	bodies := []string{
		"Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến đường ngập sâu, hàng trăm hộ dân phải sơ tán.",
		"Giá vàng trong nước sáng nay tăng mạnh theo đà của thị trường thế giới khi đồng USD suy yếu.",
		"Đội tuyển quốc gia thắng đậm trong trận giao hữu tối qua trên sân nhà trước hàng vạn khán giả.",
	}
	steps := []struct {
		id, text string
		dups     int
		learned  bool
	}{
		{"a", bodies[0], 0, false},
		{"a-copy", bodies[0], 1, false},  // copies are not counted
		{"a-copy2", bodies[0], 1, false}, // a-copy, an exact copy, stands behind a
		{"b", bodies[1], 0, false},
		{"c", bodies[2], 0, true}, // the third article teaches the line
	}
	for _, st := range steps {
		found := addText(t, s, st.id, wrap(st.text))
		if len(found) != st.dups {
			t.Errorf("Add(%s): %d copies found, want %d", st.id, len(found), st.dups)
		}
		if got := s.isBoilerplate(h); got != st.learned {
			t.Errorf("after %s: Boilerplate(share line) = %v, want %v", st.id, got, st.learned)
		}
	}
	// Now the share line no longer counts: a fourth article that shares
	// only it and one sentence with "c" is not a copy of anything.
	sk := cfg.sketchFiltered(wrap("Một bài viết hoàn toàn khác về giáo dục đại học và tuyển sinh năm nay."), s)
	if sk.boilerplateWords != 6 {
		t.Errorf("BoilerplateWords = %d, want the 6 words of the share line", sk.boilerplateWords)
	}
	if off := newStream(t, Config{BoilerplateArticles: -1}); off.isBoilerplate(h) {
		t.Error("learning off still reports boilerplate")
	}
}

func TestStreamConcurrentCopies(t *testing.T) {
	s := newStream(t, Config{})
	const families, copies = 20, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := make(map[int]int)
	for f := range families {
		// Families differ in their words: 40 words drawn per family.
		rng := rand.New(rand.NewPCG(uint64(f), 7))
		var text string
		for range 40 {
			text += vocab[rng.IntN(len(vocab))] + " "
		}
		for c := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if len(addText(t, s, fmt.Sprint(f, "/", c), []byte(text))) == 0 {
					mu.Lock()
					firsts[f]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for f := range families {
		if firsts[f] != 1 {
			t.Errorf("family %d: %d copies reported new, want exactly 1", f, firsts[f])
		}
	}
}
