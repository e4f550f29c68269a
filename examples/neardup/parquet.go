package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// The Parquet export (-export DIR) and its read-back (-edges DIR).
//
//	docs.parquet      one row per document: its sketch
//	postings.parquet  one row per index key of a document (stage.IndexKey, as stage.Banding.GroupingKey files it)
//	edges.parquet     the candidate pairs, written by an engine (edges.sql)
//
// Band keys are uint64 values stored as int64 (two's complement), the
// integer type every engine has.

// docRow is one document of docs.parquet.
type docRow struct {
	Doc              int64   `parquet:"doc"` // input position
	Pos              int64   `parquet:"pos"` // position in stage.GroupOrder
	ID               string  `parquet:"id"`
	Shingles         int64   `parquet:"shingles"`
	Words            int64   `parquet:"words"`
	Marked           int64   `parquet:"marked"`
	Retyped          int64   `parquet:"retyped"`
	BoilerplateWords int64   `parquet:"boilerplate_words"`
	Numbers          int64   `parquet:"numbers"`
	NumbersReal      int64   `parquet:"numbers_real"`
	Signature        []int32 `parquet:"signature,list"` // the compact MinHash signature, for SQL estimates
	Sketch           []byte  `parquet:"sketch"`         // dedup.Sketch.AppendBinary
}

// postingRow is one index key of a document.
type postingRow struct {
	Pos  int64 `parquet:"pos"`
	Band int32 `parquet:"band"` // 0..bands-1, bands for the lead, bands+1 for a run key
	Key  int64 `parquet:"key"`
	Cap  int32 `parquet:"cap"`  // postings kept under a key of this band
	Open bool  `parquet:"open"` // a document after the first cap meets them (stage.Banding.Postings)
}

// edgeRow is a candidate pair, as edges.sql writes it.
type edgeRow struct {
	Later   int64 `parquet:"later"`
	Earlier int64 `parquet:"earlier"`
	Stored  bool  `parquet:"stored"`
}

const configKey = "neardup.config"

// configTag names the settings an export depends on: what makes keys
// comparable (stage.Fingerprint) and what grouping reads; -edges refuses
// an export made with others.
func configTag(cfg dedup.Config) string {
	fp, _ := stage.Fingerprint(cfg) // cfg is valid: run checked it
	return fmt.Sprintf("%s threshold %g containment %g min-contained %g numbers %t boilerplate %d",
		fp, cfg.Threshold, cfg.Containment, cfg.MinContainedFraction, !cfg.NoNumberCheck, cfg.BoilerplateArticles)
}

// exportParquet writes docs.parquet and postings.parquet for a sketched
// corpus into dir, and returns the number of postings.
func exportParquet(dir string, cfg dedup.Config, sc *stage.Corpus) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	meta := parquet.KeyValueMetadata(configKey, configTag(cfg))
	order := stage.GroupOrder(sc.Sketches)
	pos := make([]int64, len(order))
	for p, i := range order {
		pos[i] = int64(p)
	}
	docs := make([]docRow, 0, len(sc.Sketches))
	for i := range sc.Sketches {
		b, _ := sc.Sketches[i].AppendBinary(nil)
		f := stage.Inspect(&sc.Sketches[i])
		sig := make([]int32, len(f.Sig))
		for k, v := range f.Sig {
			sig[k] = int32(v)
		}
		docs = append(docs, docRow{
			Doc: int64(i), Pos: pos[i], ID: sc.IDs[i], Shingles: int64(f.Shingles), Words: int64(f.Words),
			Marked: int64(f.Marked), Retyped: int64(f.Retyped), BoilerplateWords: int64(f.BoilerplateWords),
			Numbers: int64(f.NumberCount), NumbersReal: int64(f.RealNumbers), Signature: sig, Sketch: b,
		})
	}
	if err := parquet.WriteFile(filepath.Join(dir, "docs.parquet"), docs, meta); err != nil {
		return 0, err
	}
	lsh := stage.LSH(cfg)
	var postings []postingRow
	var keys []stage.IndexKey
	for i := range sc.Sketches {
		var err error
		if keys, err = stage.AppendIndexKeys(cfg, keys[:0], &sc.Sketches[i]); err != nil {
			return 0, err
		}
		for _, k := range keys {
			c, open := lsh.Postings(k.Band)
			postings = append(postings, postingRow{Pos: pos[i], Band: int32(k.Band), Key: int64(lsh.GroupingKey(k).Hash), Cap: int32(c), Open: open})
		}
	}
	return len(postings), parquet.WriteFile(filepath.Join(dir, "postings.parquet"), postings, meta)
}

// readExport reads docs.parquet and edges.parquet from dir: the ids and
// sketches in input order and the candidate pairs.
func readExport(dir string, cfg dedup.Config) ([]string, []dedup.Sketch, []stage.Pair, error) {
	path := filepath.Join(dir, "docs.parquet")
	rows, tag, err := readAll[docRow](path, configKey)
	if err != nil {
		return nil, nil, nil, err
	}
	if tag != configTag(cfg) {
		return nil, nil, nil, fmt.Errorf("%s was exported with other settings:\n  export: %s\n  now:    %s", path, tag, configTag(cfg))
	}
	ids := make([]string, len(rows))
	sk := make([]dedup.Sketch, len(rows))
	for _, r := range rows {
		if r.Doc < 0 || r.Doc >= int64(len(rows)) || ids[r.Doc] != "" || r.ID == "" {
			return nil, nil, nil, fmt.Errorf("%s: bad or repeated doc %d (%q)", path, r.Doc, r.ID)
		}
		var s dedup.Sketch
		if err := s.UnmarshalBinary(r.Sketch); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: doc %d: %w", path, r.Doc, err)
		}
		// The encoding keeps what verification reads; the counts the
		// canonical choice reads are columns of their own.
		f := stage.Inspect(&s)
		f.Words, f.Marked, f.Retyped, f.BoilerplateWords = int(r.Words), int(r.Marked), int(r.Retyped), int(r.BoilerplateWords)
		f.NumberCount, f.RealNumbers = int(r.Numbers), int(r.NumbersReal)
		if s, err = stage.Assemble(f); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: doc %d: %w", path, r.Doc, err)
		}
		ids[r.Doc], sk[r.Doc] = r.ID, s
	}
	epath := filepath.Join(dir, "edges.parquet")
	edges, _, err := readAll[edgeRow](epath, "")
	if err != nil {
		return nil, nil, nil, err
	}
	pairs := make([]stage.Pair, len(edges))
	for i, e := range edges {
		if e.Later < 0 || e.Earlier < 0 || e.Later >= int64(len(sk)) || e.Earlier >= e.Later {
			return nil, nil, nil, fmt.Errorf("%s: edge (%d, %d) out of order or range", epath, e.Later, e.Earlier)
		}
		pairs[i] = stage.Pair{Later: uint32(e.Later), Earlier: uint32(e.Earlier), Stored: e.Stored}
	}
	return ids, sk, pairs, nil
}

// readAll reads every row of the Parquet file at path as a T, matching
// columns by name. It returns the file's value for key in its metadata.
func readAll[T any](path, key string) (rows []T, tag string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	tag, _ = pf.Lookup(key)
	defer func() {
		// parquet-go panics on a schema it cannot map to T.
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("%s: %v", path, r)
		}
	}()
	rd := parquet.NewGenericReader[T](pf)
	defer rd.Close()
	rows = make([]T, 0, rd.NumRows())
	buf := make([]T, 1024)
	for {
		n, err := rd.Read(buf)
		rows = append(rows, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return rows, tag, nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
	}
}
