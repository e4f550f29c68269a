package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"strings"

	"github.com/nlnwa/gowarc/v3"

	"github.com/neardup/neardup/examples/internal/extract"
)

// isWARC reports whether a file is a WARC or WET file, by its name
// (.warc, .wet, each optionally .gz) or, uncompressed, by its first bytes.
func isWARC(name string, f *os.File) bool {
	n := strings.TrimSuffix(name, ".gz")
	if strings.HasSuffix(n, ".warc") || strings.HasSuffix(n, ".wet") {
		return true
	}
	var b [5]byte
	k, _ := f.ReadAt(b[:], 0)
	return k == 5 && string(b[:]) == "WARC/"
}

// readWARC reads the documents of a WARC or WET file (records gzipped one
// by one or not), record by record:
//
//   - a response record with status 200 and an HTML payload gives the
//     page's article (package extract), its title as the headline;
//   - a conversion record (WET: the text a crawler extracted) gives its
//     text as it is;
//   - other records (requests, metadata, redirects, images) are not
//     documents.
//
// A document's id is the record's WARC-Target-URI; the n-th capture of a
// URI in the input, n ≥ 2, gets "#capture-n" appended, so that re-crawls
// are documents of their own (and usually each other's copies). A page
// without readable content is reported and skipped, in every reading
// alike.
func (r *reader) readWARC(f *os.File, name string) error {
	wf, err := gowarc.NewWarcFileReaderFromStream(f, 0)
	if err != nil {
		return &inputError{path: name, msg: "not a WARC file: " + err.Error()}
	}
	defer wf.Close()
	captures := make(map[string]int)
	for rec, err := range wf.Records() {
		if err != nil {
			return &inputError{path: name, msg: fmt.Sprintf("at byte %d: %v", rec.Offset, err)}
		}
		wr := rec.WarcRecord
		text, uri, ok, err := warcText(wr)
		if err != nil {
			rec.Close()
			return &inputError{path: name, msg: fmt.Sprintf("record at byte %d: %v", rec.Offset, err)}
		}
		if ok && text == nil {
			r.warn(fmt.Sprintf("%s, %s", name, uri), "no readable article in the page")
		}
		if !ok || text == nil {
			rec.Close()
			continue
		}
		id := uri
		if captures[uri]++; captures[uri] > 1 {
			id = fmt.Sprintf("%s#capture-%d", uri, captures[uri])
		}
		switch {
		case r.skip(len(text)):
		case r.emitRecord != nil:
			r.n++
			err = r.emitRecord(f, rec.Offset, rec.Size)
		default:
			err = r.add(id, text, name, 0)
		}
		rec.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// warcText returns the text of a record that is a document, with its
// target URI; ok is false for records that are not documents. The text is
// nil for an HTML page without readable content.
func warcText(wr gowarc.WarcRecord) (text []byte, uri string, ok bool, err error) {
	uri = wr.WarcHeader().Get(gowarc.WarcTargetURI)
	switch wr.Type() {
	case gowarc.Conversion:
		b, err := blockBytes(wr.Block())
		return b, uri, uri != "", err
	case gowarc.Response:
		hb, isHTTP := wr.Block().(gowarc.HttpResponseBlock)
		if !isHTTP || hb.HttpStatusCode() != 200 {
			return nil, uri, false, nil
		}
		if mt, _, _ := mime.ParseMediaType(hb.HttpHeader().Get("Content-Type")); mt != "text/html" && mt != "application/xhtml+xml" {
			return nil, uri, false, nil
		}
		pr, err := hb.PayloadBytes()
		if err != nil {
			return nil, uri, false, err
		}
		page, err := io.ReadAll(io.LimitReader(pr, 64<<20))
		if err != nil {
			return nil, uri, false, err
		}
		u, _ := url.Parse(uri)
		text, _ := extract.Text(page, u)
		return text, uri, uri != "", nil
	}
	return nil, uri, false, nil
}

func blockBytes(b gowarc.Block) ([]byte, error) {
	r, err := b.RawBytes()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), err
}
