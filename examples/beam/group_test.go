package pipeline

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Repeats of a verified pair from several jobs merge into one partner,
// stored if any job stored it; the partners come out in position order,
// after the document's position, in its edge list.
func TestMergePartners(t *testing.T) {
	type partner struct {
		B      int64
		Stored bool
	}
	lists := [][]partner{
		{{7, false}, {3, true}, {1 << 40, false}},
		{{3, false}, {7, true}},
		{{5, false}, {1 << 40, false}},
	}
	var ws []uint64
	for _, l := range lists {
		var list []byte
		for _, p := range l {
			list = appendPartner(list, p.B, p.Stored)
		}
		ws = appendPartners(ws, list)
	}
	list := edgeList(42, mergePartners(ws))
	if a := int64(binary.LittleEndian.Uint64(list)); a != 42 {
		t.Errorf("edge list of %d, want 42", a)
	}
	var got []partner
	for _, w := range appendPartners(nil, list[8:]) {
		got = append(got, partner{int64(w >> 1), w&1 == 1})
	}
	want := []partner{{3, true}, {5, false}, {7, true}, {1 << 40, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged partners (-want +got):\n%s", diff)
	}
}
