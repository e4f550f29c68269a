package pipeline

import (
	"cmp"
	"context"
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/neardup/neardup/dedup/stage"
)

// An index key that a fixed share of the documents carries (a site's
// template line as the lead, before boilerplate is learned) has that
// share of any corpus. Grouped whole, in its bucket, to pick its postings,
// with its later documents in one verification job, it would make the
// largest group of those steps grow with the corpus. Such a key, one with
// more than Options.KeyGroup filed documents, takes another way
// (splitHugeKeys):
//
//   - keyCountFn finds each bucket's heavy keys and counts their
//     documents (a combiner, a Misra–Gries summary of heavyKeys keys,
//     which finds every key over KeyGroup but those within its error);
//     the keys over KeyGroup, few, are a side input;
//   - routeFn takes their documents out of the buckets, and files each
//     under its key, and under its key and a shard: one of
//     hugeShards(count) by its content, so that the copies of one
//     content, of which only the first in group order counts, meet in
//     one shard;
//   - topFn picks each huge key's postings by combining: the first 64
//     distinct contents in group order (64, the largest postings limit)
//     of a set of documents are among the first 64 of its parts';
//   - shardPairsFn makes, for each shard, the meeting pairsFn would make
//     for the key, but with the shard's later documents only, under the
//     postings' hash and the shard: meetFn merges the keys of one set of
//     postings shard by shard, so a job holds at most about KeyGroup
//     later documents of a key.
//
// The candidate pairs are those of pairsFn; a pair of postings is
// verified in each shard's job, and its repeats are merged as those of
// any pair in several jobs.

// defaultKeyGroup is the default Options.KeyGroup: a key's group of 4,096
// documents takes 160 KB, and its job 4,096 sketches, a few megabytes.
const defaultKeyGroup = 4096

// keyCountSize is the size of a packed key count: band, hash, count.
const keyCountSize = 20

// keyCount is a count of the documents filed under an index key.
type keyCount struct {
	band uint32
	hash uint64
	n    uint64
}

func compareKeyCount(a, b keyCount) int {
	return cmp.Or(cmp.Compare(a.band, b.band), cmp.Compare(a.hash, b.hash))
}

func appendKeyCount(b []byte, k keyCount) []byte {
	b = binary.LittleEndian.AppendUint32(b, k.band)
	b = binary.LittleEndian.AppendUint64(b, k.hash)
	return binary.LittleEndian.AppendUint64(b, k.n)
}

func readKeyCount(b []byte) keyCount {
	return keyCount{binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint64(b[4:]), binary.LittleEndian.Uint64(b[12:])}
}

// keyCountFn counts the documents of each index key of a bucket. With
// Keep 0 the counts are exact (sizeCountFn's), and the accumulator
// (packing.compact) holds a bucket's keys a few times at most.
//
// With Keep > 0 the combiner is a Misra–Gries summary (mergeable, as
// Agarwal et al., "Mergeable Summaries", 2012, show): whenever a
// compacted accumulator holds more than Keep keys, the (Keep+1)-th
// largest count is taken from every count and the keys left at 0 or
// less are dropped. Each such step takes c from at least Keep+1 counts
// and at most c from any, so however a runner splits and merges a
// bucket of N filings, a count is short of the key's by at most the
// filings the summary dropped over Keep+1, at most N/(Keep+1), and every
// key with more is kept. A huge key, kept, loses nothing but those
// steps' cuts, so the error comes from the bucket's other keys. The keys
// over KeyGroup need only be found, not counted exactly: a key the
// summary undercounts to KeyGroup or less is grouped whole, with the same
// candidate pairs, and one it undercounts less may get fewer shards.
//
// splitHugeKeys counts index keys so because a bucket's keys (a bucket is
// a megabyte of input, about 60 filings a document of 3 KB: 14,000
// filings on average and 24,000 at most in the generated corpora of
// 10^5 and 10^6), most of them carried once, would otherwise reach the
// runner whole: at 10^6 documents, exact counts made a 1.07 GB message on
// Prism. A summary of heavyKeys keys holds at most 5 KB a bucket, as an
// accumulator and as the output.
type keyCountFn struct{ Keep int }

// heavyKeys is splitHugeKeys's keyCountFn.Keep: of a bucket of 24,000
// filings, a count is short by at most 93, 2% of the default KeyGroup. A
// key is missed, and grouped whole, only if it has no more than KeyGroup
// and that error.
const heavyKeys = 256

