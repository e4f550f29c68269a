package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chromium returns the path of a Chromium to render with, skipping the
// test where there is none (CI fails instead: .ci/run installs Debian's).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI: no chromium to render the report with")
	}
	t.Skip("no chromium")
	return ""
}

// The report is one self-contained file (nothing fetched, no script)
// that renders in headless Chromium with its two charts and, for the
// clusters it shows, each member beside its canonical with the words that
// differ marked. The dev set is used where it is (CI), else the
// repository's seeds and fixtures. The screenshot is kept in
// $NEARDUP_ARTIFACTS when set.
func TestReportRendersInChromium(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	in := filepath.Join("..", "..", "..", "shared", "devset", "devset.jsonl")
	if _, err := os.Stat(in); err != nil {
		in = filepath.Join(dir, "corpus.jsonl")
		os.WriteFile(in, corpusJSONL(t), 0o644)
	}
	report := filepath.Join(dir, "report.html")
	labels, _, err := runCLI(t, "", "-q", "-report", report, in)
	if err != nil {
		t.Fatal(err)
	}
	page := readTestFile(t, report)
	for _, ref := range []string{"http://", "https://", "<script", "<link", "@import", " src="} {
		if bytes.Contains(page, []byte(ref)) {
			t.Errorf("the report refers to something outside it: %q", ref)
		}
	}
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(browser, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,2400"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir) // a profile of its own
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return out.Bytes()
	}
	dom := string(run("--dump-dom", "file://"+report))
	clusters := make(map[string]int)
	for _, r := range parse(t, labels) {
		clusters[r.Cluster]++
	}
	sizes := make(map[int]bool)
	for _, n := range clusters {
		sizes[n] = true
	}
	chartBars := func(id string) int {
		i := strings.Index(dom, `<svg id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no chart %q in the rendered page", id)
		}
		j := strings.Index(dom[i:], "</svg>")
		return strings.Count(dom[i:i+j], `<rect class="bar"`)
	}
	if n := chartBars("cluster-sizes"); n != len(sizes) {
		t.Errorf("the cluster-size chart has %d bars for %d sizes", n, len(sizes))
	}
	if n := chartBars("similarity"); n != 20 {
		t.Errorf("the similarity chart has %d bars, want 20", n)
	}
	sections := regexp.MustCompile(`<section class="cluster" id="cluster-\d+">`).FindAllStringIndex(dom, -1)
	if len(sections) == 0 {
		t.Fatal("no cluster in the rendered page")
	}
	first := dom[sections[0][0]:]
	if end := strings.Index(first, "</section>"); end > 0 {
		first = first[:end]
	}
	if !strings.Contains(first, `<td class="canonical">`) || !strings.Contains(first, `<td class="member">`) ||
		!strings.Contains(first, "<del>") && !strings.Contains(first, "<ins>") {
		t.Errorf("the first cluster shows no member beside its canonical with differences marked:\n%.2000s", first)
	}
	shot := filepath.Join(dir, "report.png")
	if a := os.Getenv("NEARDUP_ARTIFACTS"); a != "" {
		os.MkdirAll(a, 0o755)
		shot = filepath.Join(a, "report.png")
	}
	run("--screenshot="+shot, "file://"+report)
	if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s; %d clusters shown", shot, len(sections))
}

// The word diff marks, side by side, the words only the canonical has
// and those only the member has, and escapes the text.
func TestWordDiff(t *testing.T) {
	l, r := wordDiff([]byte("Giá vàng <tăng> mạnh hôm nay"), []byte("Giá vàng <tăng> nhẹ hôm nay, theo thế giới"))
	if want := "Giá vàng &lt;tăng&gt; <del>mạnh</del> hôm <del>nay</del> "; string(l) != want {
		t.Errorf("left  %q\nwant %q", l, want)
	}
	if want := "Giá vàng &lt;tăng&gt; <ins>nhẹ</ins> hôm <ins>nay, theo thế giới</ins> "; string(r) != want {
		t.Errorf("right %q\nwant %q", r, want)
	}
}
