package dedup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neardup/neardup/shingle"
)

const (
	logMagic      = "NDUPLOG1"
	snapMagic     = "NDUPSNP1"
	maxRecordSize = 1 << 24 // a record is a sketch and a document's lines
	recDocument   = 1       // a document, filed under its keys
	recCopy       = 2       // an exact copy of a filed document, under none
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func snapName(gen uint64) string { return fmt.Sprintf("snap-%016x", gen) }

func logName(gen uint64) string { return fmt.Sprintf("log-%016x", gen) }

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