func (f *keyCountFn) CreateAccumulator() []byte { return make([]byte, 8) }

func (f *keyCountFn) AddInput(acc, filings []byte) []byte {
	for e := range filedRecords(filings) {
		acc = appendKeyCount(acc, keyCount{uint32(e.Band), e.Hash, 1})
	}
	return f.compact(acc, false)
}

func (f *keyCountFn) MergeAccumulators(a, b []byte) []byte {
	return f.compact(append(a, b[8:]...), false)
}

func (f *keyCountFn) ExtractOutput(acc []byte) []byte { return f.compact(acc, true)[8:] }

// compact compacts acc (packing.compact) and, with Keep > 0, leaves at
// most Keep keys in it. A summary compacts as soon as it holds more than
// Keep records, not once they have doubled: a runner ships precombined
// accumulators as they are, and a range's filings of one bucket (about
// 400 at 10^6 documents, as buckets grow with the corpus and ranges do
// not) would otherwise go out whole, a record for nearly every filing.
func (f *keyCountFn) compact(acc []byte, force bool) []byte {
	force = force || f.Keep > 0 && (len(acc)-8)/keyCountSize > f.Keep
	acc = keyCounts.compact(acc, force)
	if n := int(binary.LittleEndian.Uint64(acc)); f.Keep > 0 && n > f.Keep {
		acc = summarize(acc, n, f.Keep)
	}
	return acc
}

// summarize takes the (keep+1)-th largest count of the n compacted key
// counts of acc from every count, and drops those left at 0 or less:
// Misra–Gries's step, which leaves at most keep keys.
func summarize(acc []byte, n, keep int) []byte {
	ns := make([]uint64, n)
	for i := range ns {
		ns[i] = readKeyCount(acc[8+i*keyCountSize:]).n
	}
	slices.SortFunc(ns, func(a, b uint64) int { return cmp.Compare(b, a) })
	cut := ns[keep]
	out := acc[:8]
	for i := range n {
		k := readKeyCount(acc[8+i*keyCountSize:])
		if k.n > cut {
			k.n -= cut
			out = appendKeyCount(out, k) // in place: out never passes the record read
		}
	}
	binary.LittleEndian.PutUint64(out, uint64((len(out)-8)/keyCountSize))
	return out
}

// keyCounts packs keyCounts, merged by summing.
var keyCounts = packing[keyCount]{keyCountSize, readKeyCount, appendKeyCount, compareKeyCount, func(o *keyCount, k keyCount) { o.n += k.n }}

// packing is a kind of packed record that combiners accumulate: its size,
// how it is read and appended, ordered, and merged into the record of
// the same key.
type packing[T any] struct {
	size   int
	read   func([]byte) T
	append func([]byte, T) []byte
	cmp    func(a, b T) int
	merge  func(into *T, r T)
}

// compact sorts an accumulator's records and merges those of one key, if
// they have doubled since it last did or if force. The accumulator is an
// 8-byte count of the records it held when last compacted, then the
// packed records, in order after compaction: it holds a bucket's keys a
// few times at most.
func (p packing[T]) compact(acc []byte, force bool) []byte {
	n := (len(acc) - 8) / p.size
	if last := int(binary.LittleEndian.Uint64(acc)); !force && n <= 2*last+1024 {
		return acc
	}
	rs := make([]T, n)
	for i := range rs {
		rs[i] = p.read(acc[8+i*p.size:])
	}
	slices.SortFunc(rs, p.cmp)
	out := rs[:0]
	for _, r := range rs {
		if m := len(out); m > 0 && p.cmp(out[m-1], r) == 0 {
			p.merge(&out[m-1], r)
			continue
		}
		out = append(out, r)
	}
	acc = binary.LittleEndian.AppendUint64(acc[:0], uint64(len(out)))
	for _, r := range out {
		acc = p.append(acc, r)
	}
	return acc
}

// emitOver emits, packed in one element, the records of b that over
// accepts, if there are any: a bucket's keys over a limit, for a side
// input.
func (p packing[T]) emitOver(b []byte, over func(T) bool, emit func([]byte)) {
	var out []byte
	for ; len(b) >= p.size; b = b[p.size:] {
		if over(p.read(b)) {
			out = append(out, b[:p.size]...)
		}
	}
	if out != nil {
		emit(out)
	}
}

// hugeFn emits a bucket's keys with more than Max documents, packed.
type hugeFn struct{ Max int64 }

