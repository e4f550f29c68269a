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

// spill keeps the chunks and number samples of a corpus's sketches in a
// temporary file instead of memory (Config.SpillDir). Chunks are the
// largest part of a sketch (about 250 bytes of a generated article's 700)
// and the one read least: alignment reads them for the few candidate
// pairs that no cheaper rule decides, and exact keys and run keys read
// them once a stage. Number samples (about 70 bytes) are read for the
// pairs that the signatures already match, to tell a copy from a
// template report, and by exact keys; a sketch's chunks and numbers lie
// side by side, so that an exact key reads both at once. The signature
// and the counts, which every candidate pair reads, stay in memory.
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
	end int64         // 4-byte words (chunks, numbers) written or buffered
	buf []byte        // encoding scratch for writes
	firstError
}

// A sketch whose chunks lie in a spill holds their place as one number:
// the index of its first chunk in the file (chunks and numbers are 4
// bytes each), shifted above the length of its number sample
// (coldNumBits bits) and its chunk count (at most maxChunks, so
// coldLenBits bits). A number sample holds the entries of at most
// numberSketchSize 16-bit context hashes, one each unless occurrences'
// hashes collide: a text of N numbers puts about N/65,536 entries on each
// of its smallest hashes, so 8 bits count the sample of any text of up to
// about half a million numbers. A longer sample (a table of a million
// rows) stays in memory.
const (
	coldLenBits = 11
	coldLenMask = 1<<coldLenBits - 1
	coldNumBits = 8
	coldNumMask = 1<<coldNumBits - 1
	coldAtShift = coldLenBits + coldNumBits
)

// coldPlace returns the place of a record of chunks and nums at word off.
func coldPlace(off int64, chunks, nums int) uint64 {
	return uint64(off)<<coldAtShift | uint64(nums)<<coldLenBits | uint64(chunks)
}

// coldCounts returns the chunk and number counts of a place.
func coldCounts(at uint64) (chunks, nums int) {
	return int(at & coldLenMask), int(at >> coldLenBits & coldNumMask)
}

// coldNumbers returns the part of a number sample that a spill takes: all
// of it, or none if it is too long for a place to count.
func coldNumbers(n []numberInContext) []numberInContext {
	if len(n) > coldNumMask {
		return nil
	}
	return n
}

// spillBuffer is the write buffer of a spill: a few hundred sketches'
// chunks and numbers a system call.
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

