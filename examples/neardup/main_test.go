package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../../testdata/golden")

type outRecord struct {
	ID         string  `json:"id"`
	Cluster    string  `json:"cluster"`
	Canonical  bool    `json:"canonical"`
	Similarity float64 `json:"similarity"`
}

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func parse(t *testing.T, out string) []outRecord {
	t.Helper()
	var recs []outRecord
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r outRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// The embedded sample: 000 and 001 are one cluster with 001 canonical;
// 002, 003, 004 are singletons. The whole output is also a golden file.
func TestSample(t *testing.T) {
	out, _, err := runCLI(t, "", "-q")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "..", "testdata", "golden", "seeds.jsonl")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out); diff != "" {
		t.Errorf("output differs from %s (-want +got); run go test -update if the change is intended:\n%s", golden, diff)
	}
	type short struct {
		ID, Cluster string
		Canonical   bool
	}
	var got []short
	for _, r := range parse(t, out) {
		got = append(got, short{r.ID[:3], r.Cluster[:3], r.Canonical})
	}
	wantShort := []short{
		{"000", "001", false},
		{"001", "001", true},
		{"002", "002", true},
		{"003", "003", true},
		{"004", "004", true},
	}
	if diff := cmp.Diff(wantShort, got); diff != "" {
		t.Errorf("seed clusters mismatch (-want +got):\n%s", diff)
	}
}

// The embedded sample must not drift from the project's testdata.
func TestSampleMatchesTestdata(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "seeds", "*.txt"))
	if len(paths) != 5 {
		t.Fatalf("found %d seeds in testdata", len(paths))
	}
	for _, p := range paths {
		want, _ := os.ReadFile(p)
		got, err := sample.ReadFile("testdata/seeds/" + filepath.Base(p))
		if err != nil || !bytes.Equal(want, got) {
			t.Errorf("embedded %s differs from %s (%v)", filepath.Base(p), p, err)
		}
	}
}

func TestDirectoryAndJSONLAgree(t *testing.T) {
	dir := t.TempDir()
	var jsonl strings.Builder
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "seeds", "*.txt"))
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		sub := filepath.Join(dir, "nested")
		os.MkdirAll(sub, 0o755)
		os.WriteFile(filepath.Join(sub, filepath.Base(p)), b, 0o644)
		line, _ := json.Marshal(map[string]any{"id": "nested/" + filepath.Base(p), "text": string(b), "extra": 1})
		jsonl.Write(line)
		jsonl.WriteByte('\n')
	}
	fromDir, _, err := runCLI(t, "", "-q", dir)
	if err != nil {
		t.Fatal(err)
	}
	fromStdin, _, err := runCLI(t, jsonl.String(), "-q", "-")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromDir, fromStdin); diff != "" {
		t.Errorf("directory and JSONL input differ (-dir +jsonl):\n%s", diff)
	}
	if recs := parse(t, fromDir); len(recs) != 5 || recs[0].ID != "nested/000_773b4760278ac736.txt" || recs[0].Cluster != "nested/001_f24a8f6e5e635755.txt" {
		t.Errorf("ids are not paths relative to the directory: %+v", recs)
	}
}

func TestSummaryAndExplain(t *testing.T) {
	_, stderr, err := runCLI(t, "", "-explain")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 documents", "4 clusters", "canonical 001_f24a8f6e5e635755.txt: has real numbers", "coverage 1.000 × numbers 0.90"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.jsonl", `{"id":"a","text":"x y z"}`+"\n")
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"invalid JSON", []string{write("bad.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{oops\n")}, "", "bad.jsonl:2: invalid JSON"},
		{"missing id", []string{write("noid.jsonl", "\n{\"text\":\"x\"}\n")}, "", "noid.jsonl:2: missing \"id\""},
		{"missing text", []string{write("notext.jsonl", "{\"id\":\"b\"}\n")}, "", "notext.jsonl:1: missing \"text\""},
		{"duplicate id across files", []string{good, "-"}, `{"id":"a","text":"q"}`, `<stdin>:1: duplicate id "a" (first seen at ` + good + ":1)"},
		{"unreadable file", []string{filepath.Join(dir, "nope.jsonl")}, "", "nope.jsonl: cannot read"},
		{"bad flag combination", []string{"-bands", "4"}, "", "-bands and -rows go together"},
		{"bands × rows over the hashes", []string{"-bands", "50", "-rows", "5"}, "", "exceed the 128 hashes"},
		{"threshold NaN", []string{"-threshold", "NaN"}, "", "-threshold NaN: want a number in (0, 1]"},
		{"threshold negative", []string{"-threshold", "-1"}, "", "-threshold -1"},
		{"threshold 0 would read as the default", []string{"-threshold", "0"}, "", "-threshold 0"},
		{"containment over 1", []string{"-containment", "1.2"}, "", "-containment 1.2"},
		{"min-contained negative", []string{"-min-contained", "-1"}, "", "-min-contained -1"},
		{"hashes negative", []string{"-hashes", "-1"}, "", "-hashes -1: want 1 to 4096"},
		{"shingle out of range", []string{"-shingle", "17"}, "", "-shingle 17: want 1 to 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCLI(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("wrote output despite the error:\n%s", out)
			}
		})
	}
}

