package pipeline

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// A family of exact copies (a site's error page, a wire story reprinted
// unchanged by every outlet) has a fixed share of any corpus. Grouped
// whole by its content to pick its representative (exactFn), and again
// under the representative to find its component (labelFn), it would
// make the largest group of those steps grow with the corpus. An exact
// key with more than Options.KeyGroup documents, as an index key, takes
// another way (splitFamilies):
//
//   - exactKeyFn counts each exact key's documents by bucket (sizeCountFn,
//     a combiner); the keys over the limit, few, are a side input;
//   - routeFamilyFn takes their documents out of the grouping by content,
//     and firstFn combines each such key's first document in group order
//     (its position and contentHash), as exactFn would pick it;
//   - familyFn, with the firsts as a side input, makes each document of a
//     huge key what exactFn would make it: a copy of the first when their
//     contents are equal (their exact key and contentHash, as pairsFn
//     tells contents apart), the representative of itself otherwise. The
//     representatives go on to labelFn, the first marked routeEverywhere
//     (see giant.go); the copies do not;
//   - copyFn files each copy under the component of its representative
//     (repRootsFn gives the representatives' roots as a side input) and
//     counts it in the component's size, as labelFn does for the
//     representative, with Route routeOwn.
//
// Every document takes the representative and the component it takes
// through exactFn and labelFn (where exactFn compares contents byte for
// byte, two different contents of one exact key would also need one
// contentHash to be taken for one). Only a split component (giant.go)
// can tell the ways apart: the copies of a huge key are spread over its
// parts by their own positions, and the first is an anchor in every part,
// where the copies of a smaller family follow their representative into
// its part.

// familySize is the size of a packed firstFn candidate: its rank
// (math.MaxUint32 - shingles, group order), position and contentHash.
const familySize = 24

// firstFn keeps, of the documents of an exact key, the first in group
// order. The first of a set is the first of its parts' firsts.
type firstFn struct{}

func (f *firstFn) CreateAccumulator() []byte { return nil }

func (f *firstFn) AddInput(acc, c []byte) []byte {
	if len(acc) < familySize || compareFirst(c, acc) < 0 {
		return append(acc[:0], c[:familySize]...)
	}
	return acc
}

func (f *firstFn) MergeAccumulators(a, b []byte) []byte {
	if len(a) < familySize || len(b) >= familySize && compareFirst(b, a) < 0 {
		return b // an empty accumulator holds no candidate
	}
	return a
}

func (f *firstFn) ExtractOutput(acc []byte) []byte { return acc }

func compareFirst(a, b []byte) int {
	return cmp.Or(cmp.Compare(binary.LittleEndian.Uint64(a), binary.LittleEndian.Uint64(b)),
		cmp.Compare(binary.LittleEndian.Uint64(a[8:]), binary.LittleEndian.Uint64(b[8:])))
}

// routeFamilyFn takes the documents of huge exact keys (the side input)
// out of the grouping by content, each with its candidacy to be the
// key's first.
type routeFamilyFn struct{ huge map[int64]uint64 }

func (f *routeFamilyFn) ProcessElement(key uint64, d doc, huge func(*[]byte) bool, normal func(uint64, doc), split func(uint64, doc), candidate func(uint64, []byte)) error {
	countTable(&f.huge, huge, 1)
	if _, ok := f.huge[int64(key)]; !ok {
		normal(key, d)
		return nil
	}
	shingles, err := shinglesOf(d)
	if err != nil {
		return err
	}
	split(key, d)
	c := make([]byte, 0, familySize)
	c = binary.LittleEndian.AppendUint64(c, math.MaxUint32-uint64(shingles))
	c = binary.LittleEndian.AppendUint64(c, uint64(d.Pos))
	candidate(key, binary.LittleEndian.AppendUint64(c, contentHash(d.Sk)))
	return nil
}

// firsts are the first documents of the huge exact keys in group order
// (firstFn's output, a side input): by key, their position and
// contentHash; and the set of their positions.
type firsts struct {
	byKey map[uint64]first
	isRep map[int64]bool
}

type first struct {
	pos     int64
	content uint64
}

