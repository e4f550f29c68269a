package pipeline

import (
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph"
)

// keyedBy names each step whose output the pipeline groups, with the key
// it groups by: none is a constant. A new grouping must be added here,
// with its key.
var keyedBy = map[string]string{
	"idOf":             "document id",
	"exactKeyFn":       "representative of itself (no content), or a bucket of exact keys (their counts)",
	"routeFamilyFn":    "exact key of the document's content",
	"exactFn":          "representative of an exact-copy family",
	"familyFn":         "representative of an exact-copy family",
	"copyFn":           "component, or a bucket of components (their sizes)",
	"sketchFn":         "bucket of index keys",
	"resketchFn":       "bucket of index keys",
	"pairsFn":          "a key's postings",
	"routeFn":          "bucket of index keys, a huge index key, or a shard of one",
	"fanFn":            "shard of a huge index key",
	"shardPairsFn":     "a huge key's postings and shard",
	"meetFn":           "verification job, or a document of one",
	"sketchOf":         "document",
	"shipFn":           "verification job",
	"verifyFn":         "earlier document of verified pairs (a representative)",
	"rootFn":           "node of a component",
	"bothWaysFn":       "bucket of nodes of a component",
	"downwardFn":       "bucket of nodes of a component",
	"routeLinkFn":      "bucket of nodes of a component",
	"partnerCountFn":   "bucket of representatives (their partner counts)",
	"routePartnersFn":  "representative of an exact-copy family, or a shard of a hub's partners",
	"hubEdgesFn":       "component",
	"labelFn":          "component, or a bucket of components (their sizes)",
	"componentFn":      "article, or output shard (an input range)",
	"partFn":           "article, or output shard (an input range)",
	"splitDocFn":       "component, or a huge one (its anchors)",
	"partDocFn":        "part of a huge component",
	"partEdgesFn":      "component, or a part of a huge one",
	"occurrencesFn":    "line",
	"joinArticleFn":    "line",
	"joinShardFn":      "line",
	"routeArticleFn":   "article, or a shard of a huge article",
	"routeRootFn":      "article, or a shard of a huge article",
	"openingFn":        "line",
	"shared":           "line",
	"distinctFn":       "line",
	"paragraphLinksFn": "article",
}

// producers returns the names of the steps that produce node n, looking
// through flattens.
func producers(n *graph.Node, by map[*graph.Node]*graph.MultiEdge) []string {
	e := by[n]
	switch {
	case e == nil:
		return []string{"(no producer)"}
	case e.Op == graph.Flatten:
		var out []string
		for _, in := range e.Input {
			out = append(out, producers(in.From, by)...)
		}
		return out
	case e.Op == graph.ParDo:
		return []string{e.DoFn.Name()}
	case e.Op == graph.Combine:
		return []string{e.CombineFn.Name()}
	}
	return []string{string(e.Op)}
}

// No GroupByKey, CoGroupByKey or combine of the pipeline is keyed by a
// constant: each one's input comes from a step of keyedBy.
func TestNoConstantKeys(t *testing.T) {
	p, s := beam.NewPipelineWithRoot()
	Build(s, Options{Inputs: []string{"a.jsonl", "b.jsonl.gz"}, Output: "out.jsonl"})
	edges, _, err := p.Build()
	if err != nil {
		t.Fatal(err)
	}
	by := map[*graph.Node]*graph.MultiEdge{}
	for _, e := range edges {
		for _, out := range e.Output {
			by[out.To] = e
		}
	}
	groupings := 0
	for _, e := range edges {
		if e.Op == graph.ParDo && strings.Contains(e.DoFn.Name(), "addFixedKey") {
			t.Errorf("%s keys by a constant", e)
		}
		if e.Op != graph.CoGBK && e.Op != graph.Combine {
			continue
		}
		groupings++
		for _, in := range e.Input {
			if pe := by[in.From]; e.Op == graph.Combine && pe != nil && pe.Op == graph.CoGBK {
				continue // a lifted combine: its grouping is checked itself
			}
			for _, name := range producers(in.From, by) {
				short := name[strings.LastIndex(name, ".")+1:]
				if _, ok := keyedBy[short]; !ok {
					t.Errorf("%s %s groups the output of %s, which keyedBy does not name", e.Op, e.Name(), name)
				}
			}
		}
	}
	if groupings < 20 {
		t.Fatalf("found %d groupings; the pipeline has more", groupings)
	}
	t.Logf("%d groupings, none keyed by a constant", groupings)
}
