package pipeline

import (
	"context"
	"encoding/binary"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// hubPartners takes the partner lists (verifyFn's, KV<representative,
// packed partners>) of hub representatives out of labelFn's group, and
// files them under their roots (KV<node, root>) as edge lists, their
// repeats merged, as labelFn files the others.
//
// A representative's partners are the later documents verified against
// it, and the first documents of a family of near copies are the
// postings of its index keys: each is verified against every later
// member, a share of the corpus, and once in each job that holds the
// pair: at 10^5 with families, 35 million partner words for a largest
// component of 577 thousand documents and pairs. verifyFn merges the
// repeats of a bundle's jobs (to 1.5 million words on the direct
// runner), but a runner of small bundles leaves most. So each
// representative's words are counted with a combiner (sizeCountFn, by
// bucket of representatives), and those of more than keyGroup words,
// few, become a side input. Their words are spread by partner over
// hugeShards(words, keyGroup) shards (posShard), so that the repeats of
// a pair meet in one; hubEdgesFn merges each shard's and files them
// under the root (hubRootsFn keeps the hubs' roots for a side input).
func hubPartners(s beam.Scope, partners, roots beam.PCollection, buckets, keyGroup int64) (normal, edges beam.PCollection) {
	ss := s.Scope("hub partners")
	counts := beam.ParDo(ss, &partnerCountFn{Buckets: buckets}, partners)
	hubs := beam.ParDo(ss, &hugeFn{Max: keyGroup}, beam.CombinePerKey(ss, &sizeCountFn{}, counts))
	normal, byShard := beam.ParDo2(ss, &routePartnersFn{Per: keyGroup}, partners, beam.SideInput{Input: hubs})
	hubRoots := beam.ParDo(ss, &hubRootsFn{}, roots, beam.SideInput{Input: hubs})
	return normal, beam.ParDo(ss, &hubEdgesFn{}, beam.GroupByKey(ss, byShard), beam.SideInput{Input: hubRoots})
}

// partnerCountFn counts a partner list's words under its
// representative's bucket of nodes (keyCountFn's packing).
type partnerCountFn struct{ Buckets int64 }

func (f *partnerCountFn) ProcessElement(rep int64, list []byte, emit func(int64, []byte)) {
	emit(nodeBucket(rep, f.Buckets), appendKeyCount(nil, keyCount{hash: uint64(rep), n: uint64(len(list) / 8)}))
}

// routePartnersFn passes a partner list on to labelFn, unless its
// representative is a hub (the side input): it then files the list's
// words by shard of the partner, under posShard(representative, shard).
type routePartnersFn struct {
	Per  int64
	hubs map[int64]uint64 // hub -> shards
}

func (f *routePartnersFn) ProcessElement(ctx context.Context, rep int64, list []byte, iter func(*[]byte) bool, normal func(int64, []byte), byShard func(string, []byte)) {
	countTable(&f.hubs, iter, f.Per)
	shards, ok := f.hubs[rep]
	if !ok {
		normal(rep, list)
		return
	}
	beam.NewCounter("neardup.split", "partners of hub representatives").Inc(ctx, int64(len(list)/8))
	parts := make(map[uint64][]byte)
	for b := list; len(b) >= 8; b = b[8:] {
		shard := partOf(int64(binary.LittleEndian.Uint64(b)>>1), shards)
		parts[shard] = append(parts[shard], b[:8]...)
	}
	for shard, words := range parts {
		byShard(posShard(rep, shard), words)
	}
}

// hubRootsFn keeps the roots of the hub representatives (the side input).
type hubRootsFn struct{ hubs map[int64]uint64 }

func (f *hubRootsFn) ProcessElement(node, root int64, iter func(*[]byte) bool, emit func(int64, int64)) {
	countTable(&f.hubs, iter, 1)
	if _, ok := f.hubs[node]; ok {
		emit(node, root)
	}
}

// hubEdgesFn merges the repeats of a shard of a hub's partners and files
// them under the hub's root (the side input) as an edge list.
type hubEdgesFn struct{ roots map[int64]int64 }

func (f *hubEdgesFn) ProcessElement(ctx context.Context, key string, lists func(*[]byte) bool, iter func(*int64, *int64) bool, emit func(int64, []byte)) {
	rep, _ := shardOf(key)
	var ws []uint64
	var list []byte
	for lists(&list) {
		ws = appendPartners(ws, list)
	}
	groupSize(ctx, "hub partners", len(ws), 8*len(ws))
	root, ok := sideValue(&f.roots, iter, rep)
	if !ok {
		root = rep // a document with partners has a root; this is not reached
	}
	emit(root, edgeList(rep, mergePartners(ws)))
}
