package dedup

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"

	"github.com/neardup/neardup/shingle"
)

// SyncPolicy says when Store.Add forces its record to stable storage.
type SyncPolicy int

const (
	// SyncEach calls fsync before every Add returns: an acknowledged
	// document survives a crash of the machine.
	SyncEach SyncPolicy = iota
	// SyncGroup is group commit: concurrent Adds write their records and
	// then share one fsync, each returning once its record is synced. The
	// guarantee is SyncEach's; the cost of an fsync is spread over the
	// Adds that wait for it.
	SyncGroup
	// SyncNone never calls fsync. A record is written to the operating
	// system before Add returns, so acknowledged documents survive the
	// process being killed (kill -9) but not a crash of the machine.
	SyncNone
)

// StoreOptions configures OpenStore. The zero value means the defaults.
type StoreOptions struct {
	// Config is the sketching configuration. Hashes, ShingleSize,
	// KeepDiacritics and BoilerplateArticles must be the same each time a
	// directory is opened (OpenStore checks); the matching thresholds may
	// change between runs.
	Config Config
	// Sync is the fsync policy; the zero value is SyncEach.
	Sync SyncPolicy
	// SnapshotEvery is the number of Adds after which a compacted snapshot
	// is written and the log started afresh; 0 means
	// DefaultSnapshotEvery, a negative value never (call Snapshot).
	SnapshotEvery int
	// Logf receives warnings, such as a torn log tail dropped at open;
	// nil means log.Printf.
	Logf func(format string, args ...any)
}

// DefaultSnapshotEvery bounds the log that an open replays: at a few
// hundred bytes per record, 100,000 records are tens of megabytes and
// replay in well under a second.
const DefaultSnapshotEvery = 100_000

// Recovery describes what OpenStore restored.
type Recovery struct {
	// Snapshot is the number of documents loaded from the snapshot, Log
	// the number replayed from the log after it.
	Snapshot, Log int
	// TornBytes is the length of an incomplete record at the end of the
	// log, dropped (the last Add before a crash, never acknowledged).
	TornBytes int64
}

// ErrCorrupt reports a store file that fails its checksums or structure
// anywhere but in a torn log tail.
var ErrCorrupt = errors.New("dedup: store file is corrupt")

// ErrTooLarge is returned by Store.Add for a document whose log record
// would exceed the 16 MiB a store reads back (an id of that size, or a
// page whose distinct lines, 8 bytes each, fill it): nothing is written.
var ErrTooLarge = errors.New("dedup: document too large for the store")

// ErrClosed is returned by a Store's methods after Close.
var ErrClosed = errors.New("dedup: store is closed")

