package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
)

// splitAll returns the spans the pipeline splits a file into.
func splitAll(t *testing.T, path string, file int, rangeBytes int64) []span {
	t.Helper()
	var spans []span
	if err := (&splitFn{RangeBytes: rangeBytes}).ProcessElement(context.Background(), input{file, path}, func(s span) { spans = append(spans, s) }); err != nil {
		t.Fatal(err)
	}
	return spans
}

// readAll reads every span of a file, as the pipeline splits it, and
// returns the lines as "position:line".
func readAll(t *testing.T, path string, file int, rangeBytes int64) []string {
	t.Helper()
	var got []string
	for _, sp := range splitAll(t, path, file, rangeBytes) {
		err := readSpan(context.Background(), sp, func(pos int64, line []byte) error {
			got = append(got, fmt.Sprintf("%d:%s", pos, line))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// Every non-blank line is read once, by the range that holds its first
// byte, with its file and offset as position, whatever the range size;
// a gzip file is read whole.
func TestReadSpans(t *testing.T) {
	dir := t.TempDir()
	text := "\ufeff{\"id\":\"a\"}\n\n   \n{\"id\":\"b\",\"text\":\"" + strings.Repeat("x", 300) + "\"}\r\n{\"id\":\"c\"}\n\n{\"id\":\"d\"}"
	var want []string
	off := 0
	for _, l := range strings.SplitAfter(text, "\n") {
		if off == 0 {
			l = strings.TrimPrefix(l, "\ufeff") // dropped, as the command drops it
			off = len("\ufeff")
			if l == "" {
				continue
			}
			want = append(want, fmt.Sprintf("%d:%s", int64(3)<<fileShift, l))
			off += len(l)
			continue
		}
		if strings.TrimSpace(l) != "" {
			want = append(want, fmt.Sprintf("%d:%s", int64(3)<<fileShift|int64(off), l))
		}
		off += len(l)
	}
	plain := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(plain, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{1, 2, 3, 9, 10, 11, 12, 13, 50, 311, 330, int64(len(text)) - 1, int64(len(text)), 1 << 20} {
		if diff := cmp.Diff(want, readAll(t, plain, 3, size)); diff != "" {
			t.Errorf("ranges of %d bytes (-want +got):\n%s", size, diff)
		}
	}
	// Compressed files are told by their content, whatever their name,
	// and read whole.
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text))
	w.Close()
	zw, _ := zstd.NewWriter(nil)
	for name, data := range map[string][]byte{"gzip.jsonl": gz.Bytes(), "zstd.bin": zw.EncodeAll([]byte(text), nil)} {
		packed := filepath.Join(dir, name)
		if err := os.WriteFile(packed, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, readAll(t, packed, 3, 4)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// parse refuses what the command refuses.
func TestParse(t *testing.T) {
	for line, ok := range map[string]bool{
		`{"id":"a","text":"x"}`:                          true,
		`{"id":"a\ufffd","text":"x"}`:                    true,
		"{\"id\":\"a\ufffd\",\"text\":\"x\"}":            true,
		`{"id":"a","text":"x","cluster":"c","kind":"k"}`: true,
		`{"id":"a\ud800","text":"x"}`:                    false,
		"{\"id\":\"a\xff\",\"text\":\"x\"}":              false,
		`{"id":"","text":"x"}`:                           false,
		`{"id":7,"text":"x"}`:                            false,
		`{"id":"a"}`:                                     false,
		`{"id":"a","text":"x","canonical_ok":"yes"}`:     false,
		`{"id":"a","text":"x","cluster":1}`:              false,
	} {
		if _, _, err := parse(0, []byte(line)); (err == nil) != ok {
			t.Errorf("parse(%s): %v", line, err)
		}
	}
}
