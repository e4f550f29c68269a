package dedup

import (
	"encoding/binary"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/cespare/xxhash/v2"
)

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
