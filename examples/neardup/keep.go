package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/neardup/neardup/dedup"
)

// keepPolicies are the -keep-policy values: which member of each cluster
// -keep writes.
var keepPolicies = []string{"canonical", "first"}

// keptDocs marks, by input position, the one member of each cluster
// that policy keeps: its canonical, or its first member in input order.
func keptDocs(res *dedup.Clustering, policy string) []bool {
	kept := make([]bool, len(res.Docs))
	for _, c := range res.Clusters {
		if policy == "first" {
			kept[c.Members[0]] = true // Members are in input order
		} else {
			kept[c.Canonical] = true
		}
	}
	return kept
}

// keepKind is the format -keep writes, the inputs' own.
type keepKind int

const (
	keepJSONL   keepKind = iota // a JSONL file: every input is JSONL (files, pipes, standard input)
	keepDir                     // a directory: every input is a directory of .txt files, or the sample
	keepParquet                 // a Parquet file: every input is a Parquet file
	keepWARC                    // a WARC file: every input is a WARC or WET file
)

// inputKind tells what -keep writes for these inputs. It refuses a mix,
// which has no one format to write.
func inputKind(paths []string) (keepKind, error) {
	if len(paths) == 0 {
		return keepDir, nil
	}
	var n [4]int
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case p == "-" || err != nil || !st.Mode().IsRegular() && !st.IsDir():
			n[keepJSONL]++ // or an error the reading reports
		case st.IsDir():
			if dirHasRecords(p) {
				return 0, fmt.Errorf("-keep: %s holds files of records (JSONL, Parquet or WARC shards); give the shards themselves to keep their records in their format", p)
			}
			n[keepDir]++
		default:
			f, err := os.Open(p)
			if err != nil {
				n[keepJSONL]++ // an error the reading reports
				continue
			}
			n[fileKind(p, f)]++
			f.Close()
		}
	}
	for k, c := range n {
		if c == len(paths) {
			return keepKind(k), nil
		}
	}
	return 0, errors.New("-keep: the inputs mix JSONL, Parquet, WARC and directories; run neardup on each kind apart to keep them in their own format")
}

