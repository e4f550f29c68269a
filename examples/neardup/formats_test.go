package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/nlnwa/gowarc/v3"
	"github.com/parquet-go/parquet-go"
)

// corpusJSONL returns the seeds and the fixtures as JSONL: copies,
// teasers, templates and unrelated articles, so that the clusters are not
// trivial.
func corpusJSONL(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, dir := range []string{"seeds", "fixtures"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*.txt"))
		if len(paths) == 0 {
			t.Fatalf("no %s", dir)
		}
		for _, p := range paths {
			line, _ := json.Marshal(map[string]string{"id": dir + "/" + filepath.Base(p), "text": string(readTestFile(t, p))})
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

func gzipped(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, p := range parts { // one gzip member each, as concatenated shards are
		w := gzip.NewWriter(&out)
		w.Write(p)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func zstded(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, p := range parts { // one frame each
		w, err := zstd.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// Compressed JSONL (gzip, zstd; one member or frame, or several
// concatenated) gives the labels of the plain file, byte for byte, from
// a file of any name and from standard input.
func TestCompressedJSONL(t *testing.T) {
	plain := corpusJSONL(t)
	half := bytes.IndexByte(plain[len(plain)/2:], '\n') + len(plain)/2 + 1
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	want, _, err := runCLI(t, "", "-q", write("corpus.jsonl", plain))
	if err != nil {
		t.Fatal(err)
	}
	if recs := parse(t, want); len(recs) < 20 || recs[0].Cluster == recs[1].Cluster && recs[1].Cluster == recs[2].Cluster {
		t.Fatalf("a trivial clustering: %v", recs)
	}
	for name, b := range map[string][]byte{
		"corpus.jsonl.gz":   gzipped(t, plain),
		"shards.jsonl.gz":   gzipped(t, plain[:half], plain[half:]),
		"corpus.jsonl.zst":  zstded(t, plain),
		"shards.jsonl.zst":  zstded(t, plain[:half], plain[half:]),
		"gzip-named.jsonl":  gzipped(t, plain),
		"zstd-no-extension": zstded(t, plain),
	} {
		got, _, err := runCLI(t, "", "-q", write(name, b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: labels differ from the plain file's (-plain +compressed):\n%s", name, diff)
		}
		got, _, err = runCLI(t, string(b), "-q", "-")
		if err != nil {
			t.Fatalf("%s on standard input: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s on standard input: labels differ (-plain +compressed):\n%s", name, diff)
		}
	}
	// A damaged stream is an error naming the file, not a short corpus.
	gz := gzipped(t, plain)
	if _, _, err := runCLI(t, "", "-q", write("cut.jsonl.gz", gz[:len(gz)/2])); err == nil || !bytes.Contains([]byte(err.Error()), []byte("cut.jsonl.gz")) {
		t.Errorf("a truncated gzip file: %v, want an error naming it", err)
	}
}

// -id-field and -text-field read records whose id and text are elsewhere
// (a crawl's url and content, or fields of nested objects) and give the
// labels of the same documents as "id" and "text"; a record without them,
// or with a value that is not a string, is an error naming file and line.
func TestFieldPaths(t *testing.T) {
	plain := corpusJSONL(t)
	var flat, nested bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(plain), []byte("\n")) {
		var r struct{ ID, Text string }
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"url": r.ID, "content": r.Text, "id": 7})
		flat.Write(append(b, '\n'))
		b, _ = json.Marshal(map[string]any{"meta": map[string]any{"url": r.ID, "lang": "vi"}, "body": map[string]any{"text": r.Text}})
		nested.Write(append(b, '\n'))
	}
	want, _, err := runCLI(t, string(plain), "-q", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		in   []byte
		args []string
	}{
		{"url and content", flat.Bytes(), []string{"-id-field", "url", "-text-field", "content"}},
		{"nested", nested.Bytes(), []string{"-id-field", "meta.url", "-text-field", "body.text"}},
	} {
		got, _, err := runCLI(t, string(tt.in), append(append([]string{"-q"}, tt.args...), "-")...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: labels differ from id and text (-want +got):\n%s", tt.name, diff)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "crawl.jsonl")
	os.WriteFile(in, []byte("{\"url\":\"a\",\"content\":\"x y z\"}\n{\"url\":\"b\"}\n"), 0o644)
	if _, _, err := runCLI(t, "", "-q", "-id-field", "url", "-text-field", "content", in); err == nil || err.Error() != in+`:2: missing "content"` {
		t.Errorf("a record without the text field: %v", err)
	}
	os.WriteFile(in, []byte("{\"meta\":{\"url\":5},\"text\":\"x\"}\n"), 0o644)
	if _, _, err := runCLI(t, "", "-q", "-id-field", "meta.url", in); err == nil || err.Error() != in+`:1: "meta.url" is not a string` {
		t.Errorf("a number for the id: %v", err)
	}
	os.WriteFile(in, []byte("{\"meta\":\"x\",\"text\":\"x\"}\n"), 0o644)
	if _, _, err := runCLI(t, "", "-q", "-id-field", "meta.url", in); err == nil || err.Error() != in+`:1: missing "meta.url"` {
		t.Errorf("a string where an object is expected: %v", err)
	}
	if _, _, err := runCLI(t, "", "-q", "-id-field", "meta..url", in); err == nil || !bytes.Contains([]byte(err.Error()), []byte("-id-field")) {
		t.Errorf("an empty key: %v", err)
	}
	os.WriteFile(in, []byte("{\"u\":\"a\\ud800\",\"text\":\"x\"}\n"), 0o644)
	if _, _, err := runCLI(t, "", "-q", "-id-field", "u", in); err == nil || !bytes.Contains([]byte(err.Error()), []byte("not valid UTF-8")) {
		t.Errorf("an id with a lone surrogate: %v", err)
	}
}

// checkKept holds the records -keep wrote (lines of a JSONL file) to the
// labels: one per predicted cluster, the member the policy names, in input
// order, each byte for byte one of the input's lines.
func checkKept(t *testing.T, input, kept []byte, labels string, policy string) {
	t.Helper()
	lines := bytes.SplitAfter(input, []byte("\n"))
	recs := parse(t, labels)
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) != len(recs) {
		t.Fatalf("%d input lines, %d labels", len(lines), len(recs))
	}
	var want bytes.Buffer
	seen := make(map[string]bool)
	for i, r := range recs {
		keep := r.Canonical
		if policy == "first" {
			keep = !seen[r.Cluster]
			seen[r.Cluster] = true
		}
		if keep {
			want.Write(lines[i])
		}
	}
	clusters := make(map[string]bool)
	for _, r := range recs {
		clusters[r.Cluster] = true
	}
	if n := bytes.Count(kept, []byte("\n")); n != len(clusters) {
		t.Errorf("kept %d records for %d clusters", n, len(clusters))
	}
	if !bytes.Equal(want.Bytes(), kept) {
		t.Errorf("the kept records are not the %s member of each cluster byte for byte, in input order", policy)
	}
}

// -keep writes one record per cluster as it came in, from JSONL files
// (plain or compressed), standard input and directories; -stats counts
// what it kept and removed.
func TestKeepAndStats(t *testing.T) {
	plain := corpusJSONL(t)
	// A record with extra fields and its own spacing, kept as it is.
	plain = append(plain, []byte(`{"text": "Một bài viết riêng,   với khoảng trắng lạ.",  "id":"odd", "x": [1, 2]}`+"\n")...)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, plain, 0o644)
	for _, policy := range []string{"canonical", "first"} {
		out := filepath.Join(dir, policy+".jsonl")
		st := filepath.Join(dir, policy+".json")
		labels, _, err := runCLI(t, "", "-q", "-keep", out, "-keep-policy", policy, "-stats", st, in)
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := os.ReadFile(out)
		checkKept(t, plain, kept, labels, policy)

		var s stats
		if err := json.Unmarshal(readTestFile(t, st), &s); err != nil {
			t.Fatal(err)
		}
		recs := parse(t, labels)
		clusters := make(map[string]int)
		for _, r := range recs {
			clusters[r.Cluster]++
		}
		sizes := 0
		for _, c := range s.ClusterSizes {
			sizes += c.Size * c.Clusters
		}
		if s.Documents != len(recs) || s.Clusters != len(clusters) || s.DocumentsRemoved != len(recs)-len(clusters) || sizes != len(recs) ||
			s.TextBytesKept+s.TextBytesRemoved != s.TextBytes || s.TextBytesRemoved == 0 || s.KeepPolicy != policy {
			t.Errorf("stats %+v for %d documents in %d clusters", s, len(recs), len(clusters))
		}

		// Standard input and a zstd file give the same records; a .zst
		// output is compressed.
		got, _, err := runCLI(t, string(plain), "-q", "-keep", out, "-keep-policy", policy, "-")
		if err != nil || got != labels {
			t.Fatalf("standard input: %v", err)
		}
		if b, _ := os.ReadFile(out); !bytes.Equal(b, kept) {
			t.Error("standard input: other records kept")
		}
		zin := filepath.Join(dir, "in.jsonl.zst")
		os.WriteFile(zin, zstded(t, plain), 0o644)
		zout := filepath.Join(dir, policy+".jsonl.zst")
		if _, _, err := runCLI(t, "", "-q", "-keep", zout, "-keep-policy", policy, zin); err != nil {
			t.Fatal(err)
		}
		zr, _ := zstd.NewReader(nil)
		if b, err := zr.DecodeAll(readTestFile(t, zout), nil); err != nil || !bytes.Equal(b, kept) {
			t.Errorf("zstd input and output: other records kept (%v)", err)
		}
		zr.Close()
	}

	// A directory keeps its files, at their paths, byte for byte.
	src := filepath.Join(dir, "src")
	for _, d := range []string{"seeds", "fixtures"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", d, "*.txt"))
		os.MkdirAll(filepath.Join(src, d), 0o755)
		for _, p := range paths {
			os.WriteFile(filepath.Join(src, d, filepath.Base(p)), readTestFile(t, p), 0o644)
		}
	}
	out := filepath.Join(dir, "kept")
	labels, _, err := runCLI(t, "", "-q", "-keep", out, src)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, r := range parse(t, labels) {
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(r.ID)))
		switch {
		case r.Canonical && (err != nil || !bytes.Equal(b, readTestFile(t, filepath.Join(src, filepath.FromSlash(r.ID))))):
			t.Errorf("%s: canonical not kept byte for byte (%v)", r.ID, err)
		case !r.Canonical && err == nil:
			t.Errorf("%s: a copy was kept", r.ID)
		}
		if r.Canonical {
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d documents kept", n)
	}

	// Inputs of two kinds have no one format to keep them in.
	if _, _, err := runCLI(t, "", "-q", "-keep", out, src, in); err == nil {
		t.Error("-keep with a directory and a JSONL file: no error")
	}
	if _, _, err := runCLI(t, "", "-q", "-keep-policy", "last", in); err == nil {
		t.Error("-keep-policy last: no error")
	}
}

// devSet returns the dev set's path and content where it lies beside the
// repository (as in CI, where its absence fails the test), and skips the
// test elsewhere.
func devSet(t *testing.T) (string, []byte) {
	t.Helper()
	dev := filepath.Join("..", "..", "..", "shared", "devset", "devset.jsonl")
	b, err := os.ReadFile(dev)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: the dev set is missing: %v", err)
		}
		t.Skip("no dev set beside the repository")
	}
	return dev, b
}

// On the dev set (beside the repository, as in CI), -keep writes exactly
// one record per predicted cluster, each byte for byte its input line.
func TestKeepDevSet(t *testing.T) {
	dev, input := devSet(t)
	out := filepath.Join(t.TempDir(), "kept.jsonl")
	labels, _, err := runCLI(t, "", "-q", "-keep", out, dev)
	if err != nil {
		t.Fatal(err)
	}
	checkKept(t, input, readTestFile(t, out), labels, "canonical")
}

// crawlRow is a crawl's record as a Parquet corpus holds it: the URL
// and the page's text under other names, a nested group, and a column
// neardup does not read.
type crawlRow struct {
	URL     string `parquet:"url"`
	Content string `parquet:"content"`
	Meta    struct {
		Lang string `parquet:"lang"`
	} `parquet:"meta"`
	Fetched int64 `parquet:"fetched"`
}

// Parquet input (string columns chosen by -id-field and -text-field)
// gives the labels of the same documents in JSONL, row groups and all;
// -keep writes a Parquet file with the input's schema holding exactly the
// kept rows; a missing column or an unusable one is an error naming it.
func TestParquetInput(t *testing.T) {
	plain := corpusJSONL(t)
	var rows []crawlRow
	for _, line := range bytes.Split(bytes.TrimSpace(plain), []byte("\n")) {
		var r struct{ ID, Text string }
		json.Unmarshal(line, &r)
		row := crawlRow{URL: r.ID, Content: r.Text, Fetched: int64(len(rows))}
		row.Meta.Lang = "vi"
		rows = append(rows, row)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "crawl.parquet")
	f, _ := os.Create(in)
	w := parquet.NewGenericWriter[crawlRow](f, parquet.MaxRowsPerRowGroup(7)) // several row groups
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(w.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	want, _, err := runCLI(t, string(plain), "-q", "-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kept.parquet")
	got, _, err := runCLI(t, "", "-q", "-id-field", "url", "-text-field", "content", "-keep", out, in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels differ from JSONL (-jsonl +parquet):\n%s", diff)
	}
	var wantKept []crawlRow
	for i, r := range parse(t, got) {
		if r.Canonical {
			wantKept = append(wantKept, rows[i])
		}
	}
	kf, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	st, _ := kf.Stat()
	pf, err := parquet.OpenFile(kf, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if a, b := pf.Schema().String(), parquet.SchemaOf(crawlRow{}).String(); a != b {
		t.Errorf("kept file's schema:\n%s\nwant the input's:\n%s", a, b)
	}
	gotKept, err := parquet.Read[crawlRow](kf, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantKept, gotKept); diff != "" {
		t.Errorf("kept rows (-want +got):\n%s", diff)
	}

	// -keep, then -report in the same run: the report's reading gets the
	// texts, not the kept rows (each reading has its own sinks).
	rep := filepath.Join(dir, "report.html")
	if _, _, err := runCLI(t, "", "-q", "-id-field", "url", "-text-field", "content", "-keep", filepath.Join(dir, "kept2.parquet"), "-report", rep, in); err != nil {
		t.Fatal(err)
	}
	if page := readTestFile(t, rep); !bytes.Contains(page, []byte(`<td class="canonical">`)) || regexp.MustCompile(`<td class="canonical">\s*</td>`).Match(page) {
		t.Error("-keep with -report: the report shows no texts")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-id-field", "link", "-text-field", "content"}, `no column "link" (columns: url, content, meta.lang, fetched)`},
		{[]string{"-id-field", "url", "-text-field", "fetched"}, `column "fetched" holds INT64, not strings`},
		{[]string{"-id-field", "url"}, `no column "text"`},
	} {
		_, _, err := runCLI(t, "", append(append([]string{"-q"}, tt.args...), in)...)
		if err == nil || !strings.Contains(err.Error(), in+": "+tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, _, err := runCLI(t, string(plain), "-q", "-keep", out, in, "-"); err == nil {
		t.Error("-keep with Parquet and JSONL inputs: no error")
	}
}

// The dev set (beside the repository, as in CI) as zstd-compressed JSONL,
// as Parquet and as a WET file gives labels byte-identical to the plain
// file's (the WET file's ids are URIs: the same ids under a prefix).
func TestDevSetFormats(t *testing.T) {
	dev, plain := devSet(t)
	want, _, err := runCLI(t, "", "-q", dev)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zst := filepath.Join(dir, "devset.jsonl.zst")
	os.WriteFile(zst, zstded(t, plain), 0o644)
	type row struct {
		ID   string `parquet:"id"`
		Text string `parquet:"text"`
	}
	var rows []row
	for _, line := range bytes.Split(bytes.TrimSpace(plain), []byte("\n")) {
		var r row
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	pq := filepath.Join(dir, "devset.parquet")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	// As a crawl's WET file: one conversion record a document, gzipped one
	// by one, its id a URI.
	var wet bytes.Buffer
	for _, r := range rows {
		wet.Write(warcRecord(t, gowarc.Conversion, "https://dev.example/"+r.ID, "text/plain", r.Text, true))
	}
	wetPath := filepath.Join(dir, "devset.warc.wet.gz")
	os.WriteFile(wetPath, wet.Bytes(), 0o644)
	for _, in := range []string{zst, pq, wetPath} {
		got, _, err := runCLI(t, "", "-q", in)
		if err != nil {
			t.Fatal(err)
		}
		if in == wetPath {
			got = strings.ReplaceAll(got, `"https://dev.example/`, `"`)
		}
		if got != want {
			t.Errorf("%s: labels differ from the plain dev set's", filepath.Base(in))
		}
	}
}

// A folder of shards (JSONL plain and compressed, Parquet, WET, among
// .txt documents and files neardup does not read) is read as its files
// given one by one in lexical path order; -keep refuses it, since its
// records have no one format.
func TestFolderOfShards(t *testing.T) {
	plain := bytes.SplitAfter(bytes.TrimSpace(corpusJSONL(t)), []byte("\n"))
	third := len(plain) / 3
	dir := t.TempDir()
	shards := filepath.Join(dir, "corpus")
	os.MkdirAll(filepath.Join(shards, "part"), 0o755)
	write := func(name string, b []byte) string {
		p := filepath.Join(shards, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.jsonl.gz", gzipped(t, bytes.Join(plain[:third], nil)))
	type row struct {
		ID   string `parquet:"id"`
		Text string `parquet:"text"`
	}
	var rows []row
	for _, line := range plain[third : 2*third] {
		var r row
		json.Unmarshal(line, &r)
		rows = append(rows, r)
	}
	b := filepath.Join(shards, "b.parquet")
	if err := parquet.WriteFile(b, rows); err != nil {
		t.Fatal(err)
	}
	var wet bytes.Buffer
	for _, line := range plain[2*third:] {
		var r row
		json.Unmarshal(line, &r)
		wet.Write(warcRecord(t, gowarc.Conversion, "https://x.example/"+r.ID, "text/plain", r.Text, true))
	}
	c := write("part/c.warc.wet.gz", wet.Bytes())
	write("part/d.txt", []byte("Một văn bản riêng, không giống bài nào khác trong kho.\n"))
	write("README.md", []byte("not a document"))
	want, _, err := runCLI(t, "", "-q", a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := runCLI(t, "", "-q", shards)
	if err != nil {
		t.Fatal(err)
	}
	// The .txt document comes last (part/d.txt after part/c…), its id its path.
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, `{"id":"part/d.txt","cluster":"part/d.txt","canonical":true,"similarity":1}`+"\n") {
		t.Errorf("the folder's labels are not its files' in path order:\n%s", got)
	}
	if _, _, err := runCLI(t, "", "-q", "-keep", filepath.Join(dir, "kept"), shards); err == nil || !strings.Contains(err.Error(), "shards") {
		t.Errorf("-keep on a folder of shards: %v", err)
	}
}
