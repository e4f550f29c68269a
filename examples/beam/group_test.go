package pipeline

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"slices"
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

// The jobs of a bundle share their verified pairs: the links form one
// spanning forest of all of them (a pair another job already connected
// gives none), and the partner lists go out merged, one per earlier
// document in position order, when they outgrow the bound even merged,
// or the bundle ends. Forgetting the union-find may repeat a connection,
// never lose one.
func TestVerifiedPairs(t *testing.T) {
	type pair struct {
		Later, Earlier int64
		Stored         bool
	}
	type list struct {
		A        int64
		Partners []pair
	}
	var v verifiedPairs
	var got []list
	emit := func(a int64, b []byte) {
		l := list{A: a}
		for _, w := range appendPartners(nil, b) {
			l.Partners = append(l.Partners, pair{int64(w >> 1), a, w&1 == 1})
		}
		got = append(got, l)
	}
	jobs := [][]pair{
		{{5, 1, false}, {6, 1, false}, {6, 5, false}},
		{{5, 1, true}, {6, 5, false}, {7, 2, false}},
		{{7, 1, false}, {9, 8, true}},
	}
	var links []pair
	for _, job := range jobs {
		for _, p := range job {
			if v.add(p.Later, p.Earlier, p.Stored) {
				links = append(links, p)
			}
		}
		v.flush(100, 100, emit)
	}
	if got != nil {
		t.Errorf("lists emitted under the bound: %v", got)
	}
	wantLinks := []pair{{5, 1, false}, {6, 1, false}, {7, 2, false}, {7, 1, false}, {9, 8, true}}
	if diff := cmp.Diff(wantLinks, links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	v.flush(-1, -1, emit)
	want := []list{
		{1, []pair{{5, 1, true}, {6, 1, false}, {7, 1, false}}},
		{2, []pair{{7, 2, false}}},
		{5, []pair{{6, 5, false}}},
		{8, []pair{{9, 8, true}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("partner lists (-want +got):\n%s", diff)
	}
	got = nil
	if !v.add(6, 5, false) {
		t.Error("a pair connected before the union-find was forgotten gives no link")
	}
	v.add(3, 2, false)
	v.add(4, 2, false)
	v.flush(1, 100, emit)
	if diff := cmp.Diff([]list{{2, []pair{{3, 2, false}, {4, 2, false}}}, {5, []pair{{6, 5, false}}}}, got); diff != "" {
		t.Errorf("lists past the bound (-want +got):\n%s", diff)
	}
	// Repeats that fill the bound merge in place, and stay while they
	// leave room.
	got = nil
	for i := range 5 {
		v.add(9, 8, i == 3)
	}
	v.flush(4, 100, emit)
	if got != nil || v.words != 1 {
		t.Errorf("repeats past the bound: emitted %v, %d words kept, want none and 1", got, v.words)
	}
	v.flush(-1, -1, emit)
	if diff := cmp.Diff([]list{{8, []pair{{9, 8, true}}}}, got); diff != "" {
		t.Errorf("merged repeats (-want +got):\n%s", diff)
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

// A huge key's shards (splitHugeKeys) make the candidate pairs that
// pairsFn makes for the key whole, whatever the shards and however the
// combiners' partial results are merged: postings with each other, and
// each later document with each posting when the key is open; exact
// copies (the same content) stand for nothing, and no document of a
// posting's content is a later one.
func TestSplitHugeKeysSamePairs(t *testing.T) {
	cfgJSON, err := json.Marshal(dedup.Config{})
	if err != nil {
		t.Fatal(err)
	}
	bands := stage.LSH(dedup.Config{})
	rng := rand.New(rand.NewPCG(3, 4))
	for _, band := range []int{0, bands.Bands, bands.Bands + 1} {
		for _, n := range []int{5, 70, 300} {
			// n documents under one key; a third are copies of another's
			// content, and shingle counts tie often.
			var packed []byte
			for i := range n {
				e := filed{Band: int64(band), Hash: 0xabcd << 32, posting: posting{Pos: int64(i) * 1000, Shingles: int64(rng.IntN(20))}}
				e.Exact, e.Content = uint64(i), uint64(i)*7
				if i > 0 && rng.IntN(3) == 0 {
					c := rng.IntN(i)
					e.Exact, e.Content = uint64(c), uint64(c)*7
				}
				packed = e.append(packed)
			}
			want := candidatePairs(t, []meeting{pairsWhole(t, cfgJSON, packed)})
			for _, maxDocs := range []int64{1, 4, 16} {
				for _, light := range []int{0, 400} {
					got := candidatePairs(t, pairsSplit(t, cfgJSON, packed, maxDocs, light, rng))
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("band %d, %d documents, KeyGroup %d, %d light: pairs (-whole +split):\n%s", band, n, maxDocs, light, diff)
					}
				}
			}
		}
	}
}

type candidate struct {
	Later, Earlier int64
	Stored         bool
}

// candidatePairs returns the distinct candidate pairs of meetings.
func candidatePairs(t *testing.T, ms []meeting) map[candidate]bool {
	t.Helper()
	out := map[candidate]bool{}
	for _, m := range ms {
		m.pairs(func(later, earlier int64, stored bool) error {
			out[candidate{later, earlier, stored}] = true
			return nil
		})
	}
	return out
}

// pairsWhole is pairsFn's meeting for one key's packed documents.
func pairsWhole(t *testing.T, cfg, packed []byte) meeting {
	t.Helper()
	var got meeting
	err := (&pairsFn{Config: cfg}).ProcessElement(context.Background(), 0, iterOf(packed), func(_ uint64, m meeting) { got = m })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// pairsSplit is splitHugeKeys's meetings for one key's packed documents,
// filed in parts (input ranges), counted, routed, combined in random
// partial orders and paired shard by shard. With light > 0, each part is
// counted with up to light filings of other keys, carried once each, in
// a summary of two keys: the key may then be undercounted (fewer shards)
// or missed (grouped whole).
func pairsSplit(t *testing.T, cfg, packed []byte, maxDocs int64, light int, rng *rand.Rand) []meeting {
	t.Helper()
	var parts [][]byte
	part, records := 0, 1+rng.IntN(40) // the bytes and the records left of a part
	for _, r := range filedRecords(packed) {
		if records == 0 {
			parts = append(parts, packed[:part])
			packed, part, records = packed[part:], 0, 1+rng.IntN(40)
		}
		part += len(r)
		records--
	}
	parts = append(parts, packed[:part])
	kc := &keyCountFn{Keep: heavyKeys}
	if light > 0 {
		kc.Keep = 2
	}
	acc := kc.CreateAccumulator()
	for _, p := range parts {
		counted := slices.Clone(p)
		for range rng.IntN(light + 1) {
			counted = filed{Band: int64(rng.IntN(3)), Hash: rng.Uint64()}.append(counted)
		}
		acc = kc.MergeAccumulators(acc, kc.AddInput(kc.CreateAccumulator(), counted))
	}
	var huge [][]byte
	(&hugeFn{Max: maxDocs}).ProcessElement(0, kc.ExtractOutput(acc), func(b []byte) { huge = append(huge, b) })
	byKey := map[string][][]byte{}
	byShard := map[string][][]byte{}
	route := &routeFn{Max: maxDocs}
	var rest []byte
	for _, p := range parts {
		route.ProcessElement(context.Background(), 0, p, iterOf(huge...), func(_ int64, b []byte) { rest = append(rest, b...) },
			func(k string, b []byte) { byKey[k] = append(byKey[k], b) },
			func(k string, b []byte) { byShard[k] = append(byShard[k], b) })
	}
	var ms []meeting
	if len(rest) > 0 {
		ms = append(ms, pairsWhole(t, cfg, rest))
	}
	top := &topFn{Keep: 64}
	fan := &fanFn{Max: maxDocs}
	for key, bs := range byKey {
		// Partial results, merged in a random order.
		accs := make([][]byte, len(bs))
		for i, b := range bs {
			accs[i] = top.AddInput(top.CreateAccumulator(), b)
		}
		for len(accs) > 1 {
			i := rng.IntN(len(accs) - 1)
			accs[i] = top.MergeAccumulators(accs[i], accs[i+1])
			accs = slices.Delete(accs, i+1, i+2)
		}
		out := top.ExtractOutput(accs[0])
		fan.ProcessElement(key, out, iterOf(huge...), func(shard string, tp []byte) {
			err := (&shardPairsFn{Config: cfg}).ProcessElement(context.Background(), shard, iterOf(tp), iterOf(byShard[shard]...),
				func(_ uint64, m meeting) { ms = append(ms, m) })
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	return ms
}

// iterOf iterates over bs, as a runner hands a step its grouped values or
// a side input.
func iterOf(bs ...[]byte) func(*[]byte) bool {
	return func(b *[]byte) bool {
		if len(bs) == 0 {
			return false
		}
		*b, bs = bs[0], bs[1:]
		return true
	}
}

// A filed document packs in a record that stands alone: lists of them
// concatenate, every field comes back, and a record cut short reads as
// none.
func TestFiledPacking(t *testing.T) {
	// A typical record: band 3, a band key (low hash bits clear), 900
	// shingles, the first file's offset 123,456,789.
	e := filed{Band: 3, Hash: 0x89abcdef << 32, posting: posting{Pos: 123456789, Shingles: 900}, Exact: 0x0102030405060708, Content: 0xa1b2c3d4}
	want := []byte{3, 0xef, 0xcd, 0xab, 0x89, 0, 0x84, 0x07, 0x95, 0x9a, 0xef, 0x3a, 8, 7, 6, 5, 4, 3, 2, 1, 0xd4, 0xc3, 0xb2, 0xa1}
	if diff := cmp.Diff(want, e.append(nil)); diff != "" {
		t.Errorf("packed (-want +got):\n%s", diff)
	}

	rng := rand.New(rand.NewPCG(5, 6))
	pick := func(vs ...uint64) uint64 { return vs[rng.IntN(len(vs))] }
	var fs []filed
	var packed []byte
	var ends []int // where each record ends
	for range 2000 {
		f := filed{
			Band:    int64(pick(0, 1, 20, 127, 128, 16383, 1<<31-1)),
			Hash:    rng.Uint64()>>32<<32 | pick(0, 5, 7, 127, 128, 1<<32-1),
			posting: posting{Pos: int64(pick(0, 1, rng.Uint64N(1<<40), 3<<40|rng.Uint64N(1<<40), 1<<62)), Shingles: int64(pick(0, 1, 127, 128, rng.Uint64N(1<<31)))},
			Exact:   rng.Uint64(),
			Content: uint64(rng.Uint32()),
		}
		fs = append(fs, f)
		packed = f.append(packed)
		ends = append(ends, len(packed))
	}
	if diff := cmp.Diff(fs, appendFiled(nil, packed), cmp.AllowUnexported(filed{}, posting{})); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if got := filedBytes(fs); got != len(packed) {
		t.Errorf("filedBytes = %d, packed %d bytes", got, len(packed))
	}
	for i, end := range ends {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		if end-start > maxFiledSize {
			t.Errorf("record %d takes %d bytes, over maxFiledSize %d", i, end-start, maxFiledSize)
		}
		if i >= 50 {
			continue
		}
		for cut := start; cut < end; cut++ {
			if got := appendFiled(nil, packed[:cut]); len(got) != i {
				t.Fatalf("record %d cut after %d of its %d bytes: read %d records, want %d", i, cut-start, end-start, len(got), i)
			}
		}
	}
}
