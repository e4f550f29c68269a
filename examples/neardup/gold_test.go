package main

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/neardup/neardup/dedup/eval"
)

// goldLabels gives back the labels it was given, with the documents'
// ids, and refuses more kinds or languages than it can number.
func TestGoldLabels(t *testing.T) {
	want := []eval.Label{
		{ID: "a", Cluster: "c1", CanonicalOK: true, Kind: "original", Lang: "vi"},
		{ID: "b", Cluster: "c1", Kind: "edit", Lang: "vi"},
		{ID: "c", Cluster: "c2", CanonicalOK: true, Kind: "", Lang: ""},
		{ID: "d", Cluster: "c2", CanonicalOK: true, Kind: "edit", Lang: "en"},
	}
	var g goldLabels
	for _, l := range want {
		if !g.add(l.Cluster, l.CanonicalOK, l.Kind, l.Lang) {
			t.Fatalf("add(%+v) refused", l)
		}
	}
	got := g.labels(func(i int) string { return want[i].ID })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-given +kept):\n%s", diff)
	}
	var many goldLabels
	for i := range maxKinds / 2 {
		if !many.add("c", true, "k", fmt.Sprint(i)) {
			t.Fatalf("language %d of %d refused", i+1, maxKinds/2)
		}
	}
	if many.add("c", true, "k", "one too many") {
		t.Errorf("language %d accepted", maxKinds/2+1)
	}
	if got := many.labels(func(int) string { return "x" })[maxKinds/2-1].Lang; got != fmt.Sprint(maxKinds/2-1) {
		t.Errorf("last language read back as %q", got)
	}
}
