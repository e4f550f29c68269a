package main

import (
	"fmt"
	"testing"
)

// TestIDSet holds idSet to a map over ids that grow the table many times,
// each id added again later, and the empty id.
func TestIDSet(t *testing.T) {
	var s idSet
	want := make(map[string]int)
	add := func(id string) {
		t.Helper()
		place, seen := s.add(id)
		prev, ok := want[id]
		switch {
		case ok && (!seen || place != prev):
			t.Fatalf("add(%q) = %d, %v; want %d, true", id, place, seen, prev)
		case !ok && (seen || place != len(want)):
			t.Fatalf("add(%q) = %d, %v; want %d, false", id, place, seen, len(want))
		case !ok:
			want[id] = place
		}
	}
	add("")
	for i := range 200_000 {
		add(fmt.Sprintf("doc-%d", i))
		if i%3 == 0 {
			add(fmt.Sprintf("doc-%d", i/2))
		}
	}
	add("")
	if len(s.ids) != len(want) {
		t.Errorf("%d ids kept, want %d", len(s.ids), len(want))
	}
	if 2*len(s.ids) > len(s.slots) {
		t.Errorf("%d ids in %d slots: more than half full", len(s.ids), len(s.slots))
	}
}

// BenchmarkIDSet adds 10^6 distinct ids to an empty set, as the first
// reading of 10^6 documents does.
func BenchmarkIDSet(b *testing.B) {
	ids := benchIDs()
	b.ReportAllocs()
	for b.Loop() {
		var s idSet
		for _, id := range ids {
			s.add(id)
		}
	}
}

// BenchmarkIDMap is BenchmarkIDSet with the map it replaced.
func BenchmarkIDMap(b *testing.B) {
	ids := benchIDs()
	b.ReportAllocs()
	for b.Loop() {
		m := make(map[string]int32)
		for i, id := range ids {
			if _, ok := m[id]; !ok {
				m[id] = int32(i)
			}
		}
	}
}

// benchIDs returns 10^6 distinct ids of the generated corpus's form.
func benchIDs() []string {
	ids := make([]string, 1_000_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("g%08d", i)
	}
	return ids
}