func TestEval(t *testing.T) {
	var jsonl strings.Builder
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "seeds", "*.txt"))
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		id := filepath.Base(p)[:3]
		cluster := id
		if id == "000" {
			cluster = "001"
		}
		line, _ := json.Marshal(map[string]any{"id": id, "text": string(b), "cluster": cluster, "canonical_ok": id != "000", "kind": "original", "lang": "vi"})
		jsonl.Write(line)
		jsonl.WriteByte('\n')
	}
	_, stderr, err := runCLI(t, jsonl.String(), "-q", "-eval", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pairwise  P 1.0000  R 1.0000  F1 1.0000   ARI 1.0000", "canonical accuracy 1.0000 (1/1"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("-eval report lacks %q:\n%s", want, stderr)
		}
	}
	if _, _, err := runCLI(t, "", "-eval"); err == nil || !strings.Contains(err.Error(), "carry a gold") {
		t.Errorf("-eval without labels: error %v", err)
	}
}

// The progress line gives rates, and the share done and time left when
// the input size is known; it stays off where it is not enabled.
func TestProgress(t *testing.T) {
	p := newProgress(io.Discard, false, 10e6, time.Hour)
	p.setStage("reading and sketching")
	p.start = time.Unix(100, 0)
	for range 1000 {
		p.read(2500) // 2.5 MB in all
	}
	got := p.line(time.Unix(102, 0))
	want := "neardup: reading and sketching: 1000 docs, 2.5 MB, 500 docs/s, 1.2 MB/s, 25%, 6s left"
	if got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	p.done() // not started: a no-op
	var buf strings.Builder
	if err := run([]string{"../../testdata/seeds"}, nil, io.Discard, &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\r") {
		t.Errorf("progress written to a non-terminal: %q", buf.String())
	}
}

