package dedup

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
)

// spill keeps the chunks of a corpus's sketches in a temporary file
// instead of memory (Config.SpillDir). Chunks are the largest part of a
// sketch (about 250 bytes of a generated article's 700) and the one read
// least: alignment reads them for the few candidate pairs that no cheaper
// rule decides, and exact keys and run keys read them once a stage. The
// signature, counts and number sample, which every candidate pair reads,
// stay in memory.
//
// The file has no name once created where the system allows it (Unix):
// it goes when the last sketch that refers to it is collected, or when
// the process ends. Elsewhere a cleanup removes it once the sketches are
// collected. A spill is written by one goroutine at a time and read by
// any number once written; reading never blocks writing's buffer, since
// ClusterReader flushes before each stage that reads.
type spill struct {
	f   *os.File
	w   *bufio.Writer // appends at end
	end int64         // chunks written or buffered
	buf []byte        // encoding scratch for writes
	firstError
}

// A sketch whose chunks lie in a spill holds their place as one number:
// the index of its first chunk in the file, shifted above its chunk
// count (at most maxChunks, so coldLenBits bits).
const (
	coldLenBits = 11
	coldLenMask = 1<<coldLenBits - 1
)

// spillBuffer is the write buffer of a spill: a few hundred sketches'
// chunks a system call.
const spillBuffer = 1 << 20

func newSpill(dir string) (*spill, error) {
	f, named, err := createTemp(dir, "neardup-chunks-*")
	if err != nil {
		return nil, err
	}
	sp := &spill{f: f, w: bufio.NewWriterSize(f, spillBuffer)}
	runtime.AddCleanup(sp, func(f *os.File) { removeTemp(f, named) }, f)
	return sp, nil
}

// createTemp creates a temporary file in dir and removes its name where
// an open file can lose it; named reports whether it kept it.
func createTemp(dir, pattern string) (f *os.File, named bool, err error) {
	f, err = os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, false, fmt.Errorf("dedup: spill: %w", err)
	}
	return f, os.Remove(f.Name()) != nil, nil // Windows keeps an open file's name
}

// removeTemp closes a file of createTemp and removes it.
func removeTemp(f *os.File, named bool) {
	f.Close()
	if named {
		os.Remove(f.Name())
	}
}

// firstError keeps the first I/O error of a spill file, which several
// goroutines may meet at once.
type firstError struct {
	mu  sync.Mutex
	err error
}

// fail records err if it is the first.
func (e *firstError) fail(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = fmt.Errorf("dedup: spill: %w", err)
	}
}

// first returns the first error.
func (e *firstError) first() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// error returns the first I/O error the spill met.
func (sp *spill) error() error {
	if sp == nil {
		return nil
	}
	return sp.first()
}