// read reads the side input, on first use.
func (t *firsts) read(iter func(*uint64, *[]byte) bool) {
	if t.byKey != nil {
		return
	}
	t.byKey, t.isRep = make(map[uint64]first), make(map[int64]bool)
	var key uint64
	var b []byte
	for iter(&key, &b) {
		pos := int64(binary.LittleEndian.Uint64(b[8:]))
		t.byKey[key] = first{pos, binary.LittleEndian.Uint64(b[16:])}
		t.isRep[pos] = true
	}
}

// familyFn makes each document of a huge exact key the copy of the key's
// first (the side input), or the representative of itself, as exactFn
// does; it emits the representatives under themselves and on their own,
// and the copies under their representative.
type familyFn struct{ firsts firsts }

func (f *familyFn) ProcessElement(ctx context.Context, key uint64, d doc, iter func(*uint64, *[]byte) bool, byRep func(int64, doc), reps func(doc), copies func(int64, doc)) {
	f.firsts.read(iter)
	fst := f.firsts.byKey[key]
	switch {
	case d.Pos == fst.pos:
		d.Route = routeEverywhere
	case contentHash(d.Sk) == fst.content:
		beam.NewCounter("neardup.split", "copies of huge exact keys").Inc(ctx, 1)
		copies(fst.pos, d)
		return
	}
	byRep(d.Pos, d)
	reps(d)
}

// repRootsFn keeps the roots of the first documents of huge exact keys
// (the side input).
type repRootsFn struct{ firsts firsts }

func (f *repRootsFn) ProcessElement(node, root int64, iter func(*uint64, *[]byte) bool, emit func(int64, int64)) {
	f.firsts.read(iter)
	if f.firsts.isRep[node] {
		emit(node, root)
	}
}

// copyFn files a copy of a huge exact key (its representative's position,
// the document) under its representative's root (the side input; the
// representative itself without one), with Route routeOwn, and counts it
// under the root's bucket, as labelFn files and counts a family.
type copyFn struct {
	Buckets int64
	roots   map[int64]int64
}

func (f *copyFn) ProcessElement(rep int64, d doc, iter func(*int64, *int64) bool, emitDoc func(int64, doc), emitSize func(int64, []byte)) {
	root, ok := sideValue(&f.roots, iter, rep)
	if !ok {
		root = rep
	}
	d.Route = routeOwn
	emitDoc(root, d)
	emitSize(nodeBucket(root, f.Buckets), appendKeyCount(nil, keyCount{hash: uint64(root), n: 1}))
}

// families is what splitFamilies returns: what exactFn gives for every
// exact key, but the copies of the huge ones, which labelCopies files
// once the components are known.
type families struct {
	byRep, reps, copies, firsts beam.PCollection
}

// splitFamilies finds the representative of every document of keyed
// (KV<exact key, doc>), with counts (exactKeyFn's), taking the keys of
// more than maxDocs documents another way (see the comment above
// firstFn).
func splitFamilies(s beam.Scope, keyed, counts beam.PCollection, maxDocs int64, pass string) families {
	ss := s.Scope("huge families")
	huge := beam.ParDo(ss, &hugeFn{Max: maxDocs}, beam.CombinePerKey(ss, &sizeCountFn{}, counts))
	normal, split, candidates := beam.ParDo3(ss, &routeFamilyFn{}, keyed, beam.SideInput{Input: huge})
	byRep, reps := beam.ParDo2(s, &exactFn{Pass: pass}, beam.GroupByKey(s, normal))
	fsts := beam.CombinePerKey(ss, &firstFn{}, candidates)
	byRep2, reps2, copies := beam.ParDo3(ss, &familyFn{}, split, beam.SideInput{Input: fsts})
	return families{beam.Flatten(s, byRep, byRep2), beam.Flatten(s, reps, reps2), copies, fsts}
}

// labelCopies files the copies of huge exact keys under their components
// (roots, KV<node, root>) and counts them, as labelFn does the others.
func (fam families) labelCopies(s beam.Scope, roots beam.PCollection, buckets int64) (docsByRoot, sizes beam.PCollection) {
	ss := s.Scope("huge families")
	repRoots := beam.ParDo(ss, &repRootsFn{}, roots, beam.SideInput{Input: fam.firsts})
	return beam.ParDo2(ss, &copyFn{Buckets: buckets}, fam.copies, beam.SideInput{Input: repRoots})
}
