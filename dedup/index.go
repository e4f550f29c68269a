package dedup

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"unsafe"

	"github.com/neardup/neardup/dedup/internal/engine"
)

// [2]float64{threshold, hashes} -> banding

// Found is an indexed document that matched a query.
type Found struct {
	// ID is the id it was added with; Seq its position in the index's
	// insertion order (0 from an index that keeps no order).
	ID  string
	Seq uint32
	Match
}

// Index is an in-memory LSH index of sketches for streaming use: each new
// document is checked against everything added before it. Candidates from
// the bands, the lead and the run keys are verified with Config.Compare
// before they are reported. An Index is safe for concurrent use; Add is
// atomic, so two copies added concurrently never both miss each other.
// Its zero value is not usable: call NewIndex.
//
// Memory: an Index keeps per document what verification needs, the
// compact signature (2 bytes per hash), the shingle count, the lead and
// the number sample, plus its id; the bands are one open-addressing table
// of 4-byte document numbers, one entry per band and lead, at a load
// factor between 1/2 and 3/4. Band keys are not stored: a probe recomputes
// the key of the document it meets from its signature: about 1 KB a
// news article in all.
type Index struct {
	cfg  Config
	p    banding
	mu   sync.RWMutex
	ids  []string
	sigs []uint16          // len(ids) × hashes codes
	meta []docMeta         // per document
	nums []numberInContext // number samples, by docMeta.numOff
	chks []chunk           // chunks, by docMeta.chunkOff
	tab  []uint32          // open addressing: 0 empty, else seq+1
	used int               // entries in tab
	runs []uint64          // run keys, open addressing: 0 empty, else runEntry
	nrun int               // entries in runs
}

// docMeta is what Compare needs of a document besides its signature.
type docMeta struct {
	lead     uint64
	shingles uint32
	numOff   uint32
	contexts uint32
	chunkOff uint32
	headline uint32
	// numLen is the length of the number sample: at most
	// numberSketchSize entries unless occurrences' 16-bit context hashes
	// collide, which a table of several hundred thousand numbers makes
	// them do (see coldNumBits). 32 bits cost nothing here (the struct
	// has room up to 40 bytes).
	numLen  uint32
	chunks  uint16
	unfiled bool  // an exact copy of a filed document, under no key
	numKind uint8 // Numbers.kind
}

// NewIndex returns an empty index using cfg, or cfg's Validate error.
func NewIndex(cfg Config) (*Index, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Index{cfg: cfg, p: cfg.lshBanding()}, nil
}

// params returns the index's banding.
func (ix *Index) params() banding { return ix.p }

// Len returns the number of documents added.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// bytesPerDoc returns the memory the index holds per document: its
// arrays' capacities (ids counted with their string headers and bytes)
// divided by the number of documents, or 0 when empty.
func (ix *Index) bytesPerDoc() float64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := len(ix.ids)
	if n == 0 {
		return 0
	}
	total := 16*cap(ix.ids) + 2*cap(ix.sigs) + int(unsafe.Sizeof(docMeta{}))*cap(ix.meta) +
		int(unsafe.Sizeof(numberInContext{}))*cap(ix.nums) + 4*cap(ix.chks) + 4*cap(ix.tab) + 8*cap(ix.runs)
	for _, id := range ix.ids {
		total += len(id)
	}
	return float64(total) / float64(n)
}