// encode returns c and then n, little-endian, in sp's scratch.
func (sp *spill) encode(c []chunk, n []numberInContext) []byte {
	b := sp.buf[:0]
	for _, v := range c {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, e := range n {
		b = binary.LittleEndian.AppendUint16(b, e.Context)
		b = binary.LittleEndian.AppendUint16(b, e.Value)
	}
	sp.buf = b
	return b
}

// put appends c and n and returns their place; n must be no longer than
// coldNumMask (see coldNumbers).
func (sp *spill) put(c []chunk, n []numberInContext) uint64 {
	at := coldPlace(sp.end, len(c), len(n))
	if _, err := sp.w.Write(sp.encode(c, n)); err != nil {
		sp.fail(err)
	}
	sp.end += int64(len(c) + len(n))
	return at
}

// replace writes c and n in the place of the record at, if they fit
// there, and returns their place; otherwise it appends them. The place
// must have been flushed.
func (sp *spill) replace(at uint64, c []chunk, n []numberInContext) uint64 {
	oc, on := coldCounts(at)
	if len(c)+len(n) > oc+on {
		return sp.put(c, n)
	}
	off := int64(at >> coldAtShift)
	if _, err := sp.f.WriteAt(sp.encode(c, n), off*4); err != nil {
		sp.fail(err)
	}
	return coldPlace(off, len(c), len(n))
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

// chunkBuf holds the chunks and numbers of a sketch read from a spill.
type chunkBuf struct {
	raw []byte
	c   []chunk
	n   []numberInContext
}

// read returns the record at, read into buf: its chunks if chunks is
// set, its numbers if nums is, in one read. After an error, recorded in
// sp, it returns none.
func (sp *spill) read(buf *chunkBuf, at uint64, chunks, nums bool) ([]chunk, []numberInContext) {
	nc, nn := coldCounts(at)
	off, words := int64(at>>coldAtShift), 0
	if chunks {
		words += nc
	} else {
		off += int64(nc)
	}
	if nums {
		words += nn
	}
	// Sized to the record, not to the largest: a pooled buffer grows to
	// the largest it meets once, and a buffer made for one read (a
	// sketch's fields, its encoding) takes what that read needs.
	if cap(buf.raw) < 4*words {
		buf.raw = make([]byte, 4*words)
	}
	if chunks && cap(buf.c) < nc {
		buf.c = make([]chunk, nc)
	}
	if nums && cap(buf.n) < nn {
		buf.n = make([]numberInContext, nn)
	}
	raw := buf.raw[:4*words]
	if _, err := sp.f.ReadAt(raw, off*4); err != nil {
		sp.fail(err)
		return nil, nil
	}
	var c []chunk
	if chunks {
		c = buf.c[:nc]
		for i := range c {
			c[i] = chunk(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		raw = raw[4*nc:]
	}
	var n []numberInContext
	if nums {
		n = buf.n[:nn]
		for i := range n {
			n[i] = numberInContext{binary.LittleEndian.Uint16(raw[4*i:]), binary.LittleEndian.Uint16(raw[4*i+2:])}
		}
	}
	return c, n
}

// chunkCount returns the number of s's chunks.
func (s *Sketch) chunkCount() int {
	if s.cold != nil {
		nc, _ := coldCounts(s.coldAt)
		return nc
	}
	return len(s.chunks)
}

// chunksIn returns s's chunks: its own, or, if they lie in a spill, read
// into buf (a new one if buf is nil). What it returns from buf is valid
// until buf is used again.
func (s *Sketch) chunksIn(buf *chunkBuf) []chunk {
	c, _ := s.coldIn(buf, true, false)
	return c
}

// numbersIn returns s's number sample as chunksIn returns its chunks.
func (s *Sketch) numbersIn(buf *chunkBuf) []numberInContext {
	_, n := s.coldIn(buf, false, true)
	return n
}

// coldIn returns s's chunks if chunks is set and its number sample if
// nums is, each its own or read from its spill into buf (a new one if
// buf is nil), both at once.
func (s *Sketch) coldIn(buf *chunkBuf, chunks, nums bool) ([]chunk, []numberInContext) {
	c, n := s.chunks, s.numbers.Sample
	if s.cold == nil {
		return c, n
	}
	nc, nn := coldCounts(s.coldAt)
	chunks = chunks && nc > 0
	nums = nums && nn > 0
	if !chunks && !nums {
		return c, n // a sample too long to spill stays in memory
	}
	if buf == nil {
		buf = new(chunkBuf)
	}
	rc, rn := s.cold.read(buf, s.coldAt, chunks, nums)
	if chunks {
		c = rc
	}
	if nums {
		n = rn
	}
	return c, n
}

// numbersCold reports whether s's number sample lies in a spill.
func (s *Sketch) numbersCold() bool {
	if s.cold == nil {
		return false
	}
	_, nn := coldCounts(s.coldAt)
	return nn > 0
}

// chunkBufs serves Compare and exact keys, which read two sketches'
// chunks or numbers at once from a spill without allocating.
var chunkBufs = sync.Pool{New: func() any { return new([2]chunkBuf) }}

// withChunkBufs calls f with two buffers from chunkBufs. f does not
// escape, so a closure costs no allocation (TestCompareAllocs).
func withChunkBufs(f func(bufs *[2]chunkBuf)) {
	bufs := chunkBufs.Get().(*[2]chunkBuf)
	f(bufs)
	chunkBufs.Put(bufs)
}

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
