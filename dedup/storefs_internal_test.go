package dedup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
)

// crashFS is a storeFS in memory that simulates a machine crash. It keeps
// what a file system promises to keep and nothing more:
//
//   - a file's contents are durable up to its last Sync; bytes written
//     since may be lost, kept, or kept in part (a prefix of an append);
//   - a directory's entries (creations, renames, removals) are durable
//     after SyncDir; the changes made since may each be lost or kept,
//     independently of each other and of the order they were made in
//     (a rename is one change: both of its names or neither).
//
// Its operations are counted; the one numbered crashAt, and every one
// after it, fails with errCrashed, and what the disk may hold at that
// moment is kept in images.
type crashFS struct {
	mu       sync.Mutex
	names    map[string]*memInode // the namespace processes see
	durable  map[string]*memInode // the namespace at the last SyncDir
	pending  []nsChange           // changes since the last SyncDir
	ops      int                  // mutating operations so far
	crashAt  int                  // 0: never
	failAt   int                  // an operation that fails alone; 0: none
	crashed  bool
	rng      *rand.Rand
	images   []map[string][]byte // what the disk may hold after the crash
	maxImage int                 // images to keep per crash
}

type memInode struct {
	data    []byte // what reads see
	durable []byte // what a crash keeps at least: the data at the last Sync
}

// nsChange is a directory change: name now refers to ino, or, for a nil
// ino, is removed; a rename also removes from.
type nsChange struct {
	name, from string
	ino        *memInode
}

var (
	errCrashed  = errors.New("simulated crash")
	errInjected = errors.New("simulated I/O error")
)

func newCrashFS(seed uint64, files map[string][]byte) *crashFS {
	fs := &crashFS{names: map[string]*memInode{}, durable: map[string]*memInode{},
		rng: rand.New(rand.NewPCG(seed, 1)), maxImage: 16}
	for name, b := range files {
		ino := &memInode{data: slices.Clone(b), durable: slices.Clone(b)}
		fs.names[name], fs.durable[name] = ino, ino
	}
	return fs
}

// step counts a mutating operation and reports whether it may proceed;
// fs.mu is held.
func (fs *crashFS) step() error {
	if fs.crashed {
		return errCrashed
	}
	fs.ops++
	if fs.ops == fs.failAt {
		return errInjected
	}
	if fs.ops == fs.crashAt {
		fs.crashed = true
		fs.images = fs.crashImages()
		return errCrashed
	}
	return nil
}

// crashImages lists states the disk may be in after a crash now: every
// subset of the pending directory changes (a sample of them when there
// are many), each with the files' unsynced bytes lost, kept, and kept in
// part.
func (fs *crashFS) crashImages() []map[string][]byte {
	var masks []uint64
	if k := len(fs.pending); k <= 4 {
		for m := range uint64(1) << k {
			masks = append(masks, m)
		}
	} else {
		masks = append(masks, 0, 1<<k-1)
		for len(masks) < fs.maxImage {
			masks = append(masks, fs.rng.Uint64()&(1<<k-1))
		}
	}
	var images []map[string][]byte
	for _, m := range masks {
		ns := maps.Clone(fs.durable)
		for i, c := range fs.pending {
			if m&(1<<i) == 0 {
				continue
			}
			if c.from != "" {
				delete(ns, c.from)
			}
			if c.ino == nil {
				delete(ns, c.name)
			} else {
				ns[c.name] = c.ino
			}
		}
		for mode := range 3 {
			img := map[string][]byte{}
			for name, ino := range ns {
				b := ino.durable
				switch {
				case mode == 1:
					b = ino.data
				case mode == 2 && bytes.HasPrefix(ino.data, ino.durable):
					b = ino.data[:len(ino.durable)+fs.rng.IntN(len(ino.data)-len(ino.durable)+1)]
				case mode == 2 && fs.rng.IntN(2) == 0:
					b = ino.data
				}
				img[name] = slices.Clone(b)
			}
			images = append(images, img)
		}
	}
	return images
}

func (fs *crashFS) MkdirAll(string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.step()
}

func (fs *crashFS) ReadDir(dir string) ([]string, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.crashed {
		return nil, errCrashed
	}
	var names []string
	for name := range fs.names {
		if path.Dir(name) == dir {
			names = append(names, path.Base(name))
		}
	}
	slices.Sort(names)
	return names, nil
}

func (fs *crashFS) ReadFile(name string) ([]byte, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.crashed {
		return nil, errCrashed
	}
	ino, ok := fs.names[name]
	if !ok {
		return nil, fmt.Errorf("%s: no such file", name)
	}
	return slices.Clone(ino.data), nil
}

func (fs *crashFS) OpenFile(name string, trunc bool) (storeFile, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.step(); err != nil {
		return nil, err
	}
	ino, ok := fs.names[name]
	if !ok {
		ino = &memInode{}
		fs.names[name] = ino
		fs.pending = append(fs.pending, nsChange{name: name, ino: ino})
	}
	if trunc {
		ino.data = ino.data[:0:0]
	}
	return &memFile{fs: fs, ino: ino}, nil
}