// Query returns the indexed documents that are copies of s, most similar
// first (ties: earliest added first). A sketch of another Config (another
// signature length) finds nothing.
func (ix *Index) Query(s *Sketch) []Found {
	if ix.check(s) != nil {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f, _ := ix.query(s)
	return f
}

// addSeq adds a document without a query and returns its sequence
// number; it refuses what Add refuses.
func (ix *Index) addSeq(id string, s Sketch) (uint32, error) {
	if err := ix.check(&s); err != nil {
		return 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.add(id, &s), nil
}

// queryAdd is Add, also returning the document's sequence number.
func (ix *Index) queryAdd(id string, s Sketch) ([]Found, uint32, error) {
	if err := ix.check(&s); err != nil {
		return nil, 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	f, exact := ix.query(&s)
	// An exact copy of an indexed document is kept, but not filed under
	// any key, where it would take a posting that its twin already holds:
	// later copies find the twin.
	return f, ix.addKind(id, &s, exact), nil
}

// addKind adds a sketch that check accepted, filed under its keys unless
// it is an exact copy of a filed document.
func (ix *Index) addKind(id string, s *Sketch, exact bool) uint32 {
	seq := ix.append(id, s)
	if exact {
		ix.meta[seq].unfiled = true
	} else {
		ix.file(seq)
	}
	return seq
}

// check refuses a sketch that was not made with the index's Config.
func (ix *Index) check(s *Sketch) error {
	if len(s.sig) != ix.cfg.Hashes {
		return fmt.Errorf("%w: a sketch of %d hashes for an index of %d", ErrConfig, len(s.sig), ix.cfg.Hashes)
	}
	return nil
}

// key returns the table key of band b (b == Bands: the lead) of a document
// with signature sig and lead lead.
func (ix *Index) key(sig []uint16, lead uint64, b int) uint64 { return tableKey(ix.p, sig, lead, b) }

func (ix *Index) docSig(seq uint32) []uint16 {
	h := ix.cfg.Hashes
	return ix.sigs[int(seq)*h : (int(seq)+1)*h]
}

// lastBand returns the last band index of a document's table entries
// (see lastBand in keys.go).
func (ix *Index) lastBand(lead uint64) int { return lastBand(ix.p, lead) }

// slot maps a key to its first table slot (Lemire's multiply-shift
// range reduction, so the table needs no power-of-two size).
func (ix *Index) slot(k uint64) int {
	hi, _ := bits.Mul64(k, uint64(len(ix.tab)))
	return int(hi)
}

// insert adds the entry (seq, key k of band b) unless the key already
// holds its cap of entries.
func (ix *Index) insert(seq uint32, k uint64, b int) {
	limit, _ := ix.p.Postings(b)
	i := ix.slot(k)
	for same := 0; ix.tab[i] != 0; {
		if ix.entryKey(ix.tab[i]-1, b) == k {
			if same++; same == limit {
				return
			}
		}
		if i++; i == len(ix.tab) {
			i = 0
		}
	}
	ix.tab[i] = seq + 1
	ix.used++
}

// entryKey returns the key of band b of indexed document seq.
func (ix *Index) entryKey(seq uint32, b int) uint64 {
	return ix.key(ix.docSig(seq), ix.meta[seq].lead, b)
}

// grow makes a table with room for need entries at load factor 1/2 and
// reinserts every entry, recomputing keys from the stored signatures. The
// table grows when it would pass 3/4 full, so its load stays between 1/2
// and 3/4: linear probing then inspects about 2 to 8 slots per missing key.
func (ix *Index) grow(need int) {
	ix.tab = make([]uint32, max(1024, 2*need))
	ix.used = 0
	for seq := range ix.meta {
		m := &ix.meta[seq]
		if m.shingles == 0 || m.unfiled {
			continue
		}
		sig := ix.docSig(uint32(seq))
		for b := 0; b <= ix.lastBand(m.lead); b++ {
			ix.insert(uint32(seq), ix.key(sig, m.lead, b), b)
		}
	}
}

// add adds a sketch that check accepted and files it under its keys.
func (ix *Index) add(id string, s *Sketch) uint32 {
	seq := ix.append(id, s)
	ix.file(seq)
	return seq
}

// file enters document seq under its band, lead and run keys. Documents
// are filed in sequence order, so that a key keeps the first of them.
func (ix *Index) file(seq uint32) {
	m := &ix.meta[seq]
	if m.shingles == 0 {
		return
	}
	last := ix.lastBand(m.lead)
	if need := ix.used + last + 1; need*4 > len(ix.tab)*3 {
		ix.grow(need)
	}
	sig := ix.docSig(seq)
	for b := 0; b <= last; b++ {
		ix.insert(seq, ix.key(sig, m.lead, b), b)
	}
	var buf [64]uint64
	runs := appendRunKeys(buf[:0], ix.chks[m.chunkOff:m.chunkOff+uint32(m.chunks)], 0, 1)
	if need := ix.nrun + len(runs); need*4 > len(ix.runs)*3 {
		ix.growRuns(need)
	}
	for _, k := range runs {
		ix.insertRun(seq, k)
	}
}

// The run-key table holds, per entry, the high 32 bits of the key, which
// also choose its slot, and the document's sequence number plus one: run
// keys cannot be recomputed from a document's signature, as band keys
// are, and four bytes of key tell two keys apart but for one chance in
// 2^32, which costs a verification, never a wrong answer. Batch candidate
// generation compares the same 32 bits of every key (entry), and run keys
// also by their part (runKeys).
func runEntry(k uint64, seq uint32) uint64 { return k&^0xffffffff | uint64(seq+1) }

// runSlot returns the first slot of run key k (or of an entry).
func (ix *Index) runSlot(k uint64) int {
	return int(k >> 32 * uint64(len(ix.runs)) >> 32)
}

// nextRun is the slot after i, wrapping around.
func (ix *Index) nextRun(i int) int {
	if i++; i == len(ix.runs) {
		return 0
	}
	return i
}

// insertRun adds the entry (seq, run key k) unless the key already holds
// its postings: the key is then a common passage, and stays as it is.
func (ix *Index) insertRun(seq uint32, k uint64) {
	limit, _ := ix.p.Postings(ix.p.Bands + 1)
	i, same := ix.runSlot(k), 0
	for ; ix.runs[i] != 0; i = ix.nextRun(i) {
		if ix.runs[i]>>32 == k>>32 {
			if same++; same == limit {
				return
			}
		}
	}
	ix.runs[i] = runEntry(k, seq)
	ix.nrun++
}

// growRuns makes a run table with room for need entries at load factor
// 1/2 and reinserts every entry.
func (ix *Index) growRuns(need int) {
	old := ix.runs
	ix.runs = make([]uint64, max(1024, 2*need))
	for _, e := range old {
		if e != 0 {
			i := ix.runSlot(e)
			for ix.runs[i] != 0 {
				i = ix.nextRun(i)
			}
			ix.runs[i] = e
		}
	}
}

// runCandidates appends the postings of run key k to dst, none when the
// key is closed: it holds its limit of them (see banding.Postings).
func (ix *Index) runCandidates(dst []uint32, k uint64) []uint32 {
	if len(ix.runs) == 0 {
		return dst
	}
	start := len(dst)
	for i := ix.runSlot(k); ix.runs[i] != 0; i = ix.nextRun(i) {
		if ix.runs[i]>>32 == k>>32 {
			dst = append(dst, uint32(ix.runs[i])-1)
		}
	}
	if limit, open := ix.p.Postings(ix.p.Bands + 1); !open && len(dst)-start >= limit {
		return dst[:start]
	}
	return dst
}

// append stores a document's sketch without entering it in the table.
func (ix *Index) append(id string, s *Sketch) uint32 {
	seq := uint32(len(ix.ids))
	ix.ids = append(ix.ids, id)
	ix.sigs = append(ix.sigs, s.sig...)
	n := &s.numbers
	chunks, sample := s.coldIn(nil, true, true)
	ix.meta = append(ix.meta, docMeta{
		lead: s.lead, shingles: uint32(s.shingles), numOff: uint32(len(ix.nums)),
		contexts: uint32(n.Contexts), numLen: uint32(len(sample)), numKind: n.kind(),
		chunkOff: uint32(len(ix.chks)), chunks: uint16(len(chunks)), headline: s.headline,
	})
	ix.nums = append(ix.nums, sample...)
	ix.chks = append(ix.chks, chunks...)
	return seq
}

// sketch returns the part of document seq's sketch that Compare reads.
func (ix *Index) sketch(seq uint32) Sketch {
	m := &ix.meta[seq]
	s := Sketch{sig: ix.docSig(seq), shingles: int32(m.shingles), lead: m.lead, headline: m.headline}
	s.chunks = ix.chks[m.chunkOff : m.chunkOff+uint32(m.chunks) : m.chunkOff+uint32(m.chunks)]
	s.numbers.Contexts = int32(m.contexts)
	s.numbers.setKind(m.numKind)
	s.numbers.Sample = ix.nums[m.numOff : m.numOff+m.numLen : m.numOff+m.numLen]
	return s
}

// candidates appends to dst, sorted and without repeats, every indexed
// document sharing a band or its lead with s.
func (ix *Index) candidates(dst []uint32, s *Sketch) []uint32 {
	if s.shingles == 0 || len(ix.tab) == 0 {
		return dst
	}
	start := len(dst)
	for b := 0; b <= ix.lastBand(s.lead); b++ {
		k := ix.key(s.sig, s.lead, b)
		for i := ix.slot(k); ix.tab[i] != 0; {
			if seq := ix.tab[i] - 1; ix.entryKey(seq, b) == k {
				dst = append(dst, seq)
			}
			if i++; i == len(ix.tab) {
				i = 0
			}
		}
	}
	var buf [64]uint64
	for _, k := range appendRunKeys(buf[:0], s.chunksIn(nil), 0, 1) {
		dst = ix.runCandidates(dst, k)
	}
	slices.Sort(dst[start:])
	return dst[:start+len(slices.Compact(dst[start:]))]
}

// query also reports whether one of the matches is an exact copy: the
// same sketch.
func (ix *Index) query(s *Sketch) (found []Found, exact bool) {
	var out []Found
	for _, seq := range ix.candidates(nil, s) {
		d := ix.sketch(seq)
		if m := ix.cfg.Compare(s, &d); m.Duplicate {
			out = append(out, Found{ID: ix.ids[seq], Seq: seq, Match: m})
			exact = exact || m.Jaccard == 1 && s.sameAs(&d)
		}
	}
	slices.SortFunc(out, func(a, b Found) int { return engine.ByJaccard(a.Jaccard, b.Jaccard, cmp.Compare(a.Seq, b.Seq)) })
	return out, exact
}

// Add returns the verified copies of s among the documents added before
// it, most similar first (ties: earliest added first), and adds s under
// id, in one step. Adding an id twice adds two documents. An exact copy of
// an indexed document is kept but filed under no key, where it would take
// a posting its twin already holds: later copies find the twin. The
// sketch must come from the index's Config: a sketch of another signature
// length is refused with an error wrapping ErrConfig, and a done ctx with
// its error; nothing else fails.
func (ix *Index) Add(ctx context.Context, id string, s *Sketch) ([]Found, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, _, err := ix.queryAdd(id, *s)
	return f, err
}
