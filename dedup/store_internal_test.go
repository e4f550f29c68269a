package dedup

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// A store reopened from its snapshot files every document under the keys
// it had before, run keys and exact copies included, so that it finds the
// same candidates.
func TestStoreSnapshotKeepsKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var cfg Config
	dir := t.TempDir()
	s, err := OpenStore(dir, StoreOptions{Sync: SyncNone, SnapshotEvery: -1, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	var texts [][]byte
	for range 30 {
		article := words(rng, 400)
		texts = append(texts, text(article), text(words(rng, 20), article[100:250]), text(article))
	}
	for i, tx := range texts {
		if _, err := s.Add(context.Background(), string(rune('a'+i%26))+string(rune('a'+i/26)), tx); err != nil {
			t.Fatal(err)
		}
	}
	candidates := func(s *Store) [][]uint32 {
		var out [][]uint32
		for _, tx := range texts {
			sk := cfg.sketchFiltered(tx, s.st)
			out = append(out, s.st.ix.candidates(nil, &sk))
		}
		return out
	}
	before := candidates(s)
	unfiled := 0
	for _, m := range s.st.ix.meta {
		if m.unfiled {
			unfiled++
		}
	}
	if err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenStore(dir, StoreOptions{Sync: SyncNone, SnapshotEvery: -1, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r := s.Recovery(); r.Snapshot != len(texts) {
		t.Fatalf("reopened %d documents from the snapshot, want %d", r.Snapshot, len(texts))
	}
	after := candidates(s)
	for i := range before {
		if !slices.Equal(before[i], after[i]) {
			t.Errorf("document %d: candidates %v before the snapshot, %v after", i, before[i], after[i])
		}
	}
	if unfiled != 30 || s.st.ix.nrun == 0 {
		t.Errorf("%d exact copies unfiled (want 30), %d run-key entries", unfiled, s.st.ix.nrun)
	}
}
