package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"iter"
	"maps"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// posting is a document filed under an index key: its position and its
// number of shingles, which give its place in group order.
type posting struct {
	Pos      int64
	Shingles int64
}

// byGroupOrder is stage.GroupOrder's order: most shingles first, ties in
// input order.
func byGroupOrder(a, b posting) int {
	return cmp.Or(cmp.Compare(b.Shingles, a.Shingles), cmp.Compare(a.Pos, b.Pos))
}

// filed is a document filed under an index key (a stage.IndexKey as
// the batch grouping compares it, stage.Banding.GroupingKey), with its
// content's exact key and a second hash of it (FNV-1a of what
// verification reads): the copies of one content under a key are told
// apart from it without a join.
type filed struct {
	Band int64
	Hash uint64
	posting
	Exact, Content uint64
}

// content identifies a filed document's content: its exact key and the
// second hash of it.
type content struct{ exact, hash uint64 }

// contentHash is the second hash of the content of a sketch encoded as
// enc (encodeSketch): 32-bit FNV-1a of what verification reads. With the
// 64-bit exact key it tells contents apart by 96 bits.
func contentHash(enc []byte) uint64 {
	h := fnv.New32a()
	h.Write(verifying(enc))
	return uint64(h.Sum32())
}

func (f filed) content() content { return content{f.Exact, f.Content} }

// dropCopies drops from fs, in group order, each document whose content
// an earlier one has (or seen holds), and adds the contents to seen.
func dropCopies(fs []filed, seen map[content]bool) []filed {
	return slices.DeleteFunc(fs, func(e filed) bool {
		c := e.content()
		if seen[c] {
			return true
		}
		seen[c] = true
		return false
	})
}

func compareFiled(a, b filed) int {
	return cmp.Or(cmp.Compare(a.Band, b.Band), cmp.Compare(a.Hash, b.Hash), byGroupOrder(a.posting, b.posting))
}

// A filed document is packed in about 24 bytes (appendFiled reads them):
// uvarint band, the hash's high 32 bits (little endian), its low 32 bits
// as a uvarint (GroupingKey leaves there only a run key's part, below
// RunParts), uvarint shingles, uvarint position, the exact key (8 bytes)
// and the content hash (4 bytes). The filings are the largest collection
// the pipeline ships, about 60 a document, read by four steps; a runner
// that sends a step's input in one message (Prism, capped at 2 GiB by
// gRPC) reaches its cap with 40-byte records at about 900,000 documents
// of news. Each record stands alone, so that packed lists concatenate.
//
// maxFiledSize bounds a packed filed's size.
const maxFiledSize = 3*binary.MaxVarintLen64 + binary.MaxVarintLen32 + 4 + 8 + 4

func (f filed) append(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(f.Band))
	b = binary.LittleEndian.AppendUint32(b, uint32(f.Hash>>32))
	b = binary.AppendUvarint(b, uint64(uint32(f.Hash)))
	b = binary.AppendUvarint(b, uint64(f.Shingles))
	b = binary.AppendUvarint(b, uint64(f.Pos))
	b = binary.LittleEndian.AppendUint64(b, f.Exact)
	return binary.LittleEndian.AppendUint32(b, uint32(f.Content))
}

// readFiled decodes the packed filed at the start of b and returns it and
// its size, or a size of 0 if b does not start with a whole one.
func readFiled(b []byte) (filed, int) {
	var f filed
	band, n := binary.Uvarint(b)
	if n <= 0 || len(b) < n+4 {
		return f, 0
	}
	hi := binary.LittleEndian.Uint32(b[n:])
	k := n + 4
	lo, n := binary.Uvarint(b[k:])
	if n <= 0 || lo > math.MaxUint32 {
		return f, 0
	}
	k += n
	shingles, n := binary.Uvarint(b[k:])
	if n <= 0 {
		return f, 0
	}
	k += n
	pos, n := binary.Uvarint(b[k:])
	if n <= 0 || len(b) < k+n+12 {
		return f, 0
	}
	k += n
	f.Band, f.Hash = int64(band), uint64(hi)<<32|lo
	f.Pos, f.Shingles = int64(pos), int64(shingles)
	f.Exact = binary.LittleEndian.Uint64(b[k:])
	f.Content = uint64(binary.LittleEndian.Uint32(b[k+8:]))
	return f, k + 12
}

