package dedup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"sync"
	"sync/atomic"
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
// files are a versioned format, frozen against testdata/store-v4.
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
	sk, lines := st.sketchNew(text)
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st.ix.mu.RLock()
	found, exact := st.ix.query(&sk)
	st.ix.mu.RUnlock()
	lines = st.teaches(found, lines) // recorded, so that a replay learns them too
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
	if len(lines) > 0 {
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
