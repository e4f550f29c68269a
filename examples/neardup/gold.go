package main

import "github.com/neardup/neardup/dedup/eval"

// goldLabels holds the -eval labels of the first reading, in input
// order, compactly: they stay alive through the whole run, its peaks
// included, where an eval.Label a document (72 bytes, and up to twice
// that while the slice doubles) took 0.7 to 1.4 GB at 10^7 documents. A
// label's id is its document's (the clustering's, in the same order),
// and its kind and language are numbers into tables that a corpus's few
// kinds and languages fill: a string header and 4 bytes a document.
type goldLabels struct {
	cluster []string
	meta    []uint32 // kind<<16 | lang<<1 | canonical_ok
	kinds   table
	langs   table
}

// table numbers the distinct strings it is given.
type table struct {
	values []string
	index  map[string]uint32
}

func (t *table) number(s string) uint32 {
	if k, ok := t.index[s]; ok {
		return k
	}
	if t.index == nil {
		t.index = make(map[string]uint32)
	}
	k := uint32(len(t.values))
	t.values = append(t.values, s)
	t.index[s] = k
	return k
}

// maxKinds caps the distinct kinds (and languages, 1<<15) a corpus's
// labels may use: ample for the dev sets' dozens.
const maxKinds = 1 << 16

func (g *goldLabels) len() int { return len(g.cluster) }

// add records a document's label; it reports false if the labels hold
// more distinct kinds or languages than they can number.
func (g *goldLabels) add(cluster string, ok bool, kind, lang string) bool {
	k, l := g.kinds.number(kind), g.langs.number(lang)
	if k >= maxKinds || l >= maxKinds/2 {
		return false
	}
	m := k<<16 | l<<1
	if ok {
		m |= 1
	}
	g.cluster = append(g.cluster, cluster)
	g.meta = append(g.meta, m)
	return true
}

// labels returns the labels with the documents' ids, in input order.
func (g *goldLabels) labels(ids func(i int) string) []eval.Label {
	out := make([]eval.Label, len(g.cluster))
	for i, c := range g.cluster {
		m := g.meta[i]
		out[i] = eval.Label{ID: ids(i), Cluster: c, CanonicalOK: m&1 == 1, Kind: g.kinds.values[m>>16], Lang: g.langs.values[m>>1&(maxKinds/2-1)]}
	}
	return out
}