func (f *hugeFn) ProcessElement(_ int64, counts []byte, emit func([]byte)) {
	keyCounts.emitOver(counts, func(k keyCount) bool { return k.n > uint64(f.Max) }, emit)
}

// hugeShards is the number of shards of a key with n documents: the
// least power of two that brings them under per a shard. A power of two, so
// that the keys of one family, whose counts differ a little, mostly
// shard its documents alike, and meetFn merges their meetings.
func hugeShards(n, per uint64) uint64 {
	s := (n + per - 1) / per
	return 1 << bits.Len64(s-1)
}

// contentShard is the shard, of shards (a power of two), of a document
// with this content.
func contentShard(exact, content uint64, shards uint64) uint64 {
	h := (exact ^ bits.RotateLeft64(content, 29)) * 0x9e3779b97f4a7c15
	return (h >> 32) & (shards - 1)
}

// keyID is an index key as band (4 bytes) then hash (8 bytes), little
// endian: the start of a packed keyCount, and, as a string, a huge key's
// group key.
type keyID [12]byte

// keyID returns the keyID of f's index key.
func (f filed) keyID() keyID {
	var id keyID
	binary.LittleEndian.PutUint32(id[:4], uint32(f.Band))
	binary.LittleEndian.PutUint64(id[4:], f.Hash)
	return id
}

// shardName is a shard of a key as a group key: its keyID and shard.
func shardName(key string, shard uint64) string {
	return key + string(binary.LittleEndian.AppendUint32(nil, uint32(shard)))
}

// hugeTable reads packed key counts over a limit (hugeFn's output, a side
// input) into a map from each key, as key reads it from a packed count,
// to its number of shards of about per documents.
func hugeTable[K comparable](iter func(*[]byte) bool, per int64, key func(b []byte) K) map[K]uint64 {
	t := make(map[K]uint64)
	var b []byte
	for iter(&b) {
		for ; len(b) >= keyCountSize; b = b[keyCountSize:] {
			t[key(b)] = hugeShards(readKeyCount(b).n, uint64(per))
		}
	}
	return t
}

// indexKey is the keyID of a packed key count.
func indexKey(b []byte) keyID { return keyID(b[:12]) }

// routeFn takes the documents of huge keys (the side input) out of a
// bucket's filings: it emits the others under the bucket, as they came,
// and each huge key's under its keyID and under its shard's shardName.
type routeFn struct {
	Max  int64
	huge map[keyID]uint64 // huge key -> shards
}

func (f *routeFn) ProcessElement(ctx context.Context, bucket int64, filings []byte, huge func(*[]byte) bool, normal func(int64, []byte), byKey func(string, []byte), byShard func(string, []byte)) {
	if f.huge == nil {
		f.huge = hugeTable(huge, f.Max, indexKey)
	}
	if len(f.huge) == 0 {
		normal(bucket, filings)
		return
	}
	var rest []byte // the others, once a huge key's document is met
	moved := 0
	var keys, shards map[string][]byte
	off := 0 // b's offset in filings
	for e, b := range filedRecords(filings) {
		start := off
		off += len(b)
		id := e.keyID()
		s, ok := f.huge[id]
		if !ok {
			if moved > 0 {
				rest = append(rest, b...)
			}
			continue
		}
		if moved == 0 {
			rest = append([]byte(nil), filings[:start]...)
			keys, shards = make(map[string][]byte), make(map[string][]byte)
		}
		moved++
		key := string(id[:])
		keys[key] = append(keys[key], b...)
		sh := shardName(key, contentShard(e.Exact, e.Content, s))
		shards[sh] = append(shards[sh], b...)
	}
	if moved == 0 {
		normal(bucket, filings)
		return
	}
	if len(rest) > 0 {
		normal(bucket, rest)
	}
	beam.NewCounter("neardup.split", "documents of huge keys").Inc(ctx, int64(moved))
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		byKey(k, keys[k])
	}
	for _, k := range slices.Sorted(maps.Keys(shards)) {
		byShard(k, shards[k])
	}
}

// topFn combines the documents of a huge key into its first Keep
// distinct contents in group order (the postings, and more), packed
// filed: a content's first document in group order stands for it, as
// pairsFn drops the exact copies. The first Keep of a set are among the
// first Keep of its parts, so partial results combine.
type topFn struct{ Keep int }

func (f *topFn) CreateAccumulator() []byte { return nil }

func (f *topFn) AddInput(acc, filings []byte) []byte {
	return f.compact(append(acc, filings...), false)
}

