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
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
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
	bin := buildCLI(t)
	for _, articles := range []int{0, 1, -1} {
		t.Run(fmt.Sprintf("boilerplate=%d", articles), func(t *testing.T) {
			args := []string{"-q", in}
			if articles != 0 {
				args = append([]string{"-boilerplate", fmt.Sprint(articles)}, args...)
			}
			want := runCLI(t, bin, args...)
			out := filepath.Join(t.TempDir(), "result.jsonl")
			start := time.Now()
			res := runDirect(t, Options{Inputs: []string{in}, Output: out, RangeBytes: 1 << 20, Config: dedup.Config{BoilerplateArticles: articles}})
			if articles == 0 {
				checkTimings(t, res, start)
			}
			t.Logf("on the direct runner in %v", time.Since(start).Round(time.Millisecond))
			sameLines(t, want, out)
		})
	}
}

// Index keys carried by more documents than Options.KeyGroup are split
// in shards (splitHugeKeys), and so are articles of more documents
// (joinArticles); the copies under an exact key of more are not grouped
// (splitFamilies); all with the same result. With KeyGroup 2, most keys
// that pair documents, every exact key and article of three copies or
// more, take that way, some of those articles joined to others by a
// shared paragraph.
func TestPipelineSplitsHugeKeys(t *testing.T) {
	in := corpus(t)
	want := runCLI(t, buildCLI(t), "-q", in)
	out := filepath.Join(t.TempDir(), "result.jsonl")
	res := runDirect(t, Options{Inputs: []string{in}, Output: out, RangeBytes: 1 << 20, KeyGroup: 2})
	checkSplit(t, res, "documents of huge keys", "copies of huge exact keys", "documents of huge articles", "shards of joined huge articles", "partners of hub representatives", "links of hub nodes, large-star")
	sameLines(t, want, out)
}

// Components of more than Options.MaxComponent documents are split in
// parts (splitComponents). With MaxComponent 4 (two anchors, parts of
// about two more), every component of five documents or more takes that
// way on the dev set, and the result keeps the command's contract and
// clusters; only canonicals may differ, chosen among the anchors. With
// KeyGroup 2, the copies of every exact key of three documents or more
// are spread over the parts by their own positions, their first an
// anchor (splitFamilies).
func TestPipelineSplitsGiantComponents(t *testing.T) {
	in := corpus(t)
	want := runCLI(t, buildCLI(t), "-q", in)
	out := filepath.Join(t.TempDir(), "result.jsonl")
	res := runDirect(t, Options{Inputs: []string{in}, Output: out, RangeBytes: 1 << 20, MaxComponent: 4, KeyGroup: 2})
	checkSplit(t, res, "documents of split components", "parts of split components", "copies of huge exact keys")
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	cli, beam := readResult(t, []byte(want)), readResult(t, got)
	if len(beam) != len(cli) {
		t.Fatalf("the CLI wrote %d lines, the pipeline %d", len(cli), len(beam))
	}
	members := map[string][]string{}
	for i, r := range beam {
		if r.ID != cli[i].ID {
			t.Fatalf("line %d: id %q, the CLI's %q", i+1, r.ID, cli[i].ID)
		}
		members[r.Cluster] = append(members[r.Cluster], r.ID)
	}
	byID := map[string]result{}
	for _, r := range beam {
		byID[r.ID] = r
	}
	changed := 0
	for label, ids := range members {
		if l, ok := byID[label]; !ok || l.Cluster != label || !l.Canonical {
			t.Errorf("cluster %q: its label is not its canonical member (%+v)", label, l)
		}
		for _, id := range ids {
			if byID[id].Canonical && id != label {
				t.Errorf("cluster %q: %q is canonical too", label, id)
			}
		}
	}
	// The same clusters: documents together in one are together in the
	// other.
	first := map[string]string{} // the CLI's cluster -> the pipeline's
	for i, r := range beam {
		c := cli[i]
		if f, ok := first[c.Cluster]; ok && f != r.Cluster {
			t.Errorf("%q: in %q, apart from its CLI cluster %q's other members (in %q)", r.ID, r.Cluster, c.Cluster, f)
		}
		first[c.Cluster] = r.Cluster
		if r != c {
			changed++
		}
	}
	if len(first) != len(members) {
		t.Errorf("%d clusters, the CLI %d", len(members), len(first))
	}
	t.Logf("%d of %d lines differ from the CLI's (canonicals and similarities)", changed, len(beam))
}

