package dedup

import (
	"encoding/binary"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// pair packs a candidate pair: the later position, the earlier one, and
// whether the later one is stored under the key they share (it is among
// the first postings of that key).
func pair(later, earlier uint32, stored bool) uint64 {
	v := uint64(later)<<33 | uint64(earlier)<<1
	if stored {
		v |= 1
	}
	return v
}

// candidatePairs returns the candidate pairs of sk taken in order, packed
// by pair and sorted. Like verifyPairs, it uses GOMAXPROCS goroutines;
// the result does not depend on their number.
// Exact copies (rep[i] != i) take no part. With SpillDir, the run keys
// pass through a temporary file (see runFile), whose first error it
// returns.
func (c Config) candidatePairs(sk []Sketch, order []int, rep []int32) ([]uint64, error) {
	p := c.lshBanding()
	workers := runtime.GOMAXPROCS(0)
	pos := make([]uint32, len(sk)) // input index -> position in order
	for k, i := range order {
		pos[i] = uint32(k)
	}
	var rf *runFile
	if c.SpillDir != "" {
		var err error
		if rf, err = newRunFile(c.SpillDir); err != nil {
			return nil, err
		}
	}
	runs := runKeys(sk, pos, rep, workers, rf)
	// Candidate pairs, key family by key family: the run keys in
	// runParts parts by value, then the bands and the lead.
	tasks := make(chan int, runParts+p.Bands+1)
	for t := range runParts + p.Bands + 1 {
		tasks <- t
	}
	close(tasks)
	found := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// One pair of buffers serves both kinds of entries.
			var ents, tmp []uint64
			var seen, again []uint64 // for repeatedKeys
			var raw []byte           // run keys read from rf
			var counts []int32
			var out, meets []uint64
			var sets postingSets
			met := make([]uint64, len(sk))
			compacted, compactedMeets := 0, 0
			for t := range tasks {
				b := p.Bands + 1 // the run keys
				if t >= runParts {
					b = t - runParts
				}
				limit, open := p.Postings(b)
				if b == p.Bands+1 {
					// Run keys, packed as key<<32 | position: sorted as
					// numbers, they are in key order, then position order.
					n := 0
					for w := range runs {
						n += runs[w][t].len()
					}
					ents = slices.Grow(ents[:0], n)
					for w := range runs {
						ents, raw = runs[w][t].appendTo(ents, rf, raw)
						runs[w][t] = runPart{}
					}
					ents, seen, again = repeatedKeys(ents, seen, again)
					ents, tmp, counts = sortPacked(ents, tmp, counts)
					out, meets = appendPairs(out, meets, ents, limit, open, met, &sets)
				} else {
					// In input order, the order the signatures lie in
					// memory: a band reads a few bytes of each of them.
					ents = ents[:0]
					for i := range sk {
						if s := &sk[i]; s.shingles > 0 && b <= lastBand(p, s.lead) && int(rep[i]) == i {
							ents = append(ents, entry(tableKey(p, s.sig, s.lead, b), pos[i]))
						}
					}
					ents, seen, again = repeatedKeys(ents, seen, again)
					ents, tmp, counts = sortPacked(ents, tmp, counts)
					out, meets = appendPairs(out, meets, ents, limit, open, met, &sets)
				}
				// Keep the buffer small: pairs repeat across bands. What
				// a compaction leaves is sorted and distinct; the next
				// waits until as much again has come.
				if len(out) > max(1<<22, 2*compacted) {
					out = compactPairs(out)
					compacted = len(out)
				}
				if len(meets) > max(1<<22, 2*compactedMeets) {
					meets = compactMeetings(meets)
					compactedMeets = len(meets)
				}
			}
			found[w] = compactPairs(out)
			if len(meets) > 0 {
				clear(met) // now the stamps of sets.appendPairs
				found[w] = mergePairs([][]uint64{found[w], sets.appendPairs(nil, compactMeetings(meets), met)})
			}
		})
	}
	wg.Wait()
	if err := rf.close(); err != nil {
		return nil, err
	}
	return mergePairs(found), nil
}

