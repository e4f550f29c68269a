package duckdb

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// root is the neardup repository.
const root = "../.."

// corpus is the dev set when it is there (beside the repository, as in
// CI), else the repository's seeds and fixtures.
func corpus(t *testing.T) []string {
	if dev := filepath.Join(root, "..", "shared", "devset", "devset.jsonl"); fileExists(dev) {
		return []string{dev}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI: the dev set is missing")
	}
	return []string{filepath.Join(root, "testdata", "seeds"), filepath.Join(root, "testdata", "fixtures")}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func neardup(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("neardup %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out.Bytes()
}

// The CLI's export, edges.sql on DuckDB, and the CLI's read-back give the
// same JSONL as the CLI alone.
func TestEdgesSQL(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "neardup")
	build := exec.Command("go", "build", "-o", bin, "./examples/neardup")
	build.Dir = root
	// The command is a module of the repository's workspace: build it
	// there, whatever GOWORK this test runs with (off, in this module).
	work, _ := filepath.Abs(filepath.Join(root, "go.work"))
	build.Env = append(os.Environ(), "GOWORK="+work)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in := corpus(t)
	abs := make([]string, len(in))
	for i, p := range in {
		abs[i], _ = filepath.Abs(p)
	}
	want := neardup(t, bin, append([]string{"-q"}, abs...)...)

	dir := t.TempDir()
	neardup(t, bin, append([]string{"-q", "-export", dir}, abs...)...)
	script, err := os.ReadFile(filepath.Join(root, "examples", "neardup", "edges.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Chdir(dir) // the script's paths are relative to the export
	start := time.Now()
	if _, err := db.Exec(string(script)); err != nil {
		t.Fatalf("edges.sql: %v", err)
	}
	var edges, docs, components int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM 'edges.parquet'), (SELECT count(*) FROM 'docs.parquet'), (SELECT count(DISTINCT component) FROM 'components.parquet')`).Scan(&edges, &docs, &components); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents: edges.sql wrote %d edges and %d components in %v", docs, edges, components, time.Since(start).Round(time.Millisecond))
	if edges == 0 || components == 0 || components > docs {
		t.Fatalf("%d edges, %d components for %d documents", edges, components, docs)
	}
	got := neardup(t, bin, "-q", "-edges", dir)
	if !bytes.Equal(want, got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := range min(len(wl), len(gl)) {
			if wl[i] != gl[i] {
				t.Fatalf("line %d differs:\n direct %s\n  edges %s", i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("outputs differ in length: %d and %d lines", len(wl), len(gl))
	}
}