// checkSplit checks that the run counted some of each of the neardup.split
// counters names: the split was exercised.
func checkSplit(t *testing.T, res beam.PipelineResult, names ...string) {
	t.Helper()
	split := map[string]int64{}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Key.Namespace == "neardup.split" {
			split[c.Key.Name] += c.Result()
		}
	}
	for _, name := range names {
		if split[name] == 0 {
			t.Fatalf("no %s: the split was not exercised (%v)", name, split)
		}
	}
	t.Logf("split: %v", split)
}

// result is a line of the result.
type result struct {
	ID         string  `json:"id"`
	Cluster    string  `json:"cluster"`
	Canonical  bool    `json:"canonical"`
	Similarity float64 `json:"similarity"`
}

func readResult(t *testing.T, b []byte) []result {
	t.Helper()
	var rs []result
	for line := range bytes.Lines(b) {
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// runDirect runs the pipeline with opt on the direct runner.
func runDirect(t *testing.T, opt Options) beam.PipelineResult {
	t.Helper()
	var res beam.PipelineResult
	err := Run(context.Background(), opt, func(ctx context.Context, p *beam.Pipeline) (err error) {
		res, err = direct.Execute(ctx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// buildCLI builds the neardup command and returns its path.
func buildCLI(t *testing.T) string {
	t.Helper()
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
	return bin
}

// runCLI runs the command and returns what it wrote.
func runCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cli := exec.Command(bin, args...)
	cli.Stdout, cli.Stderr = &stdout, &stderr
	if err := cli.Run(); err != nil {
		t.Fatalf("neardup: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

// sameLines checks that the pipeline's output file holds the command's
// output, line for line.
func sameLines(t *testing.T, want, out string) {
	t.Helper()
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(string(got), "\n")
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
}

// checkTimings checks the steps' timing metrics (timing.go) of a run
// that started at start: every step that does the work of a pass took
// elements, within the run, with windows in the order the steps depend on
// each other.
func checkTimings(t *testing.T, res beam.PipelineResult, start time.Time) {
	t.Helper()
	windows := map[string]metrics.DistributionValue{}
	busy := map[string]int64{}
	all := res.Metrics().AllMetrics()
	for _, d := range all.Distributions() {
		if d.Key.Namespace == "neardup.time.window" {
			windows[d.Key.Name] = d.Result()
		}
	}
	for _, c := range all.Counters() {
		if c.Key.Namespace == "neardup.time.busy" {
			busy[c.Key.Name] += c.Result()
		}
	}
	from, to := start.UnixMilli()-TimeEpoch, time.Now().UnixMilli()-TimeEpoch
	steps := []string{"sketch", "preliminary/candidate pairs", "preliminary/verify", "preliminary/cluster",
		"boilerplate/articles", "resketch", "final/candidate pairs", "final/verify", "final/cluster", "write shards"}
	for i, name := range steps {
		w, ok := windows[name]
		switch {
		case !ok || w.Count == 0:
			t.Errorf("step %q recorded no window", name)
			continue
		case w.Min < from || w.Max > to || w.Min > w.Max:
			t.Errorf("step %q: window [%d, %d] ms, outside the run [%d, %d]", name, w.Min, w.Max, from, to)
		case busy[name] < 0 || busy[name] > (w.Max-w.Min+1)*1000*int64(w.Count):
			t.Errorf("step %q: busy %d µs in a window of %d ms", name, busy[name], w.Max-w.Min)
		}
		if i > 0 {
			if prev, ok := windows[steps[i-1]]; ok && w.Max < prev.Min {
				t.Errorf("step %q ended (%d) before %q started (%d)", name, w.Max, steps[i-1], prev.Min)
			}
		}
	}
}