// Store is a Stream whose documents are kept in a directory: the
// in-memory index, backed by an append-only log with one checksummed
// record per added document and by periodic compacted snapshots.
//
// Guarantees: when Add returns without error, its document is in the log
// (written to the operating system, and synced unless Sync is SyncNone),
// and OpenStore on the directory restores it, whenever the process was
// killed. A record cut short by a crash is the last one in its log; open
// detects it by its length and checksum, drops it and warns. Any other
// damage (a bad checksum before the end, a malformed snapshot) makes
// OpenStore fail with ErrCorrupt: a store never loads silently wrong data.
// A snapshot is written to a temporary file, synced and renamed; the log
// it replaces is removed only after that, so a crash during Snapshot
// leaves the old snapshot and log, or the new ones.
//
// Limits: a document's record (its id, sketch and the lines it taught
// boilerplate learning) is at most 16 MiB, what a reopen reads back; Add
// refuses a larger one with ErrTooLarge and writes nothing. An id of
// megabytes, or a page of a million distinct lines, is one.
//
// One process at a time may open a directory (an advisory lock on a LOCK
// file where the platform has one). A Store is safe for concurrent use.
//
// How it is tested: TestStoreCrash runs a store's life (adds, copies,
// periodic and explicit snapshots, a reopen) on a simulated file system
// that keeps only what fsync and directory fsync promise, crashes it at
// each of its ~60 writes, fsyncs, renames and removals, and opens every
// disk state the crash may leave (about 300): each holds the acknowledged
// documents in order, so a missing fsync, a missing directory fsync or an
// old log removed too early fails it. TestStoreIOError fails each of those
// operations once instead; TestStoreKill kills a real writer with SIGKILL
// after its first acknowledgements and at each stage of a snapshot. The
// files are a versioned format, frozen against testdata/store-v2.
//
// Cost (BenchmarkStoreAdd, 3 KiB documents, 8 writers, a 2-core VM whose
// fsync takes about 250 µs): 82–96 µs an Add in a Stream, 98–109 µs with
// SyncNone, 242–250 µs with SyncGroup, 340–355 µs with SyncEach.
type Store struct {
	st   *Stream
	dir  string
	opt  StoreOptions
	fs   storeFS
	lock io.Closer
	rec  Recovery

	mu        sync.Mutex // serializes Add, Snapshot, Close
	log       storeFile
	logSize   int64 // bytes in the current log
	gen       uint64
	sinceSnap int
	err       error // sticky: a failed write
	closed    bool
	buf       []byte

	// Group commit. syncMu is held while an fsync runs; the lock order is
	// mu, then syncMu. log changes only under both.
	syncMu  sync.Mutex
	syncErr atomic.Pointer[error] // sticky: a failed fsync
	written atomic.Int64          // bytes appended to all logs, ever
	synced  int64                 // of those, synced (under syncMu)
}

const (
	logMagic      = "NDUPLOG1"
	snapMagic     = "NDUPSNP1"
	maxRecordSize = 1 << 24 // a record is a sketch and a document's lines
	recDocument   = 1       // a document, filed under its keys
	recCopy       = 2       // an exact copy of a filed document, under none
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// testStage, set only by tests, is called where a crash leaves the store's
// files in a distinct state: a record written but not synced, a snapshot
// synced under its temporary name, renamed, and its log started while
// the old files remain. TestStoreKill pauses a writer there to kill it.
var testStage func(stage string)

// OpenStore opens (creating it if needed) the store in dir and restores
// its documents. See Store for the guarantees.
func OpenStore(dir string, opt StoreOptions) (*Store, error) {
	return openStore(osFS{}, dir, opt)
}

// openStore is OpenStore on the file system fsys.
func openStore(fsys storeFS, dir string, opt StoreOptions) (*Store, error) {
	if err := opt.Config.Validate(); err != nil {
		return nil, err
	}
	if opt.Sync < SyncEach || opt.Sync > SyncNone {
		return nil, fmt.Errorf("dedup: OpenStore: unknown SyncPolicy %d", opt.Sync)
	}
	opt.Config = opt.Config.withDefaults()
	if opt.SnapshotEvery == 0 {
		opt.SnapshotEvery = DefaultSnapshotEvery
	}
	if opt.Logf == nil {
		opt.Logf = log.Printf
	}
	if err := fsys.MkdirAll(dir); err != nil {
		return nil, err
	}
	lock, err := fsys.Lock(filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	st, _ := NewStream(opt.Config, nil) // validated above
	s := &Store{st: st, fs: fsys, dir: dir, opt: opt, lock: lock}
	if err := s.recover(); err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func snapName(gen uint64) string { return fmt.Sprintf("snap-%016x", gen) }
func logName(gen uint64) string  { return fmt.Sprintf("log-%016x", gen) }

// fileGen returns the generation of a file named prefix + hex digits.
func fileGen(name, prefix string) (uint64, bool) {
	g, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	gen, err := strconv.ParseUint(g, 16, 64)
	return gen, err == nil
}

// recover loads the newest snapshot, replays its log and opens the log
// for appending.
func (s *Store) recover() error {
	ents, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return err
	}
	var snaps []uint64
	for _, name := range ents {
		if strings.HasSuffix(name, ".tmp") {
			s.fs.Remove(filepath.Join(s.dir, name)) // an interrupted Snapshot
			continue
		}
		if gen, ok := fileGen(name, "snap-"); ok {
			snaps = append(snaps, gen)
		}
	}
	if len(snaps) > 0 {
		s.gen = slices.Max(snaps)
		b, err := s.fs.ReadFile(filepath.Join(s.dir, snapName(s.gen)))
		if err != nil {
			return err
		}
		if err := s.loadSnapshot(b); err != nil {
			return fmt.Errorf("%s: %w", snapName(s.gen), err)
		}
		s.rec.Snapshot = s.st.ix.Len()
	}
	path := filepath.Join(s.dir, logName(s.gen))
	f, err := s.fs.OpenFile(path, false)
	if err != nil {
		return err
	}
	size, err := s.replay(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", logName(s.gen), err)
	}
	s.log, s.logSize = f, size
	if size == 0 {
		if err := s.writeLogHeader(f); err != nil {
			f.Close()
			return err
		}
	}
	// Files of older generations are what a Snapshot had not yet removed.
	for _, name := range ents {
		for _, p := range []string{"snap-", "log-"} {
			if gen, ok := fileGen(name, p); ok && gen < s.gen {
				s.fs.Remove(filepath.Join(s.dir, name))
			}
		}
	}
	return s.fs.SyncDir(s.dir)
}

// fingerprint is what a store's files record of the Config they were
// written with.
func (s *Store) appendFingerprint(b []byte) []byte {
	c := s.opt.Config
	b = append(b, signatureVersion, shingle.Version)
	b = binary.AppendUvarint(b, uint64(c.Hashes))
	b = binary.AppendUvarint(b, uint64(c.ShingleSize))
	b = binary.AppendVarint(b, int64(c.BoilerplateArticles))
	if c.KeepDiacritics {
		return append(b, 1)
	}
	return append(b, 0)
}

func (s *Store) writeLogHeader(f storeFile) error {
	b := append([]byte(logMagic), 0, 0, 0, 0)
	b = s.appendFingerprint(b)
	b = binary.AppendUvarint(b, s.gen)
	b = binary.AppendUvarint(b, uint64(s.st.ix.Len())) // documents before this log
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b[12:], castagnoli))
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(b))); err != nil {
		return err
	}
	if _, err := f.Seek(int64(len(b)), io.SeekStart); err != nil {
		return err
	}
	s.logSize = int64(len(b))
	if s.opt.Sync != SyncNone {
		return f.Sync()
	}
	return nil
}

