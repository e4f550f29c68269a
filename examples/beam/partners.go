package pipeline

import (
	"context"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// hubPartners takes the partner lists (verifyFn's, KV<representative,
// packed partners>) of hub representatives out of labelFn's group, and
// files them under their roots (KV<node, root>) as edge lists, as
// labelFn files the others.
//
// A representative's partners are the later documents verified against
// it, and the first documents of a family of near copies are the
// postings of its index keys: each is verified against every later
// member, a share of the corpus. So the representatives of more than
// keyGroup partners, few, are counted with a combiner (sizeCountFn, by
// bucket of representatives) and become a side input; their lists, and
// the roots of their components, are routed around labelFn. Each list
// goes to its root with its own repeats merged; the repeats of a pair
// verified in several jobs and listed apart are merged where the
// component is clustered (members.cluster).
func hubPartners(s beam.Scope, partners, roots beam.PCollection, buckets, keyGroup int64) (normal, edges beam.PCollection) {
	ss := s.Scope("hub partners")
	counts := beam.ParDo(ss, &partnerCountFn{Buckets: buckets}, partners)
	hubs := beam.ParDo(ss, &hugeFn{Max: keyGroup}, beam.CombinePerKey(ss, &sizeCountFn{}, counts))
	normal, hubLists := beam.ParDo2(ss, &routePartnersFn{}, partners, beam.SideInput{Input: hubs})
	hubRoots := beam.ParDo(ss, &hubRootsFn{}, roots, beam.SideInput{Input: hubs})
	return normal, beam.ParDo(ss, &hubEdgesFn{}, hubLists, beam.SideInput{Input: hubRoots})
}

// partnerCountFn counts a partner list under its representative's bucket
// of nodes (keyCountFn's packing).
type partnerCountFn struct{ Buckets int64 }

func (f *partnerCountFn) ProcessElement(rep int64, list []byte, emit func(int64, []byte)) {
	emit(nodeBucket(rep, f.Buckets), appendKeyCount(nil, keyCount{hash: uint64(rep), n: uint64(len(list) / 8)}))
}

// hubSet reads the hub representatives (hugeFn's output, a side input)
// into *t on first use, and reports whether rep is one.
func hubSet(t *map[int64]uint64, iter func(*[]byte) bool, rep int64) bool {
	countTable(t, iter, 1)
	_, ok := (*t)[rep]
	return ok
}

// routePartnersFn passes a partner list on to labelFn, unless its
// representative is a hub (the side input).
type routePartnersFn struct{ hubs map[int64]uint64 }

func (f *routePartnersFn) ProcessElement(ctx context.Context, rep int64, list []byte, iter func(*[]byte) bool, normal func(int64, []byte), hub func(int64, []byte)) {
	if !hubSet(&f.hubs, iter, rep) {
		normal(rep, list)
		return
	}
	beam.NewCounter("neardup.split", "partners of hub representatives").Inc(ctx, int64(len(list)/8))
	hub(rep, list)
}

// hubRootsFn keeps the roots of the hub representatives (the side input).
type hubRootsFn struct{ hubs map[int64]uint64 }

func (f *hubRootsFn) ProcessElement(node, root int64, iter func(*[]byte) bool, emit func(int64, int64)) {
	if hubSet(&f.hubs, iter, node) {
		emit(node, root)
	}
}

// hubEdgesFn files a hub's partner list under its root (the side input) as
// an edge list, its repeats merged.
type hubEdgesFn struct{ roots map[int64]int64 }

func (f *hubEdgesFn) ProcessElement(rep int64, list []byte, iter func(*int64, *int64) bool, emit func(int64, []byte)) {
	root, ok := sideValue(&f.roots, iter, rep)
	if !ok {
		root = rep // a document with partners has a root; this is not reached
	}
	emit(root, edgeList(rep, mergePartners(appendPartners(nil, list))))
}
