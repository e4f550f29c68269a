package main

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// jsonlBlockSize is how much of a JSONL input one parsing job takes: a
// few hundred news articles, so that handing a block to a worker costs
// nothing next to parsing it, while the blocks in flight (three per
// worker) stay a few megabytes. It is larger than readJSONL's buffer, so
// that reads go straight into the block. A line longer than a block gets
// a block of its own, twice as large as needed. (4 MB blocks cost the
// same time at 10^5 documents and, on a 15,000-document corpus, 0.1 s
// more system time and 25 MB more memory: fresh pages.)
const jsonlBlockSize = 1 << 20

// jsonlLine is one non-blank line of a block, parsed by a worker.
type jsonlLine struct {
	b    []byte // the line with its '\n', decoded in place by parsing
	line int    // its line number in the input
	skip bool   // a document this reading does not need: not parsed
	raw  []byte // with -keep on a stream, the line as it came in
	rec  record
	text []byte
	err  error
}

// jsonlBlock is a run of whole lines of a JSONL input.
type jsonlBlock struct {
	lines []jsonlLine
	// err is the error that ended reading after these lines, at line
	// errLine.
	err     error
	errLine int
	done    chan struct{} // closed when every line is parsed
	buf     []byte        // the memory the lines lie in
	// pending counts the holds on buf, where the texts of its documents
	// lie: the reading's own until it has passed every document on, and
	// in the first reading one for each document until ClusterReader
	// releases it. The last one puts buf back in free.
	pending atomic.Int32
	free    chan<- []byte
	release func() // releaseHold, made once per block
}

// releaseHold drops one hold on b.buf.
func (b *jsonlBlock) releaseHold() {
	if b.pending.Add(-1) == 0 {
		select {
		case b.free <- b.buf:
		default:
		}
	}
}