// decoder reads the varints and fixed-size fields of a store file and
// remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
	d.b = nil
}

func (d *decoder) uvarint(what string) uint64 { return decodeVarint(d, binary.Uvarint, what) }
func (d *decoder) varint(what string) int64   { return decodeVarint(d, binary.Varint, what) }

// decodeVarint reads one varint with f (binary.Uvarint or binary.Varint).
func decodeVarint[T uint64 | int64](d *decoder, f func([]byte) (T, int), what string) T {
	v, n := f(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64, what string) []byte {
	if uint64(len(d.b)) < n {
		d.fail(what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64(what string) uint64 {
	if b := d.bytes(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if b := d.bytes(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if b := d.bytes(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// count reads a length and checks that at least size bytes per element
// remain, so a corrupt length cannot make a huge allocation.
func (d *decoder) count(size int, what string) int {
	n := d.uvarint(what)
	if d.err == nil && n > uint64(len(d.b)/max(size, 1)) {
		d.fail(what)
		return 0
	}
	return int(n)
}

func (s *Store) checkFingerprint(d *decoder) {
	want := s.appendFingerprint(nil)
	got := d.bytes(uint64(len(want)), "config fingerprint")
	if d.err == nil && !bytes.Equal(got, want) {
		d.err = fmt.Errorf("%w: written with another Config or format version (fingerprint %x, this Config %x)", ErrFormat, got, want)
	}
}

// replay reads the log in f into the stream and returns the size of its
// valid part, having cut off a torn tail.
func (s *Store) replay(f storeFile) (int64, error) {
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	hdr, err := logHeaderLen(b)
	if err != nil {
		// A header cut short: the crash came while the log was created,
		// before any document went into it.
		if errors.Is(err, io.ErrUnexpectedEOF) {
			s.opt.Logf("neardup: store %s: %s: dropped an incomplete header of %d bytes", s.dir, logName(s.gen), len(b))
			s.rec.TornBytes = int64(len(b))
			return 0, nil
		}
		return 0, err
	}
	d := decoder{b: b[12:hdr]}
	s.checkFingerprint(&d)
	gen, base := d.uvarint("generation"), d.uvarint("base")
	if d.err != nil {
		return 0, d.err
	}
	if gen != s.gen || base != uint64(s.st.ix.Len()) {
		return 0, fmt.Errorf("%w: log of generation %d after %d documents, snapshot of generation %d with %d", ErrCorrupt, gen, base, s.gen, s.st.ix.Len())
	}
	off := hdr
	for off < len(b) {
		payload, n, err := nextRecord(b[off:])
		if err != nil {
			// Torn if no whole record follows: the crash cut the last
			// one short. A valid record after the bad one means damage
			// in the middle (a flipped length, a bad block), an error.
			if !recordFollows(b[off+1:]) {
				torn := int64(len(b) - off)
				s.opt.Logf("neardup: store %s: %s: dropped an incomplete record of %d bytes at offset %d (%v)", s.dir, logName(s.gen), torn, off, err)
				s.rec.TornBytes = torn
				if err := f.Truncate(int64(off)); err != nil {
					return 0, err
				}
				break
			}
			if !errors.Is(err, ErrCorrupt) {
				err = fmt.Errorf("%w: %v, and a valid record follows", ErrCorrupt, err)
			}
			return 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		if err := s.apply(payload); err != nil {
			return 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		s.rec.Log++
		off += n
	}
	if _, err := f.Seek(int64(off), io.SeekStart); err != nil {
		return 0, err
	}
	return int64(off), nil
}

// logHeaderLen checks a log's magic and header checksum and returns the
// header's length.
func logHeaderLen(b []byte) (int, error) {
	if len(b) < 12 {
		if bytes.HasPrefix([]byte(logMagic), b[:min(len(b), 8)]) {
			return 0, io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("%w: not a neardup log", ErrFormat)
	}
	if string(b[:8]) != logMagic {
		return 0, fmt.Errorf("%w: not a neardup log", ErrFormat)
	}
	// The header is the magic, its checksum and a fingerprint of fixed
	// size followed by two varints: find its end by decoding it.
	d := decoder{b: b[12:]}
	d.bytes(2, "versions")
	d.uvarint("hashes")
	d.uvarint("shingle size")
	d.varint("boilerplate articles")
	d.bytes(1, "diacritics")
	d.uvarint("generation")
	d.uvarint("base")
	if d.err != nil {
		if len(b) < 64 {
			return 0, io.ErrUnexpectedEOF
		}
		return 0, d.err
	}
	n := len(b) - len(d.b)
	if crc32.Checksum(b[12:n], castagnoli) != binary.LittleEndian.Uint32(b[8:]) {
		return 0, fmt.Errorf("%w: log header checksum", ErrCorrupt)
	}
	return n, nil
}

// nextRecord returns the payload of the record at the start of b and the
// record's length. A record is a 4-byte little-endian payload length, a
// 4-byte CRC-32C of the payload, and the payload. A record that runs past
// the end of b gives io.ErrUnexpectedEOF.
func nextRecord(b []byte) ([]byte, int, error) {
	if len(b) < 8 {
		return nil, len(b), io.ErrUnexpectedEOF
	}
	n := binary.LittleEndian.Uint32(b)
	if n == 0 || n > maxRecordSize {
		return nil, len(b), fmt.Errorf("%w: record length %d", ErrCorrupt, n)
	}
	if uint64(len(b)) < 8+uint64(n) {
		return nil, len(b), io.ErrUnexpectedEOF
	}
	payload := b[8 : 8+n]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, 8 + int(n), fmt.Errorf("%w: record checksum", ErrCorrupt)
	}
	return payload, 8 + int(n), nil
}

// recordFollows reports whether a record with a valid length and checksum
// starts anywhere in b. A torn tail is shorter than one record, so the
// scan is short where it finds nothing, and damage mid-log meets the next
// record within one record's length.
func recordFollows(b []byte) bool {
	for p := 0; p+8 <= len(b); p++ {
		n := binary.LittleEndian.Uint32(b[p:])
		if n == 0 || n > maxRecordSize || uint64(len(b)-p) < 8+uint64(n) {
			continue
		}
		if crc32.Checksum(b[p+8:p+8+int(n)], castagnoli) == binary.LittleEndian.Uint32(b[p+4:]) {
			return true
		}
	}
	return false
}

// appendRecord appends the log record of a document: its sequence number,
// id, the parts of its sketch that the index keeps, and the lines it
// taught the stream (none for a copy).
func (s *Store) appendRecord(b []byte, seq int, id string, sk *Sketch, learned []docLine, exact bool) []byte {
	start := len(b)
	kind := byte(recDocument)
	if exact {
		kind = recCopy
	}
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, kind)
	b = binary.AppendUvarint(b, uint64(seq))
	b = appendSketch(b, id, sk, learned)
	payload := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

// appendSketch appends a document as log records and snapshots keep it
// (decodeSketch reads it back): its id, the parts of its sketch that the
// index keeps, and the lines it taught the stream.
func appendSketch(b []byte, id string, sk *Sketch, learned []docLine) []byte {
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b = appendSketchBody(b, sk)
	b = binary.AppendUvarint(b, uint64(len(learned)))
	for _, l := range learned {
		b = binary.LittleEndian.AppendUint64(b, l.Hash)
	}
	return b
}

// appendSketchBody encodes what an index keeps of a sketch for
// verification.
func appendSketchBody(b []byte, sk *Sketch) []byte {
	b = binary.AppendUvarint(b, uint64(sk.shingles))
	b = binary.LittleEndian.AppendUint64(b, sk.lead)
	for _, v := range sk.sig {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	n := &sk.numbers
	b = binary.AppendUvarint(b, uint64(n.Contexts))
	b = binary.AppendUvarint(b, uint64(n.kind()))
	b = binary.AppendUvarint(b, uint64(len(n.Sample)))
	for _, e := range n.Sample {
		b = binary.LittleEndian.AppendUint16(b, e.Context)
		b = binary.LittleEndian.AppendUint16(b, e.Value)
	}
	b = binary.LittleEndian.AppendUint32(b, sk.headline)
	b = binary.AppendUvarint(b, uint64(len(sk.chunks)))
	for _, c := range sk.chunks {
		b = binary.LittleEndian.AppendUint32(b, uint32(c))
	}
	return b
}

// apply replays one log record.
func (s *Store) apply(payload []byte) error {
	d := decoder{b: payload}
	kind := d.bytes(1, "record kind")
	if d.err == nil && kind[0] != recDocument && kind[0] != recCopy {
		return fmt.Errorf("%w: record kind %d", ErrCorrupt, kind[0])
	}
	seq := d.uvarint("sequence number")
	id, sk, lines := s.decodeSketch(&d)
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return d.err
	}
	if seq != uint64(s.st.ix.Len()) {
		return fmt.Errorf("%w: record of document %d where %d was due", ErrCorrupt, seq, s.st.ix.Len())
	}
	if err := s.st.ix.check(&sk); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	s.st.ix.addKind(id, &sk, kind[0] == recCopy)
	if len(lines) > 0 {
		s.st.learn(lines)
	}
	return nil
}

// decodeSketch reads what appendSketch wrote.
func (s *Store) decodeSketch(d *decoder) (string, Sketch, []docLine) {
	id := string(d.bytes(d.uvarint("id length"), "id"))
	sk := decodeSketchBody(d, s.opt.Config.Hashes)
	var lines []docLine
	if nl := d.count(8, "learned lines"); nl > 0 {
		lines = make([]docLine, nl)
		for i := range lines {
			lines[i].Hash = d.u64("line")
		}
	}
	return id, sk, lines
}

// decodeSketchBody reads what appendSketchBody wrote, for signatures of
// hashes elements.
func decodeSketchBody(d *decoder, hashes int) Sketch {
	var sk Sketch
	sk.shingles = int(d.uvarint("shingles"))
	if sk.shingles > 1<<31 {
		d.fail("shingle count")
	}
	sk.lead = d.u64("lead")
	if sig := d.bytes(uint64(2*hashes), "signature"); d.err == nil {
		sk.sig = make(compact, hashes)
		for i := range sk.sig {
			sk.sig[i] = binary.LittleEndian.Uint16(sig[2*i:])
		}
	}
	n := &sk.numbers
	n.Contexts = int(d.uvarint("number contexts"))
	if k := d.uvarint("number kind"); k <= 2 {
		n.setKind(uint8(k))
	} else {
		d.fail("number kind")
	}
	if ns := d.count(4, "number sample"); ns > 0 {
		if ns > 255 {
			d.fail("number sample length")
			return sk
		}
		n.Sample = make([]numberInContext, ns)
		for i := range n.Sample {
			n.Sample[i] = numberInContext{d.u16("context"), d.u16("value")}
		}
	}
	sk.headline = d.u32("headline")
	if nc := d.count(4, "chunks"); nc > 0 {
		if nc > maxChunks {
			d.fail("chunk count")
			return sk
		}
		sk.chunks = make([]chunk, nc)
		for i := range sk.chunks {
			sk.chunks[i] = chunk(d.u32("chunk"))
		}
	}
	if d.err != nil || n.Contexts > 1<<31 {
		d.fail("sketch")
	}
	return sk
}

// Add checks text against all earlier documents, adds it under id and
// records it in the log, and returns its verified earlier copies, most
// similar first. When Add returns an error, the document is not
// acknowledged: a reopened store may or may not hold it. Once a write or
// sync has failed, every later Add fails with that error. A periodic
// snapshot that fails before it has replaced anything (a full disk) is
// reported to Logf and retried SnapshotEvery Adds later. A ctx done
// before Add starts fails it with ctx's error; once the record is being
// written, Add finishes.
func (s *Store) Add(ctx context.Context, id string, text []byte) ([]Found, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Sketching, the bulk of the work, runs outside the lock; the log
	// records the sketch itself, so a replay needs no text.
	st := s.st
	sk, lines := st.cfg.sketch(text, st, make([]docLine, 0, 32))
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st.ix.mu.RLock()
	found, exact := st.ix.query(&sk)
	st.ix.mu.RUnlock()
	learn := len(found) == 0 && st.cfg.BoilerplateArticles > 0
	if !learn {
		lines = nil
	}
	seq := st.ix.Len()
	s.buf = s.appendRecord(s.buf[:0], seq, id, &sk, lines, exact)
	if n := len(s.buf) - 8; n > maxRecordSize {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: the record of %q is %d bytes (an id of %d bytes, %d lines taught), over the %d a store reads back",
			ErrTooLarge, truncateID(id), n, len(id), len(lines), maxRecordSize)
	}
	if _, err := s.log.Write(s.buf); err != nil {
		// Take back a partial record, so that later records do not
		// follow garbage; if that fails, the store stops taking writes.
		if terr := s.log.Truncate(s.logSize); terr != nil {
			s.err = fmt.Errorf("dedup: store: write failed (%v) and so did undoing it: %w", err, terr)
		} else if _, serr := s.log.Seek(s.logSize, io.SeekStart); serr != nil {
			s.err = serr
		}
		s.mu.Unlock()
		return nil, err
	}
	s.logSize += int64(len(s.buf))
	end := s.written.Add(int64(len(s.buf)))
	if testStage != nil {
		testStage("record-written")
	}
	st.ix.mu.Lock()
	st.ix.addKind(id, &sk, exact)
	st.ix.mu.Unlock()
	if learn {
		st.learn(lines)
	}
	s.sinceSnap++
	var err error
	if s.opt.Sync == SyncEach {
		err = s.log.Sync()
		if err != nil {
			s.err = err
		}
	}
	if err == nil && s.opt.SnapshotEvery > 0 && s.sinceSnap >= s.opt.SnapshotEvery {
		// The record is in the log: a snapshot that fails before it
		// changed anything is retried after as many Adds again.
		if serr := s.snapshot(); s.err != nil {
			err = serr
		} else if serr != nil {
			s.opt.Logf("neardup: store %s: snapshot failed, to be retried after %d more documents: %v", s.dir, s.opt.SnapshotEvery, serr)
			s.sinceSnap = 0
		}
	}
	s.mu.Unlock()
	if err == nil && s.opt.Sync == SyncGroup {
		err = s.syncTo(end)
	}
	if err != nil {
		return nil, err
	}
	return found, nil
}

// syncTo returns once the first end bytes ever appended are synced,
// syncing them (and whatever others appended meanwhile) itself unless
// another Add's sync already covers them.
func (s *Store) syncTo(end int64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if err := s.syncErr.Load(); err != nil {
		return *err
	}
	if s.synced >= end {
		return nil
	}
	target := s.written.Load()
	if err := s.log.Sync(); err != nil {
		// After a failed fsync the kernel may have dropped the pages: no
		// later sync can vouch for them, so the store stops here.
		s.syncErr.Store(&err)
		return err
	}
	s.synced = target
	return nil
}

func (s *Store) usable() error {
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return s.err
	}
	if err := s.syncErr.Load(); err != nil {
		return *err
	}
	return nil
}

// Query returns the stored documents that are copies of text, most
// similar first, without adding it.
func (s *Store) Query(text []byte) []Found {
	sk := s.st.cfg.sketchFiltered(text, s.st)
	return s.st.ix.Query(&sk)
}

// Len returns the number of documents stored.
func (s *Store) Len() int { return s.st.ix.Len() }

// Recovery reports what OpenStore restored.
func (s *Store) Recovery() Recovery { return s.rec }

// Snapshot writes a compacted snapshot of every document and starts a new,
// empty log. Adds wait while it runs.
func (s *Store) Snapshot() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	return s.snapshot()
}

func (s *Store) snapshot() error {
	next := s.gen + 1
	tmp := filepath.Join(s.dir, snapName(next)+".tmp")
	if err := writeFileSync(s.fs, tmp, s.appendSnapshot(nil)); err != nil {
		s.fs.Remove(tmp)
		return err
	}
	if testStage != nil {
		testStage("snapshot-synced")
	}
	if err := s.fs.Rename(tmp, filepath.Join(s.dir, snapName(next))); err != nil {
		s.fs.Remove(tmp)
		return err
	}
	// From here on the new snapshot is what an open loads, or may be: if
	// a step fails, the store can no longer tell which log a record must
	// go to to be found again, and stops taking writes.
	if err := s.fs.SyncDir(s.dir); err != nil {
		s.err = err
		return err
	}
	if testStage != nil {
		testStage("snapshot-renamed")
	}
	f, err := s.fs.OpenFile(filepath.Join(s.dir, logName(next)), true)
	if err != nil {
		s.err = err
		return err
	}
	old := s.log
	s.syncMu.Lock()
	s.gen, s.log, s.sinceSnap = next, f, 0
	s.synced = s.written.Load() // all in the synced snapshot
	s.syncMu.Unlock()
	if err := s.writeLogHeader(f); err != nil {
		s.err = err
		return err
	}
	old.Close()
	if testStage != nil {
		testStage("log-switched")
	}
	s.fs.Remove(filepath.Join(s.dir, logName(next-1)))
	s.fs.Remove(filepath.Join(s.dir, snapName(next-1)))
	// The new log's name must be durable before a record synced in it is
	// acknowledged.
	if err := s.fs.SyncDir(s.dir); err != nil {
		s.err = err
		return err
	}
	return nil
}

// appendSnapshot appends the snapshot file of the store's state: magic,
// fingerprint, generation, the index's documents, the stream's line
// counts, and an XXH64 of all before it.
func (s *Store) appendSnapshot(b []byte) []byte {
	ix, st := s.st.ix, s.st
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b = append(b, snapMagic...)
	b = s.appendFingerprint(b)
	b = binary.AppendUvarint(b, s.gen+1)
	b = binary.AppendUvarint(b, uint64(len(ix.ids)))
	for seq, id := range ix.ids {
		sk := ix.sketch(uint32(seq))
		kind := byte(recDocument)
		if ix.meta[seq].unfiled {
			kind = recCopy
		}
		b = append(b, kind)
		b = appendSketch(b, id, &sk, nil) // the lines are in the counts that follow
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	b = binary.AppendUvarint(b, uint64(len(st.counts)))
	for _, h := range slices.Sorted(maps.Keys(st.counts)) {
		b = binary.LittleEndian.AppendUint64(b, h)
		b = binary.AppendUvarint(b, uint64(st.counts[h]))
	}
	// The doorkeeper's words, sparse: the number of nonzero words, then
	// each as the gap from the previous one's index and the word.
	nonzero := 0
	for _, w := range st.door {
		if w != 0 {
			nonzero++
		}
	}
	b = binary.AppendUvarint(b, uint64(len(st.door)))
	b = binary.AppendUvarint(b, uint64(nonzero))
	prev := -1
	for i, w := range st.door {
		if w != 0 {
			b = binary.AppendUvarint(b, uint64(i-prev))
			b = binary.LittleEndian.AppendUint64(b, w)
			prev = i
		}
	}
	return binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
}

// loadSnapshot restores the state in a snapshot file.
func (s *Store) loadSnapshot(b []byte) error {
	if len(b) < len(snapMagic)+8 || string(b[:len(snapMagic)]) != snapMagic {
		return fmt.Errorf("%w: not a neardup snapshot", ErrFormat)
	}
	body := b[:len(b)-8]
	if xxhash.Sum64(body) != binary.LittleEndian.Uint64(b[len(b)-8:]) {
		return fmt.Errorf("%w: snapshot checksum", ErrCorrupt)
	}
	d := decoder{b: body[len(snapMagic):]}
	s.checkFingerprint(&d)
	if gen := d.uvarint("generation"); d.err == nil && gen != s.gen {
		return fmt.Errorf("%w: snapshot of generation %d in file of %d", ErrCorrupt, gen, s.gen)
	}
	ix, st := s.st.ix, s.st
	docs := d.count(17+2*s.opt.Config.Hashes, "documents")
	for range docs {
		kind := d.bytes(1, "document kind")
		if d.err == nil && kind[0] != recDocument && kind[0] != recCopy {
			d.fail("document kind")
		}
		id, sk, _ := s.decodeSketch(&d)
		if d.err != nil {
			return d.err
		}
		if err := ix.check(&sk); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		ix.addKind(id, &sk, kind[0] == recCopy) // in order, as they were added
	}
	ncounts := d.count(9, "line counts")
	for range ncounts {
		h := d.u64("line")
		n := d.uvarint("line count")
		if n > uint64(^uint32(0)) {
			d.fail("line count")
		}
		st.counts[h] = uint32(n)
	}
	if n := d.uvarint("doorkeeper size"); d.err == nil && n != uint64(len(st.door)) {
		d.fail("doorkeeper size")
	}
	at := -1
	for range d.count(9, "doorkeeper words") {
		at += int(min(d.uvarint("doorkeeper gap"), uint64(len(st.door))))
		w := d.u64("doorkeeper word")
		if d.err != nil || at >= len(st.door) {
			d.fail("doorkeeper word")
			break
		}
		st.door[at] = w
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return d.err
	}
	return nil
}

// Close syncs and closes the log. The Store is unusable afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	s.syncMu.Lock() // wait for a group commit under way
	defer s.syncMu.Unlock()
	err := s.err
	if serr := s.log.Sync(); err == nil {
		err = serr
	}
	if cerr := s.log.Close(); err == nil {
		err = cerr
	}
	s.lock.Close()
	return err
}

// truncateID shortens an id for an error message.
func truncateID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}