func (fs *crashFS) Rename(from, to string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.step(); err != nil {
		return err
	}
	ino, ok := fs.names[from]
	if !ok {
		return fmt.Errorf("rename %s: no such file", from)
	}
	delete(fs.names, from)
	fs.names[to] = ino
	fs.pending = append(fs.pending, nsChange{name: to, from: from, ino: ino})
	return nil
}

func (fs *crashFS) Remove(name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.step(); err != nil {
		return err
	}
	if _, ok := fs.names[name]; !ok {
		return fmt.Errorf("remove %s: no such file", name)
	}
	delete(fs.names, name)
	fs.pending = append(fs.pending, nsChange{name: name})
	return nil
}

func (fs *crashFS) SyncDir(string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.step(); err != nil {
		return err
	}
	fs.durable = maps.Clone(fs.names)
	fs.pending = nil
	return nil
}

func (fs *crashFS) Lock(string) (io.Closer, error) { return io.NopCloser(nil), nil }

// memFile is an open file of a crashFS.
type memFile struct {
	fs  *crashFS
	ino *memInode
	off int64
}

func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.fs.crashed {
		return 0, errCrashed
	}
	if f.off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[f.off:])
	f.off += int64(n)
	return n, nil
}

func (f *memFile) writeAt(p []byte, off int64) {
	if end := off + int64(len(p)); end > int64(len(f.ino.data)) {
		f.ino.data = append(f.ino.data, make([]byte, end-int64(len(f.ino.data)))...)
	}
	copy(f.ino.data[off:], p)
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return 0, err
	}
	f.writeAt(p, f.off)
	f.off += int64(len(p))
	return len(p), nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return 0, err
	}
	f.writeAt(p, off)
	return len(p), nil
}

func (f *memFile) Seek(off int64, whence int) (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	switch whence {
	case io.SeekStart:
		f.off = off
	case io.SeekCurrent:
		f.off += off
	case io.SeekEnd:
		f.off = int64(len(f.ino.data)) + off
	}
	return f.off, nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return err
	}
	if size <= int64(len(f.ino.data)) {
		f.ino.data = f.ino.data[:size:size]
	} else {
		f.ino.data = append(f.ino.data, make([]byte, size-int64(len(f.ino.data)))...)
	}
	return nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return err
	}
	f.ino.durable = slices.Clone(f.ino.data)
	return nil
}

func (f *memFile) Close() error { return nil }

// crashWorkload is what TestStoreCrash runs until the simulated crash: a
// crawler that opens a store, adds documents (new ones, exact and near
// copies) through two snapshots, closes it, reopens it and adds more. It
// returns the ids whose Add returned without error and the ids it tried
// to add, in order. With keepGoing it carries on after a failed Add or
// Snapshot, as a crawler that logs errors would.
func crashWorkload(fs *crashFS, policy SyncPolicy, docs [][]byte, keepGoing bool) (acked, tried []string) {
	opt := StoreOptions{Sync: policy, SnapshotEvery: 4, Logf: func(string, ...any) {}}
	add := func(s *Store, from, to int) bool {
		for i := from; i < to; i++ {
			id := fmt.Sprintf("doc%02d", i)
			tried = append(tried, id)
			if _, err := s.Add(context.Background(), id, docs[i]); err != nil {
				if keepGoing {
					continue
				}
				return false
			}
			acked = append(acked, id)
		}
		return true
	}
	s, err := openStore(fs, "/db", opt)
	if err != nil {
		return
	}
	ok := add(s, 0, 7)
	if s.Close() != nil && !keepGoing || !ok {
		return
	}
	if s, err = openStore(fs, "/db", opt); err != nil {
		return
	}
	ok = add(s, 7, len(docs)-2) && (s.Snapshot() == nil || keepGoing) && add(s, len(docs)-2, len(docs))
	s.Close()
	return
}

// crashDocs are the documents of crashWorkload: articles, exact copies
// and near copies.
func crashDocs() [][]byte {
	rng := rand.New(rand.NewPCG(21, 22))
	var docs [][]byte
	var last []string
	for i := range 12 {
		switch i % 4 {
		case 0, 1:
			last = words(rng, 150+rng.IntN(200))
			docs = append(docs, text(last))
		case 2:
			docs = append(docs, text(last)) // an exact copy
		case 3:
			docs = append(docs, text(words(rng, 15), last[:len(last)*3/4])) // a near copy
		}
	}
	return docs
}