func (f *topFn) MergeAccumulators(a, b []byte) []byte {
	return f.compact(append(a, b...), false)
}

func (f *topFn) ExtractOutput(acc []byte) []byte { return f.compact(acc, true) }

func (f *topFn) compact(acc []byte, force bool) []byte {
	if !force && len(acc) <= 4*f.Keep*maxFiledSize {
		return acc
	}
	fs := firstContents(appendFiled(nil, acc))
	fs = fs[:min(len(fs), f.Keep)]
	acc = acc[:0]
	for _, e := range fs {
		acc = e.append(acc)
	}
	return acc
}

// firstContents sorts fs in group order and keeps the first document of
// each content.
func firstContents(fs []filed) []filed {
	slices.SortFunc(fs, func(a, b filed) int { return byGroupOrder(a.posting, b.posting) })
	return dropCopies(fs, make(map[content]bool, len(fs)))
}

// fanFn hands a huge key's top to each of its shards (the side input
// gives their number).
type fanFn struct {
	Max  int64
	huge map[keyID]uint64
}

func (f *fanFn) ProcessElement(key string, top []byte, huge func(*[]byte) bool, emit func(string, []byte)) {
	if f.huge == nil {
		f.huge = hugeTable(huge, f.Max, indexKey)
	}
	for s := range f.huge[keyID([]byte(key))] {
		emit(shardName(key, s), top)
	}
}

// shardPairsFn makes a shard's meeting: the key's postings, from its
// top, and the shard's later documents, the first of their content in
// group order that are not postings, when the key is open. It emits the
// meeting under the postings' hash mixed with the shard, as pairsFn emits
// a key's.
type shardPairsFn struct {
	Config []byte
	Pass   string
	bands  *stage.Banding
}

func (f *shardPairsFn) ProcessElement(ctx context.Context, name string, tops func(*[]byte) bool, shards func(*[]byte) bool, meet func(uint64, meeting)) error {
	defer timed(ctx, f.Pass+"/candidate pairs", time.Now())
	if err := banding(f.Config, &f.bands); err != nil {
		return err
	}
	var top, b []byte
	tops(&top)
	var fs []filed
	for shards(&b) {
		fs = appendFiled(fs, b)
	}
	groupSize(ctx, "index keys", len(fs), filedBytes(fs))
	band := int(binary.LittleEndian.Uint32([]byte(name)))
	shard := uint64(binary.LittleEndian.Uint32([]byte(name[12:])))
	limit, open := f.bands.Postings(band)
	postings := appendFiled(nil, top)
	postings = postings[:min(len(postings), limit)]
	var later []filed
	if open {
		taken := make(map[content]bool, len(postings))
		for _, p := range postings {
			taken[p.content()] = true
		}
		for _, e := range firstContents(fs) {
			if !taken[e.content()] {
				later = append(later, e)
			}
		}
	}
	if len(postings) < 2 && len(later) == 0 {
		return nil
	}
	h, m := newMeeting(postings, later)
	meet(h^(shard+1)*0xbf58476d1ce4e5b9, m)
	return nil
}

// splitHugeKeys takes the keys with more than maxDocs documents out of
// filings (see the comment above keyCountFn): it returns the filings of
// the others, by bucket, for pairsFn, and the meetings of the huge keys'
// shards.
func splitHugeKeys(s beam.Scope, cfg []byte, filings beam.PCollection, maxDocs int64, pass string) (beam.PCollection, beam.PCollection) {
	s = s.Scope("huge keys")
	keep := 0 // the largest postings limit: a band key's
	if c, err := config(cfg); err == nil {
		b := stage.LSH(c)
		for _, band := range []int{0, b.Bands, b.Bands + 1} {
			limit, _ := b.Postings(band)
			keep = max(keep, limit)
		}
	}
	counts := beam.CombinePerKey(s, &keyCountFn{Keep: heavyKeys}, filings)
	huge := beam.ParDo(s, &hugeFn{Max: maxDocs}, counts)
	normal, byKey, byShard := beam.ParDo3(s, &routeFn{Max: maxDocs}, filings, beam.SideInput{Input: huge})
	tops := beam.CombinePerKey(s, &topFn{Keep: keep}, byKey)
	fanned := beam.ParDo(s, &fanFn{Max: maxDocs}, tops, beam.SideInput{Input: huge})
	meetings := beam.ParDo(s, &shardPairsFn{Config: cfg, Pass: pass}, beam.CoGroupByKey(s, fanned, byShard))
	return normal, meetings
}
