package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/neardup/neardup/dedup"
)

// readJSONLTest reads in as the first reading does and returns what it yields,
// and its error.
func readJSONLTest(t *testing.T, in io.Reader, blockSize int, need func(int) bool) ([]string, string) {
	t.Helper()
	var docs []string
	r := &reader{prog: newProgress(io.Discard, false, 0, 0), streams: make(map[string][]dedup.Doc),
		stderr: io.Discard, blockSize: blockSize, pass: 1, need: need}
	r.fields.id, r.fields.text = fieldPath{"id"}, fieldPath{"text"}
	// The texts are read when the reading is over, as sketching reads
	// them after later blocks have been read.
	var kept []dedup.Doc
	r.yield = func(d dedup.Doc) bool {
		kept = append(kept, d)
		return true
	}
	err := r.readJSONL(in, "in.jsonl")
	for _, d := range kept {
		docs = append(docs, d.ID+" "+string(d.Text))
	}
	if err != nil {
		return docs, err.Error()
	}
	return docs, ""
}

// The block reading yields the documents, and fails with the errors, of
// a line-by-line reading, whatever the block size: lines that straddle
// blocks, lines longer than a block, blank lines, a byte-order mark,
// escapes, a last line without a newline, documents the reading does not
// need, invalid lines and a read error in the middle of a line.
func TestReadJSONLBlocks(t *testing.T) {
	var good bytes.Buffer
	good.WriteString("\ufeff")
	for i := range 300 {
		text := strings.Repeat(fmt.Sprintf("word%d ", i), i%37+i/100*60)
		switch i % 50 {
		case 7:
			good.WriteString("\n  \n")
		case 11:
			text = strings.Repeat("a long line\\n", 400)
		case 13:
			text = `escaped \"quotes\" \u00e9 \ud83d\ude00`
		}
		extra := "" // a nested value sends the line to encoding/json
		if i%5 == 0 {
			extra = `,"x":[1,2]`
		}
		fmt.Fprintf(&good, "{\"id\":\"d%d\",\"text\":\"%s\"%s}\n", i, text, extra)
	}
	good.WriteString(`{"id":"last","text":"no newline"}`)
	gz := func(b []byte) []byte {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(b)
		w.Close()
		return z.Bytes()
	}
	truncated := gz(good.Bytes())
	truncated = truncated[:len(truncated)/2]
	lines := good.Bytes()[:bytes.LastIndexByte(good.Bytes()[:good.Len()/2], '\n')+1]
	failing := func(b []byte) func() io.Reader {
		return func() io.Reader {
			return io.MultiReader(bytes.NewReader(b), iotest.ErrReader(errors.New("disk on fire")))
		}
	}
	reader := func(b []byte) func() io.Reader { return func() io.Reader { return bytes.NewReader(b) } }
	inputs := map[string]func() io.Reader{
		"good":                   reader(good.Bytes()),
		"gzip":                   reader(gz(good.Bytes())),
		"truncated":              reader(truncated),
		"error after a line end": failing(lines),
		"error in a line":        failing(lines[:len(lines)-5]),
		"invalid line":           reader(append(bytes.Clone(lines), "{oops\n"...)),
		"duplicate id":           reader(append(bytes.Clone(good.Bytes()), "\n{\"id\":\"d7\",\"text\":\"x\"}\n"...)),
	}
	needs := map[string]func(int) bool{"all": nil, "odd": func(n int) bool { return n%2 == 1 }}
	for name, in := range inputs {
		for needName, need := range needs {
			want, wantErr := readJSONLTest(t, in(), -1, need)
			if name == "good" && (len(want) != 301 || wantErr != "") {
				t.Fatalf("line by line: %d documents, error %q", len(want), wantErr)
			}
			for _, size := range []int{1, 64, 1000, 4096, 0} {
				got, gotErr := readJSONLTest(t, in(), size, need)
				if gotErr != wantErr {
					t.Errorf("%s, %s, blocks of %d: error %q, line by line %q", name, needName, size, gotErr, wantErr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s, %s, blocks of %d: documents (-line by line +blocks):\n%s", name, needName, size, diff)
				}
			}
		}
	}
}

// stalledPipe returns data, then blocks until released, as a pipe whose
// writer has stopped writing without closing it.
type stalledPipe struct {
	data    []byte
	release chan struct{}
}

func (p *stalledPipe) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		<-p.release
		return 0, io.EOF
	}
	n := copy(b, p.data)
	p.data = p.data[n:]
	return n, nil
}