// readJSONLBlocks is readJSONL for the readings that sketch: one
// goroutine reads the input in blocks of whole lines with no copy per
// line, GOMAXPROCS workers parse the blocks (decoding each text in place
// in its block), and the calling goroutine passes
// the documents on in input order, with the same checks and errors as a
// line-by-line reading.
//
// The first reading leaves each block to the texts that lie in it, which
// the sketchers read later, and reads into it again once ClusterReader
// has released every one of them (dedup.Doc.Release), unless it reads a
// stream, whose documents are kept for the second reading. A reading that needs some documents only
// (the second, of the documents that carry boilerplate, a fifth of a
// typical corpus) copies their texts out of the block and reads the next
// blocks into the same memory: it goes through the whole input again,
// and fresh memory for every block would cost a page fault a page and
// the zeroing of every byte.
//
// On an error, the goroutines are told to stop, and the call returns
// without waiting for them when in is a file or a pipe: a read in
// progress may never end if the pipe's writer stalls, and closing the
// file ends it. When in reads through a decompressor (decompressing),
// which the caller closes on return and which must not be closed during
// a read, the call waits for the read in progress.
func (r *reader) readJSONLBlocks(in io.Reader, name string, decompressing bool) error {
	size := jsonlBlockSize
	if r.blockSize > 0 {
		size = r.blockSize
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *jsonlBlock, workers)
	order := make(chan *jsonlBlock, 2*workers)
	stop := make(chan struct{})
	fields := r.fields
	keepRaw := r.inStream != "" && r.keepRaw
	recycle := r.need != nil
	// A stream's documents are kept for the second reading: their texts
	// must not be read over.
	releasing := !recycle && r.inStream == ""
	// Blocks come back in bursts (a batch of sketches releases the
	// documents of several blocks at once); a free list shorter than a
	// burst drops blocks that the reader then allocates again. With room
	// for 4, TestReadJSONLBlocksRelease's saving varied from 2.1 to 2.5 MB
	// of its 4.2 MB input, and fell below its bar under load; with 16
	// (16 MB at the command's block size), 2.49 to 2.56 MB.
	free := make(chan []byte, 16)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for blk := range jobs {
				for i := range blk.lines {
					l := &blk.lines[i]
					if l.skip {
						continue
					}
					if keepRaw {
						l.raw = bytes.Clone(l.b)
					}
					if fields.custom {
						l.rec, l.text, l.err = parseFields(l.b, fields.id, fields.text)
					} else {
						l.rec, l.text, l.err = parseRecord(l.b)
						if recycle {
							l.text = bytes.Clone(l.text)
						}
					}
				}
				close(blk.done)
			}
		})
	}
	need, n := r.need, r.n
	go func() {
		defer close(order)
		defer close(jobs)
		var carry []byte
		lineNo := 0
		// The lines of the block before: the next one's lines are
		// allocated once, at about that count (a block's lines grown by
		// append took 0.26 s of CPU at 10^6 documents, and twice their
		// memory in copies).
		lastLines := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			var buf []byte
			select {
			case buf = <-free:
			default:
			}
			if want := max(size, 2*len(carry)); cap(buf) < want {
				buf = make([]byte, want)
			}
			buf = buf[:cap(buf)]
			k := copy(buf, carry) // carry may lie in buf itself, recycled: copy moves
			// Fill the block (not io.ReadFull, which would read a
			// decompressor's io.ErrUnexpectedEOF, a truncated input, as
			// the end of a short one).
			m := k
			var err error
			for m < len(buf) && err == nil {
				var got int
				got, err = in.Read(buf[m:])
				m += got
			}
			buf = buf[:m]
			end := err != nil
			if errors.Is(err, io.EOF) {
				err = nil
			}
			cut := len(buf)
			if !end {
				cut = bytes.LastIndexByte(buf, '\n') + 1
				if cut == 0 { // a line longer than the block
					carry = buf
					continue
				}
			}
			carry = buf[cut:]
			blk := &jsonlBlock{done: make(chan struct{}), err: err, buf: buf, free: free}
			if lastLines > 0 {
				blk.lines = make([]jsonlLine, 0, lastLines+lastLines/4)
			}
			for p := 0; p < cut; {
				q := cut
				if e := bytes.IndexByte(buf[p:cut], '\n'); e >= 0 {
					q = p + e + 1
				}
				b := buf[p:q:q]
				p = q
				lineNo++
				if lineNo == 1 {
					b = bytes.TrimPrefix(b, []byte("\ufeff")) // a byte-order mark
				}
				if len(bytes.TrimSpace(b)) == 0 {
					continue
				}
				blk.lines = append(blk.lines, jsonlLine{b: b, line: lineNo, skip: need != nil && !need(n)})
				n++
			}
			lastLines = len(blk.lines)
			if err != nil {
				// A line-by-line reading names the line it was reading:
				// the unfinished one, or the next.
				blk.errLine = lineNo
				if cut == 0 || buf[cut-1] == '\n' {
					blk.errLine++
				}
			}
			select {
			case order <- blk:
			case <-stop:
				return
			}
			select {
			case jobs <- blk:
			case <-stop:
				return
			}
			if end {
				return
			}
		}
	}()
	finish := func(err error) error {
		close(stop)
		if err == nil || decompressing {
			for range order {
			}
			wg.Wait()
		}
		return err
	}
	defer func() { r.block = nil }()
	for blk := range order {
		<-blk.done
		blk.pending.Store(1) // the reading's own hold
		if releasing {
			blk.release = blk.releaseHold
			r.block = blk
		}
		for i := range blk.lines {
			l := &blk.lines[i]
			if l.skip {
				r.skipped(len(l.b))
				continue
			}
			if err := r.addParsed(l.rec, l.text, l.raw, l.err, name, l.line); err != nil {
				return finish(err)
			}
		}
		if blk.err != nil {
			return finish(&inputError{path: name, line: blk.errLine, msg: "cannot read: " + blk.err.Error()})
		}
		if recycle || releasing {
			// The second reading cloned the texts it passed on: its
			// hold is the last one.
			r.block, blk.lines = nil, nil
			blk.releaseHold()
		}
	}
	return finish(nil)
}
