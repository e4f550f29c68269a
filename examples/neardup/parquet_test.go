package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// edgesLikeSQL computes edges.parquet from postings.parquet with the
// semantics of edges.sql (examples/duckdb runs the SQL itself).
func edgesLikeSQL(t *testing.T, dir string) int {
	t.Helper()
	rows, _, err := readAll[postingRow](filepath.Join(dir, "postings.parquet"), "")
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		band int32
		key  int64
	}
	byKey := map[key][]postingRow{}
	for _, r := range rows {
		byKey[key{r.Band, r.Key}] = append(byKey[key{r.Band, r.Key}], r)
	}
	stored := map[[2]int64]bool{}
	for _, ps := range byKey {
		slices.SortFunc(ps, func(a, b postingRow) int { return int(a.Pos - b.Pos) })
		for r := 1; r < len(ps); r++ {
			if !ps[r].Open && r >= int(ps[r].Cap) {
				break // a closed key: later documents meet none
			}
			for e := 0; e < r && e < int(ps[e].Cap); e++ {
				p := [2]int64{ps[r].Pos, ps[e].Pos}
				stored[p] = stored[p] || r < int(ps[r].Cap)
			}
		}
	}
	var edges []edgeRow
	for p, s := range stored {
		edges = append(edges, edgeRow{Later: p[0], Earlier: p[1], Stored: s})
	}
	if err := parquet.WriteFile(filepath.Join(dir, "edges.parquet"), edges); err != nil {
		t.Fatal(err)
	}
	return len(edges)
}

// -export, the pairs an engine computes, then -edges: the same JSONL as
// clustering directly.
func TestExportEdges(t *testing.T) {
	inputs := []string{"../../testdata/seeds", "../../testdata/fixtures"}
	want, _, err := runCLI(t, "", append([]string{"-q"}, inputs...)...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var docs int
	for _, in := range inputs {
		files, _ := filepath.Glob(filepath.Join(in, "*.txt"))
		docs += len(files)
	}
	if _, stderr, err := runCLI(t, "", append([]string{"-export", dir}, inputs...)...); err != nil || !strings.Contains(stderr, fmt.Sprintf("exported %d documents", docs)) {
		t.Fatalf("-export: %v\n%s", err, stderr)
	}
	if n := edgesLikeSQL(t, dir); n == 0 {
		t.Fatal("no edges")
	}
	got, _, err := runCLI(t, "", "-q", "-edges", dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(parse(t, want), parse(t, got)); diff != "" {
		t.Errorf("-edges differs from a direct run (-want +got):\n%s", diff)
	}
	if _, _, err := runCLI(t, "", "-q", "-hashes", "64", "-edges", dir); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("-edges with other settings: %v", err)
	}
	if _, _, err := runCLI(t, "", "-q", "-edges", t.TempDir()); err == nil {
		t.Error("-edges on an empty directory succeeded")
	}
}