// An invalid line is reported while the input stalls after it, as a
// line-by-line reading reports it, rather than when the input ends.
func TestReadJSONLBlocksStalledInput(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("{oops\n")
	for in.Len() < 3*jsonlBlockSize/2 {
		fmt.Fprintf(&in, "{\"id\":\"d%d\",\"text\":\"some words of a text\"}\n", in.Len())
	}
	pipe := &stalledPipe{data: in.Bytes(), release: make(chan struct{})}
	defer close(pipe.release)
	done := make(chan string, 1)
	go func() {
		_, err := readJSONLTest(t, pipe, 0, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if !strings.Contains(err, "in.jsonl:1: invalid JSON") {
			t.Errorf("error %q, want in.jsonl:1: invalid JSON", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no error while the input stalls after an invalid line")
	}
}

// In the first reading a block is read into again once every document in
// it is released, and never before: a consumer that reads each text late,
// in random order, just before it releases it, gets what a line-by-line
// reading yields, and the reading allocates a fraction of its input.
func TestReadJSONLBlocksRelease(t *testing.T) {
	var in bytes.Buffer
	for i := 0; in.Len() < 4<<20; i++ {
		fmt.Fprintf(&in, "{\"id\":\"%d\",\"text\":\"%s\"}\n", i, strings.Repeat(fmt.Sprintf("w%d ", i), i%50+1))
	}
	want, _ := readJSONLTest(t, bytes.NewReader(in.Bytes()), -1, nil)
	read := func(release bool) ([]string, uint64) {
		r := &reader{prog: newProgress(io.Discard, false, 0, 0), streams: make(map[string][]dedup.Doc),
			stderr: io.Discard, blockSize: 64 << 10, pass: 1}
		r.fields.id, r.fields.text = fieldPath{"id"}, fieldPath{"text"}
		got := make([]string, len(want))
		var held []dedup.Doc
		rng := rand.New(rand.NewPCG(1, 2))
		flush := func(keep int) {
			for len(held) > keep {
				k := rng.IntN(len(held))
				d := held[k]
				i, err := strconv.Atoi(d.ID)
				if err != nil || i >= len(got) {
					t.Fatalf("document %q", d.ID)
				}
				got[i] = d.ID + " " + string(d.Text)
				if release {
					d.Release()
				}
				held[k] = held[len(held)-1]
				held = held[:len(held)-1]
			}
		}
		r.yield = func(d dedup.Doc) bool {
			if d.Release == nil {
				t.Fatal("a document of the first reading without Release")
			}
			held = append(held, d)
			flush(1000) // about three blocks
			return true
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := r.readJSONL(bytes.NewReader(in.Bytes()), "in.jsonl"); err != nil {
			t.Fatal(err)
		}
		flush(0)
		runtime.ReadMemStats(&after)
		return got, after.TotalAlloc - before.TotalAlloc
	}
	kept, allocKept := read(false)
	released, allocReleased := read(true)
	for name, got := range map[string][]string{"kept": kept, "released": released} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: documents (-line by line +blocks):\n%s", name, diff)
		}
	}
	// Both allocate the texts' copies above; keeping every block costs
	// the input's size on top.
	if saved := int64(allocKept) - int64(allocReleased); saved < int64(in.Len())/2 {
		t.Errorf("releasing saved %d bytes of allocation (%d kept, %d released), want at least half the input's %d",
			saved, allocKept, allocReleased, in.Len())
	}
}
