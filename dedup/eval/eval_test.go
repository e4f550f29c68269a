package eval_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/neardup/neardup/dedup/eval"
)

// A hand-scored example: gold {a,b,c} {d} {t1} {t2}; prediction {a,b} {c}
// {d,t1} {t2}. Gold pairs 3, predicted pairs 2, true pairs 1.
func TestScore(t *testing.T) {
	gold := []eval.Label{
		{ID: "a", Cluster: "A", CanonicalOK: true, Kind: "original", Lang: "vi"},
		{ID: "b", Cluster: "A", CanonicalOK: true, Kind: "seg_full", Lang: "vi"},
		{ID: "c", Cluster: "A", CanonicalOK: false, Kind: "truncate+boilerplate", Lang: "vi"},
		{ID: "d", Cluster: "D", CanonicalOK: true, Kind: "distinct", Lang: "en"},
		{ID: "t1", Cluster: "T1", CanonicalOK: true, Kind: "template_negative", Lang: "vi"},
		{ID: "t2", Cluster: "T2", CanonicalOK: true, Kind: "template_negative", Lang: "vi"},
	}
	pred := []eval.Prediction{
		{ID: "a", Cluster: "b"}, {ID: "b", Cluster: "b", Canonical: true},
		{ID: "c", Cluster: "c", Canonical: true},
		{ID: "d", Cluster: "d", Canonical: true}, {ID: "t1", Cluster: "d"},
		{ID: "t2", Cluster: "t2", Canonical: true},
	}
	r, err := eval.Score(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	// ARI: expected index 3*2/15 = 0.4; (1-0.4)/(2.5-0.4) = 0.2857.
	want := eval.Pairwise{Precision: 0.5, Recall: 1.0 / 3, F1: 0.4, ARI: 0.6 / 2.1, TruePairs: 1, PredPairs: 2, GoldPairs: 3, FalsePairs: 1, Docs: 6}
	if diff := cmp.Diff(want, r.Pairwise, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("pairwise mismatch (-want +got):\n%s", diff)
	}
	if r.CanonicalClusters != 1 || r.CanonicalCorrect != 1 {
		t.Errorf("canonical: %d of %d correct, want 1 of 1", r.CanonicalCorrect, r.CanonicalClusters)
	}
	wantKind := map[string]eval.Recall{"seg_full": {1, 1}, "truncate+boilerplate": {1, 0}}
	if diff := cmp.Diff(wantKind, r.RecallByKind); diff != "" {
		t.Errorf("recall by kind mismatch (-want +got):\n%s", diff)
	}
	wantPart := map[string]eval.Recall{"seg_full": {1, 1}, "truncate": {1, 0}, "boilerplate": {1, 0}, "(all lossless)": {1, 1}, "(all lossy)": {1, 0}}
	if diff := cmp.Diff(wantPart, r.RecallByPart); diff != "" {
		t.Errorf("recall by part mismatch (-want +got):\n%s", diff)
	}
	if r.MixedPredClusters != 1 || r.GoldSingletonsMerged != 2 || r.TemplateMerged != 1 || r.TemplatePairsTouching != 1 || r.TemplatePairsBetween != 0 {
		t.Errorf("false merges: mixed %d, singletons merged %d, templates merged %d, touching %d, between %d; want 1, 2, 1, 1, 0",
			r.MixedPredClusters, r.GoldSingletonsMerged, r.TemplateMerged, r.TemplatePairsTouching, r.TemplatePairsBetween)
	}
	if s := r.String(); !strings.Contains(s, "pairwise  P 0.5000  R 0.3333  F1 0.4000   ARI 0.2857") {
		t.Errorf("report:\n%s", s)
	}
}

func TestScoreErrors(t *testing.T) {
	gold := []eval.Label{{ID: "a", Cluster: "A"}, {ID: "b", Cluster: "A"}}
	tests := []struct {
		name string
		pred []eval.Prediction
		want string
	}{
		{"missing", []eval.Prediction{{ID: "a", Cluster: "a", Canonical: true}}, "2 gold ids but 1 predictions"},
		{"unknown", []eval.Prediction{{ID: "x", Cluster: "x", Canonical: true}}, `"x" is not in the gold data`},
		{"two canonicals", []eval.Prediction{{ID: "a", Cluster: "a", Canonical: true}, {ID: "b", Cluster: "a", Canonical: true}}, "two canonicals"},
		{"label not canonical", []eval.Prediction{{ID: "a", Cluster: "z"}, {ID: "b", Cluster: "z", Canonical: true}}, "labelled with another id"},
	}
	for _, tt := range tests {
		if _, err := eval.Score(gold, tt.pred); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// A gold cluster split evenly between two predicted clusters is judged by
// the one that holds its original, whatever the labels' order.
func TestScoreCanonicalTie(t *testing.T) {
	gold := []eval.Label{
		{ID: "z1", Cluster: "G", CanonicalOK: true, Kind: "original"},
		{ID: "z2", Cluster: "G", Kind: "edit"},
		{ID: "a1", Cluster: "G", Kind: "edit"},
		{ID: "a2", Cluster: "G", Kind: "edit"},
	}
	pred := []eval.Prediction{
		{ID: "z1", Cluster: "z1", Canonical: true}, {ID: "z2", Cluster: "z1"},
		{ID: "a1", Cluster: "a1", Canonical: true}, {ID: "a2", Cluster: "a1"},
	}
	r, err := eval.Score(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	if r.CanonicalClusters != 1 || r.CanonicalGrouped != 1 || r.CanonicalCorrect != 1 {
		t.Errorf("canonical: %d of %d correct (%d grouped), want 1 of 1: %v", r.CanonicalCorrect, r.CanonicalClusters, r.CanonicalGrouped, r.CanonicalFailures)
	}
}

// BenchmarkScore scores 10^5 documents in clusters of about three, one
// in ten predicted in the wrong cluster: the time and memory -eval adds
// to a run, per document.
func BenchmarkScore(b *testing.B) {
	const n = 100_000
	gold := make([]eval.Label, n)
	pred := make([]eval.Prediction, n)
	kinds := []string{"original", "seg_full", "truncate+boilerplate", "nfd+oneline"}
	for i := range gold {
		c := i / 3
		gold[i] = eval.Label{ID: fmt.Sprint("d", i), Cluster: fmt.Sprint("c", c), CanonicalOK: i%3 == 0,
			Kind: kinds[i%3], Lang: []string{"vi", "en"}[c%2]}
		p := 3 * c
		if i%10 == 9 {
			p = i // a copy missed: its own cluster
		}
		pred[i] = eval.Prediction{ID: gold[i].ID, Cluster: fmt.Sprint("d", p), Canonical: p == i}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eval.Score(gold, pred); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/doc")
}