// appendFiled appends the filed documents packed in b to fs, up to the
// first that is not whole.
func appendFiled(fs []filed, b []byte) []filed {
	for f := range filedRecords(b) {
		fs = append(fs, f)
	}
	return fs
}

// filedRecords yields the filed documents packed in b, each with its
// packed bytes, up to the first that is not whole.
func filedRecords(b []byte) iter.Seq2[filed, []byte] {
	return func(yield func(filed, []byte) bool) {
		b := b // each iteration starts over
		for {
			f, n := readFiled(b)
			if n == 0 || !yield(f, b[:n:n]) {
				return
			}
			b = b[n:]
		}
	}
}

// filedBytes is the size of fs packed.
func filedBytes(fs []filed) int {
	n := 0
	for _, f := range fs {
		n += uvarintLen(uint64(f.Band)) + uvarintLen(uint64(uint32(f.Hash))) + uvarintLen(uint64(f.Shingles)) + uvarintLen(uint64(f.Pos)) + 16
	}
	return n
}

// uvarintLen is the size of x as a uvarint.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// filer files the documents of one input range under their index keys
// (stage.AppendIndexKeys), packed by bucket: a range's keys reach the
// runner as one element per bucket rather than one per key (about 60 a
// document of 3 KB).
type filer struct {
	cfg     dedup.Config
	bands   stage.Banding
	buckets int64
	keys    []stage.IndexKey
	out     map[int64][]byte
}

func newFiler(cfg dedup.Config, buckets int64) *filer {
	return &filer{cfg: cfg, bands: stage.LSH(cfg), buckets: buckets, out: make(map[int64][]byte)}
}

// add files the document at pos with sketch sk, encoded as enc
// (encodeSketch).
func (f *filer) add(pos int64, sk *dedup.Sketch, enc []byte) error {
	var err error
	f.keys, err = stage.AppendIndexKeys(f.cfg, f.keys[:0], sk)
	if err != nil || len(f.keys) == 0 {
		return err
	}
	e := filed{posting: posting{pos, int64(stage.Inspect(sk).Shingles)}, Exact: stage.ExactKey(sk), Content: contentHash(enc)}
	for _, k := range f.keys {
		k = f.bands.GroupingKey(k)
		e.Band, e.Hash = int64(k.Band), k.Hash
		b := keyBucket(e.Band, e.Hash, f.buckets)
		f.out[b] = e.append(f.out[b])
	}
	return nil
}

// flush emits the filed keys by bucket, in bucket order.
func (f *filer) flush(emit func(int64, []byte)) {
	for _, b := range slices.Sorted(maps.Keys(f.out)) {
		emit(b, f.out[b])
	}
	clear(f.out)
}

// keyBucket is the bucket of the index keys that one group takes: a key's
// hash modulo buckets. A runner's cost per group key (Prism keeps a
// trigger state and a pending heap for each) would otherwise come once
// per key, a hundred times per document; a bucket holds the keys of
// about bucketBytes of input, whatever the corpus's size. The hash is
// rotated by half first: GroupingKey keeps only its high 32 bits (and a
// run key's part in the low ones), which a modulo by a number with
// factors of two would otherwise not see, sending a whole band to a few
// buckets.
func keyBucket(band int64, hash uint64, buckets int64) int64 {
	return int64((bits.RotateLeft64(hash, 32) ^ uint64(band)*0x9e3779b97f4a7c15) % uint64(buckets))
}

// Verified pairs travel packed, by their earlier document: a list of
// partners is the little-endian words B<<1 | stored, one per verified
// pair (A, B) with A before B in group order and stored as in
// stage.Pair, and an edge list is A's position followed by its
// partners. A family of near copies verifies hundreds of pairs per
// member; as one element (and, merging repeats, one group key) per pair
// they cost a runner more than the family's sketches.

// appendPartner appends the partner b of a verified pair to a list.
func appendPartner(list []byte, b int64, stored bool) []byte {
	return binary.LittleEndian.AppendUint64(list, partnerWord(b, stored))
}

// partnerWord is the word of partner b in a packed list.
func partnerWord(b int64, stored bool) uint64 {
	w := uint64(b) << 1
	if stored {
		w |= 1
	}
	return w
}

// appendPartners appends to ws the words of a packed list.
func appendPartners(ws []uint64, list []byte) []uint64 {
	for ; len(list) >= 8; list = list[8:] {
		ws = append(ws, binary.LittleEndian.Uint64(list))
	}
	return ws
}