// storeIDs opens the store in files and returns its documents' ids, then
// checks that it takes another document and reopens with it.
func storeIDs(files map[string][]byte, policy SyncPolicy, extra []byte) ([]string, error) {
	fs := newCrashFS(0, files)
	opt := StoreOptions{Sync: policy, SnapshotEvery: 4, Logf: func(string, ...any) {}}
	s, err := openStore(fs, "/db", opt)
	if err != nil {
		return nil, err
	}
	ids := slices.Clone(s.st.ix.ids)
	if _, err := s.Add(context.Background(), "extra", extra); err != nil {
		return nil, fmt.Errorf("Add after recovery: %w", err)
	}
	if err := s.Close(); err != nil {
		return nil, fmt.Errorf("Close after recovery: %w", err)
	}
	s, err = openStore(fs, "/db", opt)
	if err != nil {
		return nil, fmt.Errorf("reopen after recovery: %w", err)
	}
	defer s.Close()
	if got, want := s.st.ix.ids, append(slices.Clone(ids), "extra"); !slices.Equal(got, want) {
		return nil, fmt.Errorf("reopened after recovery with %v, want %v", got, want)
	}
	return ids, nil
}

// A machine crash at any point of a store's life (between any two of its
// writes, fsyncs, renames and removals) leaves files that open, hold every
// acknowledged document in order and at most the one under way, and take
// more documents. The simulated file system keeps only what fsync and
// directory fsync promise, so an acknowledgement before its fsync, a
// snapshot renamed before it is synced or without syncing the directory,
// or an old log removed before the snapshot replacing it is durable,
// fails here.
func TestStoreCrash(t *testing.T) {
	docs := crashDocs()
	extra := text(words(rand.New(rand.NewPCG(5, 6)), 200))
	for _, policy := range []SyncPolicy{SyncEach, SyncGroup} {
		t.Run(fmt.Sprint("policy", policy), func(t *testing.T) {
			clean := newCrashFS(1, nil)
			acked, _ := crashWorkload(clean, policy, docs, false)
			if len(acked) != len(docs) {
				t.Fatalf("without a crash, %d of %d documents acknowledged", len(acked), len(docs))
			}
			images, torn := 0, 0
			for at := 1; at <= clean.ops; at++ {
				fs := newCrashFS(uint64(at), nil)
				fs.crashAt = at
				acked, tried := crashWorkload(fs, policy, docs, false)
				if !fs.crashed {
					t.Fatalf("crash at operation %d of %d did not happen", at, clean.ops)
				}
				for k, img := range fs.images {
					images++
					ids, err := storeIDs(img, policy, extra)
					if err != nil {
						t.Fatalf("crash at operation %d, image %d (%s): %v", at, k, listImage(img), err)
					}
					if len(ids) < len(acked) || len(ids) > len(tried) || !slices.Equal(ids, tried[:len(ids)]) {
						t.Fatalf("crash at operation %d, image %d (%s): the store holds %v; acknowledged %v, tried %v",
							at, k, listImage(img), ids, acked, tried)
					}
					if len(ids) > len(acked) {
						torn++
					}
				}
			}
			t.Logf("%d crash points, %d disk images; %d images kept the document under way", clean.ops, images, torn)
		})
	}
}

// listImage describes a disk image: its files and their sizes.
func listImage(img map[string][]byte) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(img)) {
		parts = append(parts, fmt.Sprintf("%s:%d", path.Base(name), len(img[name])))
	}
	return strings.Join(parts, " ")
}

// isSubsequence reports whether the elements of sub appear in s in order.
func isSubsequence(sub, s []string) bool {
	for _, x := range s {
		if len(sub) > 0 && sub[0] == x {
			sub = sub[1:]
		}
	}
	return len(sub) == 0
}

// A write, fsync, rename or removal that fails (a full disk, an I/O error)
// loses no acknowledged document either: Add returns the error, and the
// store, reopened as it is or after a crash at the end, holds every
// document acknowledged before and after the failure.
func TestStoreIOError(t *testing.T) {
	docs := crashDocs()
	extra := text(words(rand.New(rand.NewPCG(5, 6)), 200))
	for _, policy := range []SyncPolicy{SyncEach, SyncGroup} {
		t.Run(fmt.Sprint("policy", policy), func(t *testing.T) {
			clean := newCrashFS(1, nil)
			crashWorkload(clean, policy, docs, false)
			for at := 1; at <= clean.ops; at++ {
				fs := newCrashFS(uint64(at), nil)
				fs.failAt = at
				acked, tried := crashWorkload(fs, policy, docs, true)
				for k, img := range fs.crashImages() {
					ids, err := storeIDs(img, policy, extra)
					if err != nil {
						t.Fatalf("operation %d failed, image %d (%s): %v", at, k, listImage(img), err)
					}
					if !isSubsequence(acked, ids) || !isSubsequence(ids, tried) {
						t.Fatalf("operation %d failed, image %d (%s): the store holds %v; acknowledged %v, tried %v",
							at, k, listImage(img), ids, acked, tried)
					}
				}
			}
		})
	}
}