// encode returns c little-endian in sp's scratch.
func (sp *spill) encode(c []chunk) []byte {
	b := sp.buf[:0]
	for _, v := range c {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	sp.buf = b
	return b
}

// put appends c and returns its place.
func (sp *spill) put(c []chunk) uint64 {
	at := uint64(sp.end)<<coldLenBits | uint64(len(c))
	if _, err := sp.w.Write(sp.encode(c)); err != nil {
		sp.fail(err)
	}
	sp.end += int64(len(c))
	return at
}

// replace writes c in the place of chunks at, if it fits there, and
// returns its place; otherwise it appends it. The place must have been
// flushed.
func (sp *spill) replace(at uint64, c []chunk) uint64 {
	if len(c) > int(at&coldLenMask) {
		return sp.put(c)
	}
	if _, err := sp.f.WriteAt(sp.encode(c), int64(at>>coldLenBits)*4); err != nil {
		sp.fail(err)
	}
	return at&^coldLenMask | uint64(len(c))
}

// flush writes what is buffered, so that reads see it.
func (sp *spill) flush() error {
	if sp == nil {
		return nil
	}
	if err := sp.w.Flush(); err != nil {
		sp.fail(err)
	}
	return sp.error()
}

// chunkBuf holds the chunks of a sketch read from a spill.
type chunkBuf struct {
	raw []byte
	c   []chunk
}

// read returns the chunks at, read into buf. After an error, recorded in
// sp, it returns none.
func (sp *spill) read(buf *chunkBuf, at uint64) []chunk {
	n := int(at & coldLenMask)
	if cap(buf.raw) < 4*n {
		buf.raw = make([]byte, 4*maxChunks)
		buf.c = make([]chunk, maxChunks)
	}
	raw := buf.raw[:4*n]
	if _, err := sp.f.ReadAt(raw, int64(at>>coldLenBits)*4); err != nil {
		sp.fail(err)
		return nil
	}
	c := buf.c[:n]
	for i := range c {
		c[i] = chunk(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return c
}

// chunkCount returns the number of s's chunks.
func (s *Sketch) chunkCount() int {
	if s.cold != nil {
		return int(s.coldAt & coldLenMask)
	}
	return len(s.chunks)
}

// chunksIn returns s's chunks: its own, or, if they lie in a spill, read
// into buf (a new one if buf is nil). What it returns from buf is valid
// until buf is used again.
func (s *Sketch) chunksIn(buf *chunkBuf) []chunk {
	if s.cold == nil {
		return s.chunks
	}
	if buf == nil {
		buf = new(chunkBuf)
	}
	return s.cold.read(buf, s.coldAt)
}

// chunkBufs serves Compare and exact keys, which read two sketches'
// chunks at once from a spill without allocating.
var chunkBufs = sync.Pool{New: func() any { return new([2]chunkBuf) }}

// lineSpill holds the documents' lines between the first reading and
// boilerplate learning, with Config.SpillDir: all of them, 16 bytes a
// line, are the largest thing a first reading keeps (109 MB at 10^6
// generated documents, and 24 bytes a document for their slices), and
// learning needs only the few that recur (see recurringLines), found in
// two passes over them. Records are a document's place and line count,
// then its lines, in the order the documents were sketched.
type lineSpill struct {
	f     *os.File
	named bool
	w     *bufio.Writer
	total int // lines
	buf   []byte
	err   error
}

func newLineSpill(dir string) (*lineSpill, error) {
	f, named, err := createTemp(dir, "neardup-lines-*")
	if err != nil {
		return nil, err
	}
	return &lineSpill{f: f, named: named, w: bufio.NewWriterSize(f, spillBuffer)}, nil
}

// put records document i's lines.
func (ls *lineSpill) put(i int, lines []docLine) {
	b := binary.LittleEndian.AppendUint32(ls.buf[:0], uint32(i))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(lines)))
	for _, l := range lines {
		b = binary.LittleEndian.AppendUint64(b, l.Hash)
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Words))
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Pos))
	}
	ls.buf = b
	if _, err := ls.w.Write(b); err != nil && ls.err == nil {
		ls.err = err
	}
	ls.total += len(lines)
}

// each calls f with every document's lines, in the order put had them;
// the slice is reused after f returns.
func (ls *lineSpill) each(f func(i int, lines []docLine)) error {
	if ls.err == nil {
		ls.err = ls.w.Flush()
	}
	if ls.err != nil {
		return fmt.Errorf("dedup: spill: %w", ls.err)
	}
	r := bufio.NewReaderSize(io.NewSectionReader(ls.f, 0, math.MaxInt64), spillBuffer)
	var head [8]byte
	var raw []byte
	var lines []docLine
	for {
		if _, err := io.ReadFull(r, head[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("dedup: spill: %w", err)
		}
		i, n := binary.LittleEndian.Uint32(head[:]), int(binary.LittleEndian.Uint32(head[4:]))
		raw = slices.Grow(raw[:0], 16*n)[:16*n]
		if _, err := io.ReadFull(r, raw); err != nil {
			return fmt.Errorf("dedup: spill: %w", err)
		}
		lines = slices.Grow(lines[:0], n)[:n]
		for k := range lines {
			b := raw[16*k:]
			lines[k] = docLine{Hash: binary.LittleEndian.Uint64(b), Words: int32(binary.LittleEndian.Uint32(b[8:])), Pos: int32(binary.LittleEndian.Uint32(b[12:]))}
		}
		f(int(i), lines)
	}
}

// close removes the file.
func (ls *lineSpill) close() {
	if ls != nil {
		removeTemp(ls.f, ls.named)
	}
}