// edgeList packs the edge list of a document at position a with its
// partner words ws.
func edgeList(a int64, ws []uint64) []byte {
	return appendWords(binary.LittleEndian.AppendUint64(make([]byte, 0, 8+8*len(ws)), uint64(a)), ws)
}

// appendWords appends the partner words ws to a packed list.
func appendWords(list []byte, ws []uint64) []byte {
	for _, w := range ws {
		list = binary.LittleEndian.AppendUint64(list, w)
	}
	return list
}

// mergePartners sorts partner words and merges the repeats of a pair,
// verified in several jobs to the same answer: stored under one key is
// stored (the command's appendPairs keeps a pair's stored flag the same
// way).
func mergePartners(ws []uint64) []uint64 {
	slices.Sort(ws)
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 && out[n-1]>>1 == w>>1 {
			out[n-1] |= w & 1
			continue
		}
		out = append(out, w)
	}
	return out
}

// outLine is a document's line of the result.
type outLine struct {
	Pos  int64
	Line []byte
}

// shards, given to group, makes it emit the result lines keyed by output
// shard (the input range of Span bytes the document came from) rather
// than the articles of boilerplate learning.
type shards struct{ Span int64 }

func (s *shards) of(pos int64) int64 {
	off := pos & (1<<fileShift - 1)
	return pos - off + off/s.Span*s.Span
}

// group groups docs as stage.ClusterSketches does (see the package
// comment). With out nil it returns, for boilerplate learning, each
// document (position and lines) keyed by its article, the position of its
// cluster's canonical, and the articles of more than keyGroup documents
// with the shards each is split in (KV<article, shards>, for
// joinArticles); otherwise
// each document's result line keyed by its output shard (and no articles).
func group(s beam.Scope, cfg []byte, docs, filings beam.PCollection, rounds int, buckets, keyGroup, maxComponent int64, out *shards) (result, hugeArticles beam.PCollection) {
	pass := "preliminary" // the step names of --timings
	if out != nil {
		pass = "final"
	}
	// Exact copies, by content, those of huge exact keys apart.
	keyed, alone, exactCounts := beam.ParDo3(s, &exactKeyFn{Buckets: buckets}, docs)
	fam := splitFamilies(s, keyed, exactCounts, keyGroup, pass)
	byRep := beam.Flatten(s, fam.byRep, alone)
	reps := fam.reps

	// Candidate pairs, by index key: one verification job per set of
	// postings.
	filings, huge := splitHugeKeys(s, cfg, filings, keyGroup, pass)
	meetings := beam.ParDo(s, &pairsFn{Config: cfg, Pass: pass}, beam.GroupByKey(s, filings))
	meetings = beam.Flatten(s, meetings, huge)
	jobs, members := beam.ParDo2(s, &meetFn{Pass: pass}, beam.GroupByKey(s, meetings))

	// Verification: each job gets the sketches of its documents, each
	// once, and verifies its pairs; repeats merged.
	sketches := beam.ParDo(s, sketchOf, reps)
	shipped := beam.ParDo(s, &shipFn{Pass: pass}, beam.CoGroupByKey(s, sketches, members))
	partners, links := beam.ParDo2(s, &verifyFn{Config: cfg, Pass: pass}, beam.CoGroupByKey(s, jobs, shipped))

	// Components, and each document and edge list under its component's
	// root.
	roots := components(s.Scope("components"), links, rounds, buckets, keyGroup, pass)
	partners, hubEdges := hubPartners(s, partners, roots, buckets, keyGroup)
	docsByRoot, edgesByRoot, sizes := beam.ParDo3(s, &labelFn{Pass: pass, Buckets: buckets}, beam.CoGroupByKey(s, byRep, roots, partners))
	edgesByRoot = beam.Flatten(s, edgesByRoot, hubEdges)
	copies, copySizes := fam.labelCopies(s, roots, buckets)
	docsByRoot, sizes = beam.Flatten(s, docsByRoot, copies), beam.Flatten(s, sizes, copySizes)
	articles, lines, hugeArticles := splitComponents(s, cfg, docsByRoot, edgesByRoot, sizes, maxComponent, keyGroup, out, pass)
	if out == nil {
		return articles, hugeArticles
	}
	return lines, hugeArticles
}

// groupSize records the size of a group a step formed, in elements and
// bytes, as Beam distributions (largest, total, count).
func groupSize(ctx context.Context, step string, n, size int) {
	beam.NewDistribution("neardup.group.elements", step).Update(ctx, int64(n))
	beam.NewDistribution("neardup.group.bytes", step).Update(ctx, int64(size))
}

