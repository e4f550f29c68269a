package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"

	"github.com/neardup/neardup/dedup"
)

const root = "../.." // the neardup repository

// corpus returns JSONL input: the dev set when it is there (beside the
// repository, as in CI), else the repository's seeds and fixtures.
func corpus(t *testing.T) string {
	dev, _ := filepath.Abs(filepath.Join(root, "..", "shared", "devset", "devset.jsonl"))
	if _, err := os.Stat(dev); err == nil {
		return dev
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI: the dev set is missing")
	}
	var buf bytes.Buffer
	for _, dir := range []string{"seeds", "fixtures"} {
		paths, _ := filepath.Glob(filepath.Join(root, "testdata", dir, "*.txt"))
		for _, p := range paths {
			text, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			line, _ := json.Marshal(map[string]string{"id": dir + "/" + filepath.Base(p), "text": string(text)})
			buf.Write(append(line, '\n'))
		}
	}
	p := filepath.Join(t.TempDir(), "corpus.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The pipeline on Beam's direct runner writes what the neardup command
// writes for the same input: with the defaults, and with boilerplate
// learned from lines of two articles (-boilerplate 1) or not at all (-1).
func TestPipelineMatchesCLI(t *testing.T) {
	in := corpus(t)
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
	for _, articles := range []int{0, 1, -1} {
		t.Run(fmt.Sprintf("boilerplate=%d", articles), func(t *testing.T) {
			var want, stderr bytes.Buffer
			args := []string{"-q", in}
			if articles != 0 {
				args = append([]string{"-boilerplate", fmt.Sprint(articles)}, args...)
			}
			cli := exec.Command(bin, args...)
			cli.Stdout, cli.Stderr = &want, &stderr
			if err := cli.Run(); err != nil {
				t.Fatalf("neardup: %v\n%s", err, stderr.String())
			}
			out := filepath.Join(t.TempDir(), "result.jsonl")
			start := time.Now()
			opt := Options{Inputs: []string{in}, Output: out, RangeBytes: 1 << 20, Config: dedup.Config{BoilerplateArticles: articles}}
			err := Run(context.Background(), opt, func(ctx context.Context, p *beam.Pipeline) error {
				_, err := direct.Execute(ctx, p)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			wl, gl := strings.Split(want.String(), "\n"), strings.Split(string(got), "\n")
			t.Logf("%d documents on the direct runner in %v", len(gl)-1, elapsed.Round(time.Millisecond))
			if len(wl) < 3 {
				t.Fatalf("the CLI wrote %d lines", len(wl))
			}
			for i := range min(len(wl), len(gl)) {
				if wl[i] != gl[i] {
					t.Fatalf("line %d differs:\n   CLI %s\n  Beam %s", i+1, wl[i], gl[i])
				}
			}
			if len(wl) != len(gl) {
				t.Fatalf("the CLI wrote %d lines, the pipeline %d", len(wl), len(gl))
			}
		})
	}
}