// Inputs a crawl or a shell produces: standard input given twice, pipes,
// devices and names that are not UTF-8 in a directory, a byte-order mark,
// ids that are not valid UTF-8, a pipe given as a path.
func TestInputRobust(t *testing.T) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	orig := readTestFile(t, "../../testdata/fixtures/original.txt")
	if err := os.WriteFile(filepath.Join(docs, "a.txt"), orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "bad\xff.txt"), orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(docs, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(docs, "zero.txt")); err != nil {
		t.Fatal(err)
	}
	t.Run("a directory with a pipe, a device and a name that is not UTF-8", func(t *testing.T) {
		out, stderr, err := runWithin(t, 20*time.Second, "", "-q", docs)
		if err != nil || len(parse(t, out)) != 1 {
			t.Fatalf("error %v, output %q; want one document, a.txt", err, out)
		}
		for _, want := range []string{`skipped "` + filepath.Join(docs, "bad\\xff.txt") + `": the file name is not valid UTF-8`,
			`pipe.txt": not a regular file`, `zero.txt": not a regular file`} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr %q lacks %q", stderr, want)
			}
		}
	})
	t.Run("standard input twice", func(t *testing.T) {
		_, _, err := runCLI(t, `{"id":"a","text":"x"}`, "-", "-")
		if err == nil || !strings.Contains(err.Error(), `"-" (standard input) can be read once`) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a byte-order mark", func(t *testing.T) {
		out, _, err := runCLI(t, "\ufeff"+`{"id":"a","text":"x y z"}`+"\n", "-q", "-")
		if err != nil || len(parse(t, out)) != 1 {
			t.Errorf("error %v, output %q", err, out)
		}
	})
	for name, line := range map[string]string{"invalid bytes": "{\"id\":\"a\xff\",\"text\":\"x\"}", "a lone surrogate": `{"id":"a\udc00","text":"x"}`} {
		t.Run("an id with "+name, func(t *testing.T) {
			_, _, err := runCLI(t, line+"\n", "-q", "-")
			if err == nil || !strings.Contains(err.Error(), `<stdin>:1: "id" is not valid UTF-8`) {
				t.Errorf("error %v", err)
			}
		})
	}
	t.Run("an id spelling U+FFFD is kept", func(t *testing.T) {
		out, _, err := runCLI(t, `{"id":"a\ufffd","text":"x"}`+"\n", "-q", "-")
		if err != nil || !strings.Contains(out, `"id":"a`+"\ufffd"+`"`) {
			t.Errorf("error %v, output %q", err, out)
		}
	})
	t.Run("a pipe given as a path is read once and kept", func(t *testing.T) {
		fifo := filepath.Join(dir, "in.jsonl")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		boiler := strings.Repeat("Trang chủ | Thời sự | Thế giới | Kinh tế\n", 1)
		var lines strings.Builder
		for i, f := range []string{"original", "boilerplate", "other_002", "other_003", "other_004"} {
			text := string(readTestFile(t, "../../testdata/fixtures/"+f+".txt"))
			if i > 0 {
				text = boiler + text
			}
			b, _ := json.Marshal(map[string]string{"id": f, "text": text})
			lines.Write(append(b, '\n'))
		}
		go func() {
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.WriteString(lines.String())
				w.Close()
			}
		}()
		// The second reading (the four pages with boilerplate) comes from
		// memory: opening the pipe again would wait for a writer forever.
		out, stderr, err := runWithin(t, 20*time.Second, "", fifo)
		if err != nil || len(parse(t, out)) != 5 || !strings.Contains(stderr, "found in 4 documents") {
			t.Errorf("error %v, %d documents out, stderr %q", err, len(parse(t, out)), stderr)
		}
	})
}

// runWithin is runCLI, failing the test if it has not returned within d.
func runWithin(t *testing.T, d time.Duration, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	done := make(chan struct{})
	go func() { stdout, stderr, err = runCLI(t, stdin, args...); close(done) }()
	select {
	case <-done:
		return stdout, stderr, err
	case <-time.After(d):
		t.Fatalf("neardup %q still running after %v", args, d)
		return
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1.5GB", 1_500_000_000, true},
		{"1400MB", 1_400_000_000, true},
		{"1300MiB", 1300 << 20, true},
		{"2gib", 2 << 30, true},
		{"123", 123, true},
		{"64 KB", 64_000, true},
		{"", 0, false},
		{"GB", 0, false},
		{"-1GB", 0, false},
		{"0", 0, false},
		{"1.5XB", 0, false},
		{"1e30TB", 0, false},
	} {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if _, _, err := runCLI(t, "", "-q", "-mem", "lots"); err == nil || !strings.Contains(err.Error(), "-mem") {
		t.Errorf("-mem lots: error %v", err)
	}
	if _, _, err := runCLI(t, "", "-q", "-mem", "1GB"); err != nil {
		t.Errorf("-mem 1GB: %v", err)
	}
}

// -timings names every stage of a run, in order, with its wall time.
func TestTimings(t *testing.T) {
	_, stderr, err := runCLI(t, "", "-q", "-timings")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^neardup: time by stage: reading and sketching [0-9.]+s, learning boilerplate [0-9.]+s, (re-reading documents with boilerplate [0-9.]+s, clustering [0-9.]+s, )?writing [0-9.]+s\n$`)
	if !re.MatchString(stderr) {
		t.Errorf("stderr %q does not match %s", stderr, re)
	}
}

// -spill, and -mem, which implies it, give the output of a run in memory;
// a spill directory that cannot take files is an error.
func TestSpill(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fixtures")
	want, _, err := runCLI(t, "", "-q", in)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-spill", t.TempDir()}, {"-mem", "4GB"}} {
		got, _, err := runCLI(t, "", append(append([]string{"-q"}, args...), in)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v differs (-memory +spill):\n%s", args, diff)
		}
	}
	if _, _, err := runCLI(t, "", "-q", "-spill", filepath.Join(t.TempDir(), "absent"), in); err == nil {
		t.Error("-spill to a directory that does not exist gave no error")
	}
}