// exactKeyFn keys a document by stage.ExactKey, and counts it under its
// key's bucket (keyCountFn's packing, for splitFamilies); a document
// without content is alone, the representative of itself.
type exactKeyFn struct{ Buckets int64 }

func (f *exactKeyFn) ProcessElement(d doc, keyed func(uint64, doc), alone func(int64, doc), count func(int64, []byte)) error {
	sk, err := decodeSketch(d.Sk)
	if err != nil {
		return fmt.Errorf("%s: %w", place(d.Pos), err)
	}
	if stage.Inspect(&sk).Shingles == 0 {
		alone(d.Pos, d)
		return nil
	}
	key := stage.ExactKey(&sk)
	keyed(key, d)
	count(nodeBucket(int64(key), f.Buckets), appendKeyCount(nil, keyCount{hash: key, n: 1}))
	return nil
}

// exactFn takes the documents of one exact key in group order: the
// first is the representative of those whose content equals its own (as
// the command compares them), the others of themselves, as the command's
// exactCopies maps them. It emits every document under its
// representative, and the representatives on their own.
type exactFn struct{ Pass string }

func (f *exactFn) ProcessElement(ctx context.Context, _ uint64, next func(*doc) bool, byRep func(int64, doc), reps func(doc)) error {
	defer timed(ctx, f.Pass+"/exact copies", time.Now())
	type member struct {
		posting
		d doc
	}
	var ms []member
	var d doc
	size := 0
	for next(&d) {
		shingles, err := shinglesOf(d)
		if err != nil {
			return err
		}
		ms = append(ms, member{posting{d.Pos, shingles}, d})
		size += len(d.Sk) + len(d.Lines) + len(d.ID)
	}
	groupSize(ctx, "exact copies", len(ms), size)
	slices.SortFunc(ms, func(a, b member) int { return byGroupOrder(a.posting, b.posting) })
	first := verifying(ms[0].d.Sk)
	for _, m := range ms {
		rep := m.Pos
		if bytes.Equal(verifying(m.d.Sk), first) {
			rep = ms[0].Pos
		}
		byRep(rep, m.d)
		if rep == m.Pos {
			reps(m.d)
		}
	}
	return nil
}

// pairsFn takes the documents of each index key of a bucket as the
// command's index does (stage.Banding.Postings): in group order, the
// first limit are the key's postings and pair with each other; a later
// one meets all of them when the key is open, none otherwise. Only
// representatives take part: under each key, the first document in group
// order of each content, as exactCopies chooses them (an exact copy has
// its representative's keys). It emits each key's postings and later
// documents, a meeting, by the postings' hash: the documents of a family
// share most of their keys and meet the same postings under each, and
// meetFn makes one verification job of those keys, whose pairs
// verifyFn checks once each (the command's appendPairs skips the repeats
// the same way).
type pairsFn struct {
	Config []byte
	Pass   string
	bands  *stage.Banding
}

func (f *pairsFn) ProcessElement(ctx context.Context, _ int64, next func(*[]byte) bool, meet func(uint64, meeting)) error {
	defer timed(ctx, f.Pass+"/candidate pairs", time.Now())
	if err := banding(f.Config, &f.bands); err != nil {
		return err
	}
	var fs []filed
	var b []byte
	for next(&b) {
		fs = appendFiled(fs, b)
	}
	groupSize(ctx, "index key buckets", len(fs), filedBytes(fs))
	seen := make(map[content]bool)
	slices.SortFunc(fs, compareFiled)
	for lo := 0; lo < len(fs); {
		hi := lo + 1
		for hi < len(fs) && fs[hi].Band == fs[lo].Band && fs[hi].Hash == fs[lo].Hash {
			hi++
		}
		ps := fs[lo:hi]
		lo = hi
		if len(ps) > 1 { // drop the exact copies
			clear(seen)
			ps = dropCopies(ps, seen)
		}
		groupSize(ctx, "index keys", len(ps), filedBytes(ps))
		limit, open := f.bands.Postings(int(ps[0].Band))
		postings := ps[:min(len(ps), limit)]
		var later []filed
		if open && len(ps) > limit {
			later = ps[limit:]
		}
		if len(postings) < 2 && len(later) == 0 {
			continue // no pair
		}
		meet(newMeeting(postings, later))
	}
	return nil
}

