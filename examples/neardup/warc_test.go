package main

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc/v3"
)

// page wraps an article (a title line, then paragraphs) in a news site's
// page furniture.
func page(article string) string {
	title, body, _ := strings.Cut(article, "\n")
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title></head><body>
<nav><a href="/">Trang chủ</a> | <a href="/the-gioi">Thế giới</a> | <a href="/kinh-te">Kinh tế</a></nav><article><h1>%s</h1>`,
		html.EscapeString(title), html.EscapeString(title))
	for _, p := range strings.Split(body, "\n") {
		if strings.TrimSpace(p) != "" {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
		}
	}
	b.WriteString(`</article><aside><h2>Tin bài liên quan</h2><ul><li><a href="/a">Một tin khác</a></li></ul></aside><footer>© Báo Điện tử</footer></body></html>`)
	return b.String()
}

// warcRecord returns one WARC record, its own gzip member when gz.
func warcRecord(t *testing.T, typ gowarc.RecordType, uri, contentType, block string, gz bool) []byte {
	t.Helper()
	rb := gowarc.NewRecordBuilder(typ, gowarc.WithAddMissingRecordId(true), gowarc.WithAddMissingDigest(true), gowarc.WithAddMissingContentLength(true))
	rb.AddWarcHeader(gowarc.WarcTargetURI, uri)
	rb.AddWarcHeaderTime(gowarc.WarcDate, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	rb.AddWarcHeader(gowarc.ContentType, contentType)
	rb.WriteString(block)
	rec, _, err := rb.Build()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var out bytes.Buffer
	if gz {
		w := gzip.NewWriter(&out)
		if _, _, err := gowarc.NewMarshaler().Marshal(w, rec, 0); err != nil {
			t.Fatal(err)
		}
		w.Close()
	} else if _, _, err := gowarc.NewMarshaler().Marshal(&out, rec, 0); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The documents of the repository's seeds and fixtures as a crawl holds
// them: WET conversion records of their text give the labels of the same
// texts in JSONL byte for byte; WARC response records of their pages give
// those of the pages in a directory of .html files (ids aside); other
// records are no documents; a URI captured again is a document of its
// own, a copy of the first capture; -keep writes the kept records as
// they came in.
func TestWARCAndHTML(t *testing.T) {
	dir := t.TempDir()
	var jsonl, wet, warc bytes.Buffer
	var uris []string
	response := make(map[string][]byte) // each page's response record
	pages := filepath.Join(dir, "pages")
	for _, d := range []string{"fixtures", "seeds"} { // the directory's order
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", d, "*.txt"))
		os.MkdirAll(filepath.Join(pages, d), 0o755)
		for _, p := range paths {
			text := string(readTestFile(t, p))
			name := d + "/" + strings.TrimSuffix(filepath.Base(p), ".txt")
			uri := "https://bao.example.vn/" + name
			uris = append(uris, uri)
			fmt.Fprintf(&jsonl, `{"id":%q,"text":%q}`+"\n", uri, text)
			wet.Write(warcRecord(t, gowarc.Conversion, uri, "text/plain", text, true))
			pg := page(text)
			os.WriteFile(filepath.Join(pages, name+".html"), []byte(pg), 0o644)
			warc.Write(warcRecord(t, gowarc.Request, uri, "application/http;msgtype=request", "GET /"+name+" HTTP/1.1\r\nHost: bao.example.vn\r\n\r\n", true))
			response[uri] = warcRecord(t, gowarc.Response, uri, "application/http;msgtype=response", "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"+pg, true)
			warc.Write(response[uri])
		}
	}
	// Records that are not documents: a redirect, an image, metadata.
	warc.Write(warcRecord(t, gowarc.Response, "https://bao.example.vn/old", "application/http;msgtype=response", "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\n\r\n", true))
	warc.Write(warcRecord(t, gowarc.Response, "https://bao.example.vn/logo.png", "application/http;msgtype=response", "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG", true))
	warc.Write(warcRecord(t, gowarc.Metadata, "https://bao.example.vn/", "application/warc-fields", "via: test\r\n", true))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	want, _, err := runCLI(t, jsonl.String(), "-q", "-")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := runCLI(t, "", "-q", write("crawl.warc.wet.gz", wet.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WET against JSONL (-jsonl +wet):\n%s", diff)
	}

	fromDir, _, err := runCLI(t, "", "-q", pages)
	if err != nil {
		t.Fatal(err)
	}
	fromWARC, _, err := runCLI(t, "", "-q", write("crawl.warc.gz", warc.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	asURIs := strings.NewReplacer(`"seeds/`, `"https://bao.example.vn/seeds/`, `"fixtures/`, `"https://bao.example.vn/fixtures/`, `.html"`, `"`).Replace(fromDir)
	if diff := cmp.Diff(asURIs, fromWARC); diff != "" {
		t.Errorf("WARC against a directory of the same pages (-dir +warc):\n%s", diff)
	}
	recs := parse(t, fromWARC)
	if len(recs) != len(uris) {
		t.Fatalf("%d documents from the WARC file, want %d", len(recs), len(uris))
	}
	// The pages' furniture is not what groups them: the pages cluster as
	// their texts do, give or take an extraction's edges.
	same, total := 0, 0
	plain := parse(t, want)
	for i := range recs {
		for j := range i {
			total++
			if (recs[i].Cluster == recs[j].Cluster) == (plain[i].Cluster == plain[j].Cluster) {
				same++
			}
		}
	}
	if same < total*99/100 {
		t.Errorf("the pages group unlike their texts: %d of %d pairs agree", same, total)
	}

	// A second capture of a page is its own document and its first's copy.
	recapture := append(bytes.Clone(warc.Bytes()), warc.Bytes()[:0]...)
	first := warcRecord(t, gowarc.Response, uris[1], "application/http;msgtype=response", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"+string(readTestFile(t, filepath.Join(pages, strings.TrimPrefix(uris[1], "https://bao.example.vn/")+".html"))), true)
	recapture = append(recapture, first...)
	out, _, err := runCLI(t, "", "-q", write("recrawl.warc.gz", recapture))
	if err != nil {
		t.Fatal(err)
	}
	rr := parse(t, out)
	last := rr[len(rr)-1]
	if last.ID != uris[1]+"#capture-2" || last.Cluster != rr[1].Cluster || last.Canonical {
		t.Errorf("the second capture: %+v, want %s#capture-2 in the cluster of %+v", last, uris[1], rr[1])
	}

	// -keep writes the kept response records byte for byte.
	kept := filepath.Join(dir, "kept.warc.gz")
	labels, _, err := runCLI(t, "", "-q", "-keep", kept, filepath.Join(dir, "crawl.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var wantKept []byte
	for _, r := range parse(t, labels) {
		if r.Canonical {
			wantKept = append(wantKept, response[r.ID]...)
		}
	}
	if got := readTestFile(t, kept); !bytes.Equal(got, wantKept) {
		t.Errorf("kept WARC: %d bytes, want the %d bytes of the canonicals' response records", len(got), len(wantKept))
	}
}