// dirHasRecords reports whether a directory holds files of records.
func dirHasRecords(root string) bool {
	found := false
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && recordFile(p) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// writeKept reads the inputs once more and writes the kept documents, in
// input order and as they came in: for JSONL inputs, their lines to the
// file out (gzip or zstd compressed when its name ends in .gz or .zst);
// for directories, their files under the directory out, at their ids
// (paths relative to the input directory); for Parquet files, their rows
// to a Parquet file with the input's schema; for WARC files, their
// records, byte for byte (each its own gzip member when the input's
// were), to one WARC file.
func writeKept(rd *reader, paths []string, stdin io.Reader, kept []bool, out string, kind keepKind) (n int, err error) {
	var emit func(id string, text, raw []byte) error
	var finish func() error
	switch kind {
	case keepWARC:
		f, err := os.Create(out)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 1<<20)
		rd.emitRecord = func(in *os.File, offset, size int64) error {
			n++
			_, err := io.Copy(bw, io.NewSectionReader(in, offset, size))
			return err
		}
		finish = func() error { return errors.Join(bw.Flush(), f.Close()) }
	case keepParquet:
		f, err := os.Create(out)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		var w *parquet.Writer
		var first string
		batch := make([]parquet.Row, 0, 256)
		flush := func() error {
			_, err := w.WriteRows(batch)
			batch = batch[:0]
			return err
		}
		rd.emitRow = func(schema *parquet.Schema, row parquet.Row) error {
			if w == nil {
				w, first = parquet.NewWriter(f, schema), schema.String()
			} else if s := schema.String(); s != first {
				return fmt.Errorf("the Parquet inputs have different schemas:\n%s\n%s", first, s)
			}
			n++
			batch = append(batch, row.Clone()) // the reader reuses its rows
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		}
		finish = func() error {
			if w == nil { // nothing kept: no schema to write
				return errors.Join(f.Close(), os.Remove(out))
			}
			return errors.Join(flush(), w.Close(), f.Close())
		}
	case keepDir:
		if err := os.MkdirAll(out, 0o755); err != nil {
			return 0, err
		}
		emit = func(id string, text, _ []byte) error {
			p := filepath.Join(out, filepath.FromSlash(id))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			n++
			return os.WriteFile(p, text, 0o644)
		}
		finish = func() error { return nil }
	default:
		f, err := os.Create(out)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		var w io.Writer = f
		closeComp := func() error { return nil }
		switch {
		case strings.HasSuffix(out, ".gz"):
			zw := gzip.NewWriter(f)
			w, closeComp = zw, zw.Close
		case strings.HasSuffix(out, ".zst"):
			zw, err := zstd.NewWriter(f)
			if err != nil {
				return 0, err
			}
			w, closeComp = zw, zw.Close
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		emit = func(_ string, _, raw []byte) error {
			n++
			bw.Write(raw)
			if len(raw) > 0 && raw[len(raw)-1] != '\n' {
				bw.WriteByte('\n') // the input's last line had none
			}
			return nil
		}
		finish = func() error {
			return errors.Join(bw.Flush(), closeComp(), f.Close())
		}
	}
	rd.emit = emit
	if err := rd.readAgain(paths, stdin, kept, "writing the kept documents"); err != nil {
		return n, err
	}
	return n, finish()
}

// stats is what -stats writes.
type stats struct {
	Documents          int `json:"documents"`
	Clusters           int `json:"clusters"`
	ClustersWithCopies int `json:"clusters_with_copies"`
	// DocumentsRemoved is the number of documents -keep leaves out: every
	// member of a cluster but one.
	DocumentsRemoved int `json:"documents_removed"`
	// ClusterSizes is the histogram of cluster sizes, smallest first.
	ClusterSizes []sizeCount `json:"cluster_sizes"`
	// Text bytes (the documents' text, as decoded), kept and removed
	// under KeepPolicy.
	TextBytes        int64  `json:"text_bytes"`
	TextBytesKept    int64  `json:"text_bytes_kept"`
	TextBytesRemoved int64  `json:"text_bytes_removed"`
	KeepPolicy       string `json:"keep_policy"`
	BoilerplateLines int    `json:"boilerplate_lines"`
	BoilerplateDocs  int    `json:"boilerplate_documents"`
}

type sizeCount struct {
	Size     int `json:"size"`
	Clusters int `json:"clusters"`
}

// clusterStats summarizes a clustering; sizes are the documents' text
// sizes in input order.
func clusterStats(res *dedup.Clustering, sizes []int32, kept []bool, policy string) stats {
	s := stats{Documents: len(res.Docs), Clusters: len(res.Clusters), KeepPolicy: policy,
		BoilerplateLines: res.BoilerplateLines, BoilerplateDocs: res.BoilerplateDocs}
	s.ClusterSizes, s.ClustersWithCopies, s.DocumentsRemoved = sizeHistogram(res)
	for i := range res.Docs {
		var b int64
		if i < len(sizes) {
			b = int64(sizes[i])
		}
		s.TextBytes += b
		if kept[i] {
			s.TextBytesKept += b
		} else {
			s.TextBytesRemoved += b
		}
	}
	return s
}

// sizeHistogram counts the clusters of each size, smallest first, the
// clusters with copies, and the copies (every member of a cluster but
// one).
func sizeHistogram(res *dedup.Clustering) (hist []sizeCount, withCopies, copies int) {
	bySize := make(map[int]int)
	largest := 0
	for _, c := range res.Clusters {
		bySize[len(c.Members)]++
		largest = max(largest, len(c.Members))
		if len(c.Members) > 1 {
			withCopies++
			copies += len(c.Members) - 1
		}
	}
	for size := 1; size <= largest; size++ {
		if bySize[size] > 0 {
			hist = append(hist, sizeCount{size, bySize[size]})
		}
	}
	return hist, withCopies, copies
}

func writeStats(path string, s stats) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("-stats: %w", err)
	}
	return nil
}