// mergePairs merges lists of pairs, each sorted and without repeats, into
// one, merging repeats as compactPairs does. The result takes as much
// memory again as the lists; sorting their concatenation took twice as
// much (the concatenation and the radix sort's buffer), at the end of
// the candidate stage, which is the peak of a run that spills.
func mergePairs(lists [][]uint64) []uint64 {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]uint64, 0, n)
	for {
		k := -1
		for j, l := range lists {
			if len(l) > 0 && (k < 0 || l[0]>>1 < lists[k][0]>>1) {
				k = j
			}
		}
		if k < 0 {
			return slices.Clip(out)
		}
		x := lists[k][0]
		lists[k] = lists[k][1:]
		if last := len(out) - 1; last >= 0 && out[last]>>1 == x>>1 {
			out[last] |= x & 1
		} else {
			out = append(out, x)
		}
	}
}

// appendPairs appends to out the candidate pairs of entries sorted by
// key, then position: the first limit documents of a key are its
// postings; each later one meets those before it if the key is open.
//
// met records, by position, the postings a document last met beyond the
// first limit of a key (a hash of their positions): documents that share
// every band, copies of one text that differ only in a number (the pages
// of a listing, a template's days), meet the same postings under all of
// them, and their pairs are appended once instead of once a band.
//
// A later document's meeting with a key's postings is appended to meets
// as the document and the postings' set in sets (see postingSets), 8
// bytes where its pairs took 8 a posting; sets.appendPairs makes the
// pairs. With sets nil, the pairs are appended to out.
func appendPairs(out, meets, ents []uint64, limit int, open bool, met []uint64, sets *postingSets) (_, _ []uint64) {
	for lo := 0; lo < len(ents); {
		hi := lo + 1
		for hi < len(ents) && ents[hi]>>32 == ents[lo]>>32 {
			hi++
		}
		end := hi
		if !open {
			end = min(hi, lo+limit)
		}
		postings := uint64(0)
		set, interned := uint32(0), false
		if end > lo+limit {
			postings = 0x9e3779b97f4a7c15
			for _, e := range ents[lo : lo+limit] {
				postings = mix(postings ^ uint64(uint32(e)))
			}
			if sets != nil {
				set, interned = sets.intern(postings, ents[lo:lo+limit])
			}
		}
		for k := lo + 1; k < end; k++ {
			later := uint32(ents[k])
			if k >= lo+limit {
				if met[later] == postings {
					continue // the same postings, under an earlier key
				}
				met[later] = postings
				if interned {
					meets = append(meets, uint64(later)<<32|uint64(set))
					continue
				}
			}
			for j := lo; j < min(k, lo+limit); j++ {
				out = append(out, pair(later, uint32(ents[j]), k < lo+limit))
			}
		}
		lo = hi
	}
	return out, meets
}

// postingSets holds the postings of the keys that later documents meet,
// each distinct set once. In a family of near copies (syndicated
// articles, a template's pages), each member meets the first copies
// under most of its 43 band and lead keys, under sets that differ by a
// member or two from key to key, so that met cannot tell them apart:
// pairs appended per key came to about 64 a key and member, most of them
// repeats, and sorting them away took a third of the grouping's time on
// a corpus with families of 10^5 members. A meeting is 8 bytes instead;
// appendPairs makes each member's pairs once, from the union of the sets
// it met. The zero value is an empty table.
type postingSets struct {
	ids   map[uint64]uint32 // hash of the postings -> set
	start []uint32          // set s is pos[start[s]:start[s+1]]
	pos   []uint32
}

// intern returns the set of the postings ents (entries, in order) whose
// hash is h, adding it if new. It reports false, leaving the postings'
// pairs to be appended one by one, when another set has the same hash
// or the table is full (2^32 sets or positions).
func (t *postingSets) intern(h uint64, ents []uint64) (uint32, bool) {
	if id, ok := t.ids[h]; ok {
		p := t.pos[t.start[id]:t.start[id+1]]
		if len(p) != len(ents) {
			return 0, false
		}
		for k, e := range ents {
			if p[k] != uint32(e) {
				return 0, false
			}
		}
		return id, true
	}
	if t.ids == nil {
		t.ids, t.start = make(map[uint64]uint32), []uint32{0}
	}
	if len(t.start) > math.MaxUint32 || len(t.pos)+len(ents) > math.MaxUint32 {
		return 0, false
	}
	id := uint32(len(t.start) - 1)
	for _, e := range ents {
		t.pos = append(t.pos, uint32(e))
	}
	t.start = append(t.start, uint32(len(t.pos)))
	t.ids[h] = id
	return id, true
}

