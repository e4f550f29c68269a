package pipeline

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
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

// The keys of one band, filed as GroupingKey gives them (their low bits
// cleared), spread over every bucket, whatever the number of buckets: a
// power of two among them.
func TestKeyBucketSpreads(t *testing.T) {
	bands := stage.LSH(dedup.Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	for _, buckets := range []int64{1024, 320, 317, 7} {
		for _, band := range []int{0, bands.Bands, bands.Bands + 1} {
			seen := map[int64]bool{}
			for range 20 * buckets {
				k := bands.GroupingKey(stage.IndexKey{Band: band, Hash: rng.Uint64()})
				seen[keyBucket(int64(k.Band), k.Hash, buckets)] = true
			}
			if int64(len(seen)) < buckets*9/10 {
				t.Errorf("%d buckets, band %d: keys reach %d of them", buckets, band, len(seen))
			}
		}
	}
}
