package pipeline

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
)

// edgeOf is one pair of an edge list, under its root.
type edgeOf struct {
	Root, A, B int64
	Stored     bool
}

// A hub's partner lists reach its root as edge lists in which each
// partner comes once, stored if any list stored it, however the lists
// repeat it; a representative of few partners keeps its lists for
// labelFn as they came.
func TestHubPartners(t *testing.T) {
	list := func(ps ...int64) []byte { // negative: stored
		var b []byte
		for _, p := range ps {
			b = appendPartner(b, max(p, -p), p < 0)
		}
		return b
	}
	type partnerList struct {
		Rep  int64
		List []byte
	}
	in := []partnerList{
		{10, list(11, -12, 13)}, {10, list(12, 11, 14)}, {10, list(-11, 15, 16, 17)}, {10, list(13)},
		{20, list(21, 22)},
	}
	p, s := beam.NewPipelineWithRoot()
	partners := beam.ParDo(s, func(l partnerList) (int64, []byte) { return l.Rep, l.List }, beam.CreateList(s, in))
	roots := beam.ParDo(s, func(l [2]int64) (int64, int64) { return l[0], l[1] }, beam.CreateList(s, [][2]int64{{10, 3}, {11, 3}, {20, 20}, {21, 20}}))
	normal, edges := hubPartners(s, partners, roots, 4, 4)
	pairs := beam.ParDo(s, func(root int64, list []byte, emit func(edgeOf)) {
		a := int64(binary.LittleEndian.Uint64(list))
		for _, w := range appendPartners(nil, list[8:]) {
			emit(edgeOf{root, a, int64(w >> 1), w&1 == 1})
		}
	}, edges)
	passert.Equals(s, pairs,
		edgeOf{3, 10, 11, true}, edgeOf{3, 10, 12, true}, edgeOf{3, 10, 13, false}, edgeOf{3, 10, 14, false},
		edgeOf{3, 10, 15, false}, edgeOf{3, 10, 16, false}, edgeOf{3, 10, 17, false})
	passert.Equals(s, beam.ParDo(s, func(rep int64, l []byte) partnerList { return partnerList{rep, l} }, normal), partnerList{20, list(21, 22)})
	res, err := direct.Execute(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	checkSplit(t, res, "partners of hub representatives")
}