// appendPairs appends to out the pairs of meetings, sorted and distinct
// (compactMeetings), as appendPairs would have made them: each later
// document with every posting of the sets it met, once, earlier
// positions ascending, not stored. The pairs come out sorted and
// distinct. stamp, as long as the corpus and zero, marks the postings
// already taken for a document; it is left dirty.
func (t *postingSets) appendPairs(out, meets []uint64, stamp []uint64) []uint64 {
	var earlier []uint32
	for lo := 0; lo < len(meets); {
		later := meets[lo] >> 32
		earlier = earlier[:0]
		hi := lo
		for ; hi < len(meets) && meets[hi]>>32 == later; hi++ {
			id := uint32(meets[hi])
			for _, e := range t.pos[t.start[id]:t.start[id+1]] {
				if stamp[e] != later+1 {
					stamp[e] = later + 1
					earlier = append(earlier, e)
				}
			}
		}
		slices.Sort(earlier)
		for _, e := range earlier {
			out = append(out, pair(uint32(later), e, false))
		}
		lo = hi
	}
	return out
}

// compactMeetings sorts meetings and drops repeats.
func compactMeetings(v []uint64) []uint64 {
	if len(v) == 0 {
		return v
	}
	v = sortUint64(v)
	return slices.Clip(slices.Compact(v))
}

// entry packs a key's high 32 bits above a document's position: the
// form in which candidatePairs sorts every key, band, lead or run, in 8
// bytes where a whole key and a position took 16, so that one pair of
// buffers serves them all. Keys that agree in their high 32 bits meet:
// by chance, about n²/2^33 pairs of documents a band in a corpus of n
// (116 at 10^6 documents; at 10^7, 2% more candidates), each one more
// candidate that verification rejects. Where a key carried by more than
// its postings limit meets another, the merged postings can leave a pair
// of the other key unmet under that band; copies share other bands.
// engine.GroupingKey files keys the same way, so that an engine pairs
// what the batch grouping pairs.
func entry(key uint64, pos uint32) uint64 { return engine.GroupingHash(key) | uint64(pos) }

// runParts is the number of parts in which candidatePairs sorts the run
// keys, by value (see engine.RunParts).
const runParts = engine.RunParts

// runKeys computes the run keys of sk with the documents' positions pos,
// on workers goroutines, each taking a share of the documents, and files
// them by worker and part (key modulo runParts) as entries, in rf as
// well when it is not nil: a corpus
// holds several times more run keys than documents. Each part is a list
// of blocks, filled one after the other, which take what the keys need:
// how many keys a share has is known only once they are made, and room
// reserved for an estimate (as many as a share's chunks could give: 143
// MB at 10^6 generated documents, for 100 MB of keys) was memory the
// runtime had to find, at the start of the run's peak.
func runKeys(sk []Sketch, pos []uint32, rep []int32, workers int, rf *runFile) [][runParts]runPart {
	out := make([][runParts]runPart, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			from, to := w*len(sk)/workers, (w+1)*len(sk)/workers
			var keys []uint64
			var buf chunkBuf
			var raw []byte
			for i := from; i < to; i++ {
				if sk[i].shingles > 0 && int(rep[i]) == i {
					keys = appendRunKeys(keys[:0], sk[i].chunksIn(&buf), 0, 1)
					for _, k := range keys {
						part := &out[w][k%runParts]
						if n := len(part.blocks); n == 0 {
							part.blocks = append(part.blocks, make([]uint64, 0, firstRunBlock))
						} else if last := part.blocks[n-1]; rf != nil && len(last) >= runSpillBlock {
							raw = rf.put(part, last, raw)
							part.blocks[n-1] = last[:0]
						} else if len(last) == cap(last) {
							part.blocks = append(part.blocks, make([]uint64, 0, min(2*cap(last), runBlock)))
						}
						blk := &part.blocks[len(part.blocks)-1]
						*blk = append(*blk, entry(k, pos[i]))
					}
				}
			}
		})
	}
	wg.Wait()
	return out
}

