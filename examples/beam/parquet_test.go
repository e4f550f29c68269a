package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"
	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// writeParquet writes rows to a Parquet file in row groups of perGroup
// rows.
func writeParquet[T any](t *testing.T, path string, rows []T, perGroup int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, parquet.MaxRowsPerRowGroup(perGroup))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(w.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
}

// docRow is a document as a Parquet corpus holds it, with a column the
// pipeline does not read.
type docRow struct {
	ID    string `parquet:"id"`
	Text  string `parquet:"text"`
	Score int64  `parquet:"score"`
}

// readParquetAll reads every span of a Parquet file, as the pipeline
// splits it, and returns the documents as "position:id:text", and the
// spans' count.
func readParquetAll(t *testing.T, path string, file int, rangeBytes int64) ([]string, int) {
	t.Helper()
	spans := splitAll(t, path, file, rangeBytes)
	var got []string
	for _, sp := range spans {
		err := readDocs(context.Background(), sp, func(pos int64, id string, text []byte) error {
			got = append(got, fmt.Sprintf("%d:%s:%s", pos, id, text))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return got, len(spans)
}

// Every row is read once, in file order, with its file and row number as
// position, however the row groups fall into spans.
func TestReadParquetSpans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs.parquet")
	var rows []docRow
	var want []string
	for i := range 50 {
		r := docRow{ID: fmt.Sprintf("d%02d", i), Text: strings.Repeat(fmt.Sprintf("word%d ", i), 20+i), Score: int64(i)}
		rows = append(rows, r)
		want = append(want, fmt.Sprintf("%d:%s:%s", int64(2)<<fileShift|int64(i)<<rowShift, r.ID, r.Text))
	}
	writeParquet(t, path, rows, 7) // 8 row groups
	for _, size := range []int64{1, 500, 2000, 1 << 20} {
		got, spans := readParquetAll(t, path, 2, size)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("spans of %d bytes (-want +got):\n%s", size, diff)
		}
		switch {
		case size == 1 && spans != 8:
			t.Errorf("spans of 1 byte: %d spans, want one per row group (8)", spans)
		case size == 1<<20 && spans != 1:
			t.Errorf("spans of 1 MiB: %d spans, want 1", spans)
		}
	}
}

// The pipeline refuses a Parquet file or row that the command refuses:
// a missing, repeated or non-string id or text column before reading,
// and a row without an id, with an empty id, or without a text.
func TestParquetRefusals(t *testing.T) {
	dir := t.TempDir()
	type noText struct {
		ID string `parquet:"id"`
	}
	type intID struct {
		ID   int64  `parquet:"id"`
		Text string `parquet:"text"`
	}
	type listID struct {
		ID   []string `parquet:"id"` // a repeated leaf
		Text string   `parquet:"text"`
	}
	type optional struct {
		ID   *string `parquet:"id,optional"`
		Text *string `parquet:"text,optional"`
	}
	s := func(v string) *string { return &v }
	files := map[string]func(string){
		"no text column":    func(p string) { writeParquet(t, p, []noText{{"a"}}, 10) },
		"int id column":     func(p string) { writeParquet(t, p, []intID{{1, "x"}}, 10) },
		"repeated id":       func(p string) { writeParquet(t, p, []listID{{[]string{"a"}, "x"}}, 10) },
		"row without id":    func(p string) { writeParquet(t, p, []optional{{s("a"), s("x")}, {nil, s("y")}}, 10) },
		"row with empty id": func(p string) { writeParquet(t, p, []optional{{s(""), s("x")}}, 10) },
		"row without text":  func(p string) { writeParquet(t, p, []optional{{s("a"), s("x")}, {s("b"), s("y")}, {s("c"), nil}}, 1) },
	}
	wantErr := map[string]string{
		"no text column":    `no column "text" (columns: id)`,
		"int id column":     `column "id" holds INT64, not strings`,
		"repeated id":       `column "id" is repeated`,
		"row without id":    `row 2: no "id"`,
		"row with empty id": `row 1: empty "id"`,
		"row without text":  `row 3: no "text"`,
	}
	ctx := context.Background()
	for name, write := range files {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".parquet")
		write(path)
		var spans []span
		err := (&splitFn{RangeBytes: 1}).ProcessElement(ctx, input{0, path}, func(s span) { spans = append(spans, s) })
		for _, sp := range spans {
			if err != nil {
				break
			}
			err = readDocs(ctx, sp, func(int64, string, []byte) error { return nil })
		}
		if err == nil || !strings.Contains(err.Error(), wantErr[name]) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file and %q", name, err, wantErr[name])
		}
	}
	// The same rows with ids and texts are read.
	path := filepath.Join(dir, "optional_ok.parquet")
	writeParquet(t, path, []optional{{s("a"), s("x")}, {s("b"), s("")}}, 1)
	got, _ := readParquetAll(t, path, 0, 1)
	if want := []string{"0:a:x", fmt.Sprintf("%d:b:", 1<<rowShift)}; !cmp.Equal(want, got) {
		t.Errorf("optional columns with values: %q, want %q", got, want)
	}
}

// The pipeline on Parquet input writes what the command writes for the
// same files: the first half of the corpus as Parquet rows in several
// spans of row groups, the second half as JSONL after it.
func TestParquetMatchesCLI(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(string(mustRead(t, corpus(t)))), "\n")
	half := len(lines) / 2
	var rows []docRow
	for _, line := range lines[:half] {
		var r struct{ ID, Text string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, docRow{ID: r.ID, Text: r.Text, Score: int64(len(rows))})
	}
	dir := t.TempDir()
	pq, js := filepath.Join(dir, "first.parquet"), filepath.Join(dir, "second.jsonl")
	writeParquet(t, pq, rows, 97)
	if err := os.WriteFile(js, []byte(strings.Join(lines[half:], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, spans := readParquetAll(t, pq, 0, 1<<16); spans < 2 {
		t.Fatalf("the Parquet file is %d span; the test wants several", spans)
	}
	want := runCLI(t, buildCLI(t), "-q", pq, js)
	out := filepath.Join(dir, "result.jsonl")
	opt := Options{Inputs: []string{pq, js}, Output: out, RangeBytes: 1 << 16}
	err := Run(context.Background(), opt, func(ctx context.Context, p *beam.Pipeline) error {
		_, err := direct.Execute(ctx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, want, out)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