// banding sets *b, once, to the banding of the encoded Config cfg.
func banding(cfg []byte, b **stage.Banding) error {
	if *b != nil {
		return nil
	}
	c, err := config(cfg)
	if err != nil {
		return err
	}
	lsh := stage.LSH(c)
	*b = &lsh
	return nil
}

// newMeeting returns the meeting of postings and later documents, and
// its key: a hash of the postings' positions.
func newMeeting(postings, later []filed) (uint64, meeting) {
	m := meeting{Postings: make([]int64, len(postings)), Later: make([]int64, len(later))}
	h := uint64(0x9e3779b97f4a7c15)
	for j, p := range postings {
		m.Postings[j] = p.Pos
		h = (h ^ uint64(p.Pos)) * 0x100000001b3
	}
	for j, p := range later {
		m.Later[j] = p.Pos
	}
	return h, m
}

// meeting is a key's postings, in group order, and the later documents
// that meet them; as a verification job, those of every key with these
// postings.
type meeting struct {
	Postings, Later []int64
}

// pairs calls f with the candidate pairs of a meeting: the postings with
// each other (stored, in the index within its posting limit), and each
// later document with each posting.
func (m *meeting) pairs(f func(later, earlier int64, stored bool) error) error {
	for i, p := range m.Postings {
		for _, q := range m.Postings[:i] {
			if err := f(p, q, true); err != nil {
				return err
			}
		}
	}
	for _, l := range m.Later {
		for _, p := range m.Postings {
			if err := f(l, p, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// meetFn merges the meetings of every key with the same postings into
// one verification job: the postings and the later documents of all
// those keys, each once. It emits the job under its key, and the job's
// key under each of its documents, which ships that document's sketch
// to it.
type meetFn struct{ Pass string }

func (f *meetFn) ProcessElement(ctx context.Context, h uint64, next func(*meeting) bool, jobs func(uint64, meeting), members func(int64, uint64)) {
	defer timed(ctx, f.Pass+"/meetings", time.Now())
	var ms []meeting
	var m meeting
	n := 0
	for next(&m) {
		ms = append(ms, m)
		n += len(m.Postings) + len(m.Later)
	}
	groupSize(ctx, "keys by postings", n, 8*n)
	// Keys with other postings of the same hash stay apart, each set of
	// postings a job of its own.
	slices.SortFunc(ms, func(a, b meeting) int { return slices.Compare(a.Postings, b.Postings) })
	job := h
	for lo := 0; lo < len(ms); {
		hi := lo + 1
		for hi < len(ms) && slices.Equal(ms[hi].Postings, ms[lo].Postings) {
			hi++
		}
		var later []int64
		for _, m := range ms[lo:hi] {
			later = append(later, m.Later...)
		}
		slices.Sort(later)
		j := meeting{Postings: ms[lo].Postings, Later: slices.Compact(later)}
		jobs(job, j)
		for _, p := range j.Postings {
			members(p, job)
		}
		for _, l := range j.Later {
			members(l, job)
		}
		job = job*0x100000001b3 + 1 // the next set's key
		lo = hi
	}
}

// sketchOf keys a document's sketch by its position.
func sketchOf(d doc) (int64, []byte) { return d.Pos, d.Sk }

// jobSketch is a document's sketch on its way to a verification job.
type jobSketch struct {
	Pos int64
	Sk  []byte
}

// shipFn hands a document's sketch to each verification job it is in.
type shipFn struct{ Pass string }

func (f *shipFn) ProcessElement(ctx context.Context, pos int64, sketches func(*[]byte) bool, jobs func(*uint64) bool, emit func(uint64, jobSketch)) {
	defer timed(ctx, f.Pass+"/ship sketches", time.Now())
	var sk []byte
	sketches(&sk)
	var job uint64
	n := 0
	for jobs(&job) {
		emit(job, jobSketch{pos, sk})
		n++
	}
	groupSize(ctx, "jobs of a document", n+1, 8*n+len(sk))
}

// verifyFn verifies the pairs of a job, each document's sketch shipped
// once, as the grouping does: Config.Compare of the later with the
// earlier. It emits the verified pairs packed by earlier document: a list
// of later partners for each. For the connected components it also emits
// a spanning forest of the verified pairs, as links: the components are
// those of all verified pairs, but the rounds move at most one link per
// document rather than every pair, and a family of near copies verifies
// hundreds of pairs per member.
//
// A pair in several jobs is verified in each, to the same answer, and a
// family's first documents are in every job of its keys. So the jobs of
// a bundle share one verifiedPairs: the repeats of a pair are merged and
// the links span the bundle's pairs, not each job's, before anything is
// emitted (combining in the bundle, as a runner lifts a combiner). What
// it holds is bounded (bundlePartnerWords, bundleNodes); labelFn and
// hubEdgesFn merge what repeats across bundles.
type verifyFn struct {
	Config  []byte
	Pass    string
	cfg     *dedup.Config
	pending verifiedPairs
}

// bundlePartnerWords and bundleNodes bound what verifyFn keeps across the
// jobs of a bundle: partner words (8 bytes each, 128 MB, and as much
// again at most in the lists' spare room), merged in place when they
// fill it, and documents in the union-find of the links (about 40 bytes
// each in a map, 10 MB). A family of near copies repeats a pair in every
// job that verifies it, in no order, so the bound must hold the family's
// distinct pairs for the merge to work: the three families of a
// generated corpus of 10^5 documents (30% of it) give their first
// documents 35 million partner words, merged to 1.5 million by the one
// flush at the end of the direct runner's one bundle (with a bound of
// 2^20, flushing whenever it filled, 24 million). A runner of small
// bundles (Dataflow's) merges less; the hub routing bounds the groups
// that follow all the same.
const (
	bundlePartnerWords = 1 << 24
	bundleNodes        = 1 << 18
)

// verifiedPairs is what verifyFn verified in a bundle and has not emitted:
// the partner words by earlier document, and the union-find of the links
// it emitted (roots have no entry).
type verifiedPairs struct {
	partners map[int64][]uint64
	words    int
	parent   map[int64]int64
}

// find returns the root of x's tree, halving its path.
func (v *verifiedPairs) find(x int64) int64 {
	for {
		p, ok := v.parent[x]
		if !ok {
			return x
		}
		gp, ok := v.parent[p]
		if !ok {
			return p
		}
		v.parent[x] = gp
		x = gp
	}
}

// add records the verified pair (later, earlier) and reports whether it
// joins two trees, a link the components need.
func (v *verifiedPairs) add(later, earlier int64, stored bool) bool {
	if v.partners == nil {
		v.partners, v.parent = make(map[int64][]uint64), make(map[int64]int64)
	}
	v.partners[earlier] = append(v.partners[earlier], partnerWord(later, stored))
	v.words++
	x, y := v.find(later), v.find(earlier)
	if x == y {
		return false
	}
	v.parent[x] = y
	return true
}

// flush keeps the partner words while they fit in max: past it, it merges
// each list's repeats, and if more than half of max remain, it emits the
// lists in document order and forgets them; max < 0 emits them all. It
// forgets the union-find if it holds more than maxNodes documents (links
// emitted stay valid; a later one may repeat a connection, which the
// components ignore).
func (v *verifiedPairs) flush(max, maxNodes int, emit func(int64, []byte)) {
	if len(v.parent) > maxNodes {
		clear(v.parent)
	}
	if v.words <= max {
		return
	}
	v.words = 0
	for a, ws := range v.partners {
		ws = mergePartners(ws)
		v.partners[a] = ws
		v.words += len(ws)
	}
	if max >= 0 && 2*v.words <= max {
		return
	}
	for _, a := range slices.Sorted(maps.Keys(v.partners)) {
		ws := v.partners[a]
		emit(a, appendWords(make([]byte, 0, 8*len(ws)), ws))
	}
	clear(v.partners)
	v.words = 0
}

func (f *verifyFn) ProcessElement(ctx context.Context, _ uint64, jobs func(*meeting) bool, sketches func(*jobSketch) bool, emit func(int64, []byte), link func(int64, int64)) error {
	defer timed(ctx, f.Pass+"/verify", time.Now())
	if f.cfg == nil {
		cfg, err := config(f.Config)
		if err != nil {
			return err
		}
		f.cfg = &cfg
	}
	sk := make(map[int64]*dedup.Sketch)
	var js jobSketch
	size := 0
	for sketches(&js) {
		if sk[js.Pos] != nil {
			continue
		}
		s, err := decodeSketch(js.Sk)
		if err != nil {
			return err
		}
		sk[js.Pos] = &s
		size += len(js.Sk) + 8
	}
	var m meeting
	pairs := 0
	for jobs(&m) {
		err := m.pairs(func(later, earlier int64, stored bool) error {
			a, b := sk[later], sk[earlier]
			if a == nil || b == nil {
				return fmt.Errorf("verification job without the sketch of %s or %s", place(later), place(earlier))
			}
			pairs++
			if f.cfg.Compare(a, b).Duplicate && f.pending.add(later, earlier, stored) {
				link(later, earlier)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	f.pending.flush(bundlePartnerWords, bundleNodes, emit)
	groupSize(ctx, "verification jobs", len(sk)+pairs, size)
	return nil
}

// StartBundle forgets what a failed bundle left.
func (f *verifyFn) StartBundle(_ func(int64, []byte), _ func(int64, int64)) {
	f.pending = verifiedPairs{}
}

// FinishBundle emits the partner lists the bundle's jobs left.
func (f *verifyFn) FinishBundle(emit func(int64, []byte), _ func(int64, int64)) {
	f.pending.flush(-1, -1, emit)
}

// labelFn takes an exact-copy family (its representative's position, its
// documents, the root of the representative's component if it has
// verified pairs, and the lists of later partners the jobs verified for
// it) and files the documents, and the representative's edge list with
// the repeats merged, under the root; it counts the documents under the
// root's bucket of nodes (keyCountFn's packing), for splitComponents, and
// sets each document's Route to the representative's position, but for
// the representative of a huge exact key (routeEverywhere). A family
// here has at most Options.KeyGroup documents: a larger one's copies
// take another way (splitFamilies); and a representative's partners are
// at most KeyGroup: a hub's take another way too (hubPartners).
type labelFn struct {
	Pass    string
	Buckets int64
}

func (f *labelFn) ProcessElement(ctx context.Context, rep int64, docs func(*doc) bool, roots func(*int64) bool, partners func(*[]byte) bool, emitDoc func(int64, doc), emitEdges func(int64, []byte), emitSize func(int64, []byte)) {
	defer timed(ctx, f.Pass+"/label", time.Now())
	root := rep
	roots(&root)
	var d doc
	n, size := 0, 0
	for docs(&d) {
		n++
		size += len(d.Sk) + len(d.Lines) + len(d.ID)
		if d.Route != routeEverywhere {
			d.Route = rep
		}
		emitDoc(root, d)
	}
	emitSize(nodeBucket(root, f.Buckets), appendKeyCount(nil, keyCount{hash: uint64(root), n: uint64(n)}))
	var ws []uint64
	var list []byte
	for partners(&list) {
		ws = appendPartners(ws, list)
	}
	n, size = n+len(ws), size+8*len(ws) // the group holds the repeats
	if len(ws) > 0 {
		emitEdges(root, edgeList(rep, mergePartners(ws)))
	}
	groupSize(ctx, "families", n, size)
}

// componentFn groups one component of verified pairs with
// stage.ClusterSketches, which gives what it gives for the whole corpus
// (grouping reads only verified pairs), and emits its documents' results:
// in the preliminary grouping (Out nil) each document under its cluster's
// canonical, its article, and the articles of more than MaxArticle
// documents with their number of shards (see joinArticles); in the final
// one, each document's line of the result.
type componentFn struct {
	Config     []byte
	Pass       string
	Out        *shards
	MaxArticle int64
	cfg        *dedup.Config
}

func (f *componentFn) ProcessElement(ctx context.Context, _ int64, docs func(*doc) bool, edges func(*[]byte) bool, emitArticle func(int64, doc), emitLine func(int64, outLine), emitHuge func(int64, int64)) error {
	defer timed(ctx, f.Pass+"/cluster", time.Now())
	if err := loadConfig(&f.cfg, f.Config); err != nil {
		return err
	}
	m, es, err := readComponent(ctx, docs, edges)
	if err != nil {
		return err
	}
	res, err := m.cluster(*f.cfg, m.all(), es)
	if err != nil {
		return err
	}
	ds := m.ds
	if f.Out == nil {
		for i, d := range ds {
			canon := res.Clusters[res.Docs[i].ClusterIndex].Canonical
			emitArticle(ds[canon].Pos, doc{Pos: d.Pos, Lines: d.Lines})
		}
		for _, cl := range res.Clusters {
			if n := int64(len(cl.Members)); n > f.MaxArticle {
				emitHuge(ds[cl.Canonical].Pos, int64(hugeShards(uint64(n), uint64(f.MaxArticle))))
			}
		}
		return nil
	}
	lines, err := resultLines(res)
	if err != nil {
		return err
	}
	for i, line := range lines {
		emitLine(f.Out.of(ds[i].Pos), outLine{ds[i].Pos, line})
	}
	return nil
}

// loadConfig decodes b into *c on first use.
func loadConfig(c **dedup.Config, b []byte) error {
	if *c != nil {
		return nil
	}
	cfg, err := config(b)
	if err != nil {
		return err
	}
	*c = &cfg
	return nil
}

// members are the documents of a component, or of a part of one, in
// input order, with their sketches.
type members struct {
	ds    []doc
	sk    []dedup.Sketch
	index map[int64]int // position -> index
	size  int           // bytes
}

// readComponent reads the documents and edge lists of a component, or
// of a part of one, and records the group's size.
func readComponent(ctx context.Context, docs func(*doc) bool, lists func(*[]byte) bool) (*members, []edge, error) {
	m, err := readMembers(docs)
	if err != nil {
		return nil, nil, err
	}
	es, size, err := m.edges(lists)
	if err != nil {
		return nil, nil, err
	}
	groupSize(ctx, "components", len(m.ds)+len(es), m.size+size)
	return m, es, nil
}

func readMembers(docs func(*doc) bool) (*members, error) {
	m := &members{}
	var d doc
	for docs(&d) {
		m.ds = append(m.ds, d)
		m.size += len(d.Sk) + len(d.Lines) + len(d.ID)
	}
	slices.SortFunc(m.ds, func(a, b doc) int { return cmp.Compare(a.Pos, b.Pos) })
	m.sk = make([]dedup.Sketch, len(m.ds))
	m.index = make(map[int64]int, len(m.ds))
	for i, d := range m.ds {
		s, err := decodeSketch(d.Sk)
		if err != nil {
			return nil, err
		}
		m.sk[i], m.index[d.Pos] = s, i
	}
	return m, nil
}

// edge is a verified pair of members, by index.
type edge struct {
	a, b   int32
	stored bool
}

// edges reads the edge lists of m's documents; size is their bytes.
func (m *members) edges(lists func(*[]byte) bool) (es []edge, size int, err error) {
	var list []byte
	var ws []uint64
	for lists(&list) {
		if len(list) < 16 || len(list)%8 != 0 {
			return nil, 0, fmt.Errorf("edge list of %d bytes", len(list))
		}
		posA := int64(binary.LittleEndian.Uint64(list))
		a, okA := m.index[posA]
		ws = appendPartners(ws[:0], list[8:])
		for _, w := range ws {
			posB := int64(w >> 1)
			b, okB := m.index[posB]
			if !okA || !okB {
				return nil, 0, fmt.Errorf("edge %s–%s does not fit its component", place(posA), place(posB))
			}
			es = append(es, edge{int32(a), int32(b), w&1 == 1})
		}
		size += len(list)
	}
	return es, size, nil
}

// all returns the indexes of all of m's documents.
func (m *members) all() []int {
	sub := make([]int, len(m.ds))
	for i := range sub {
		sub[i] = i
	}
	return sub
}

// cluster groups the members sub (indexes, in input order) with the
// edges es between them (others are left out) with
// stage.ClusterSketches, which gives what it gives for the whole corpus
// (grouping reads only verified pairs): res.Docs[k] is sub[k]'s result.
func (m *members) cluster(cfg dedup.Config, sub []int, es []edge) (*dedup.Clustering, error) {
	local := make([]int32, len(m.ds)) // member -> 1 + its index in sub, or 0
	ids := make([]string, len(sub))
	sk := make([]dedup.Sketch, len(sub))
	for k, i := range sub {
		local[i] = int32(k + 1)
		ids[k], sk[k] = m.ds[i].ID, m.sk[i]
	}
	order := stage.GroupOrder(sk)
	at := make([]uint32, len(sk)) // document -> place in order
	for k, i := range order {
		at[i] = uint32(k)
	}
	pairs := []stage.Pair{} // not nil: these are the pairs
	for _, e := range es {
		a, b := local[e.a]-1, local[e.b]-1
		if a < 0 || b < 0 {
			continue
		}
		if at[b] <= at[a] {
			return nil, fmt.Errorf("edge %s–%s out of group order", place(m.ds[e.a].Pos), place(m.ds[e.b].Pos))
		}
		pairs = append(pairs, stage.Pair{Later: at[b], Earlier: at[a], Stored: e.stored})
	}
	return stage.ClusterSketches(cfg, ids, sk, pairs)
}