// runSpillBlock is the most keys a block of a part holds before a
// runFile takes them: runBlock, 512 KB a write. A variable for tests.
var runSpillBlock = runBlock

// runPart holds a worker's run keys of one part: in blocks, and with a
// runFile in segments of it too, the blocks then being the keys made
// since the last segment.
type runPart struct {
	blocks [][]uint64
	segs   []runSegment
}

// len returns the number of keys.
func (p *runPart) len() int {
	n := 0
	for _, b := range p.blocks {
		n += len(b)
	}
	for _, s := range p.segs {
		n += s.n
	}
	return n
}

// appendTo appends the keys to dst, reading the segments from rf.
func (p *runPart) appendTo(dst []uint64, rf *runFile, raw []byte) ([]uint64, []byte) {
	for _, s := range p.segs {
		raw = slices.Grow(raw[:0], 8*s.n)[:8*s.n]
		if _, err := rf.f.ReadAt(raw, s.off); err != nil {
			rf.fail(err)
			return dst, raw
		}
		for k := range s.n {
			dst = append(dst, binary.LittleEndian.Uint64(raw[8*k:]))
		}
	}
	for _, b := range p.blocks {
		dst = append(dst, b...)
	}
	return dst, raw
}

// runSegment is a block of run keys in a runFile: n keys at byte off.
type runSegment struct {
	off int64
	n   int
}

// runFile holds the full blocks of run keys in a temporary file while
// they are made, with Config.SpillDir: a corpus has several times more
// run keys than documents (about 1 GB at 10^7 generated documents), made
// all at once and then sorted part by part, so that only the part being
// sorted need be in memory. This is the external bucketing of a sort:
// the parts are the buckets.
type runFile struct {
	f     *os.File
	named bool
	mu    sync.Mutex // guards end
	end   int64
	firstError
}

func newRunFile(dir string) (*runFile, error) {
	f, named, err := createTemp(dir, "neardup-runs-*")
	if err != nil {
		return nil, err
	}
	return &runFile{f: f, named: named}, nil
}

// put writes a block of keys of part, using raw as scratch, and returns
// the scratch.
func (rf *runFile) put(part *runPart, keys []uint64, raw []byte) []byte {
	raw = raw[:0]
	for _, k := range keys {
		raw = binary.LittleEndian.AppendUint64(raw, k)
	}
	rf.mu.Lock()
	off := rf.end
	rf.end += int64(len(raw))
	rf.mu.Unlock()
	if _, err := rf.f.WriteAt(raw, off); err != nil {
		rf.fail(err)
	}
	part.segs = append(part.segs, runSegment{off, len(keys)})
	return raw
}

// close removes the file and returns its first error.
func (rf *runFile) close() error {
	if rf == nil {
		return nil
	}
	removeTemp(rf.f, rf.named)
	return rf.first()
}

// A part's blocks of run keys double from firstRunBlock entries (2 KB)
// to runBlock (512 KB): a small corpus takes little, a large one is held
// in few blocks.
const (
	firstRunBlock = 1 << 8
	runBlock      = 1 << 16
)

// repeatedKeys keeps, in place, the entries whose key may occur in
// another entry too (see repeatSets), and returns them with the sets seen
// and again (grown as needed): a key that one document alone has makes no
// pair (see appendPairs), and most band keys of a corpus are such, so
// dropping them first leaves a fraction of the entries to sort. The sets
// (2 MB at 10^6 entries) stay in the processor's caches where the sort's
// buckets (8 MB) did not.
func repeatedKeys(ents, seen, again []uint64) (kept, _, _ []uint64) {
	seen, again, shift := repeatSets(len(ents), seen, again)
	for _, e := range ents {
		addRepeat(seen, again, e>>shift)
	}
	n := 0
	for _, e := range ents {
		b := e >> shift
		ents[n] = e
		n += int(again[b/64] >> (b % 64) & 1)
	}
	return ents[:n], seen, again
}

// repeatSets returns two cleared bit sets for telling which of n uniform
// hashes may occur more than once, reusing seen and again when they are
// large enough, and the shift that takes a hash to its bit: its top bits,
// eight bits a hash. addRepeat sets a hash's bit in seen, and in again if
// it was set already; a hash whose bit is clear in again occurs once.
// About one in eight of the others shares its bit with another hash, which
// costs the users (recurring lines, repeated keys) time or memory, never
// an answer.
func repeatSets(n int, seen, again []uint64) (_, _ []uint64, shift uint) {
	logBits := 6
	for 1<<logBits < 8*n {
		logBits++
	}
	words := 1 << logBits / 64
	if cap(seen) < words || cap(again) < words {
		seen, again = make([]uint64, words), make([]uint64, words)
	} else {
		seen, again = seen[:words], again[:words]
		clear(seen)
		clear(again)
	}
	return seen, again, uint(64 - logBits)
}

// addRepeat records bit b (a hash shifted by repeatSets' shift).
func addRepeat(seen, again []uint64, b uint64) {
	m := uint64(1) << (b % 64)
	again[b/64] |= seen[b/64] & m
	seen[b/64] |= m
}

// buckets returns how the bucket sort below splits entries of uniform
// 64-bit keys: by the top 64-shift bits of the key, into n buckets of
// about four entries each (at most 2^24 buckets).
func buckets(entries int) (shift, n int) {
	bits := 1
	for bits < 24 && 4<<bits < entries {
		bits++
	}
	return 64 - bits, 1 << bits
}

// sortPacked sorts v, entries whose high bits are a uniform hash, in
// linear time: a counting pass on their top bits scatters v into
// buckets of about four entries, which insertion sort finishes (pdqsort a
// bucket that a repeated key fills). It uses and returns the buffers tmp
// and counts; the sorted entries are the first slice returned.
func sortPacked(v, tmp []uint64, counts []int32) (sorted, spare []uint64, cnt []int32) {
	shift, n := buckets(len(v))
	if cap(counts) < n+1 {
		counts = make([]int32, n+1)
	}
	counts = counts[:n+1]
	clear(counts)
	for _, e := range v {
		counts[e>>shift+1]++
	}
	for i := range n {
		counts[i+1] += counts[i]
	}
	if cap(tmp) < len(v) {
		tmp = make([]uint64, len(v))
	}
	tmp = tmp[:len(v)]
	fill := counts[:n]
	for _, e := range v {
		b := e >> shift
		tmp[fill[b]] = e
		fill[b]++
	}
	lo := int32(0)
	for b := range n {
		hi := fill[b]
		if bucket := tmp[lo:hi]; len(bucket) > 16 {
			slices.Sort(bucket)
		} else {
			for i := 1; i < len(bucket); i++ {
				for j := i; j > 0 && bucket[j-1] > bucket[j]; j-- {
					bucket[j-1], bucket[j] = bucket[j], bucket[j-1]
				}
			}
		}
		lo = hi
	}
	return tmp, v, counts
}

// compactPairs sorts pairs and merges repeats of a pair, keeping its
// stored bit if any repeat has it.
func compactPairs(v []uint64) []uint64 {
	v = sortUint64(v)
	out := v[:0]
	for _, x := range v {
		if k := len(out) - 1; k >= 0 && out[k]>>1 == x>>1 {
			out[k] |= x & 1
			continue
		}
		out = append(out, x)
	}
	return slices.Clip(out)
}

// sortUint64 sorts v, in place or into a buffer of its size that it
// returns: pdqsort for small slices, a radix sort for large ones, which
// takes linear time whatever the order (pdqsort slowed on the pairs of a
// corpus of near-identical documents, many runs of sorted pairs) and
// skips the 16-bit digits that all values share (pairs pack positions far
// smaller than their fields).
func sortUint64(v []uint64) []uint64 {
	if len(v) < 1<<12 {
		slices.Sort(v)
		return v
	}
	tmp := make([]uint64, len(v))
	var counts [1 << 16]int
	for shift := 0; shift < 64; shift += 16 {
		clear(counts[:])
		for _, x := range v {
			counts[x>>shift&0xffff]++
		}
		if counts[v[0]>>shift&0xffff] == len(v) {
			continue // every value has this digit
		}
		sum := 0
		for d, c := range counts {
			counts[d] = sum
			sum += c
		}
		for _, x := range v {
			d := x >> shift & 0xffff
			tmp[counts[d]] = x
			counts[d]++
		}
		v, tmp = tmp, v
	}
	return v
}
