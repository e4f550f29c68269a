package main

import (
	"bufio"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/neardup/neardup/dedup"
)

// The report shows the largest clusters and a sample of the others, so
// that it stays a page a curator reads: reportLargest of them by size,
// then up to reportSample more taken evenly across the rest in input
// order; each with at most reportMembers members beside its canonical,
// and at most reportWords words of each text.
const (
	reportLargest = 20
	reportSample  = 20
	reportMembers = 6
	reportWords   = 1500
)

// reportClusters picks the clusters the report shows, by index: the
// largest first (ties in input order), then an even sample of the other
// clusters that have copies.
func reportClusters(res *dedup.Clustering) []int {
	var multi []int
	for k, c := range res.Clusters {
		if len(c.Members) > 1 {
			multi = append(multi, k)
		}
	}
	bySize := slices.Clone(multi)
	slices.SortStableFunc(bySize, func(a, b int) int {
		return cmp.Compare(len(res.Clusters[b].Members), len(res.Clusters[a].Members))
	})
	largest := bySize[:min(reportLargest, len(bySize))]
	out := slices.Clone(largest)
	var rest []int
	for _, k := range multi {
		if !slices.Contains(largest, k) {
			rest = append(rest, k)
		}
	}
	if n := min(reportSample, len(rest)); n > 0 {
		step := float64(len(rest)) / float64(n)
		for i := range n {
			out = append(out, rest[int(float64(i)*step)])
		}
	}
	return out
}

// reportDocs marks the documents whose text the report shows.
func reportDocs(res *dedup.Clustering, shown []int) []bool {
	need := make([]bool, len(res.Docs))
	for _, k := range shown {
		c := res.Clusters[k]
		need[c.Canonical] = true
		for _, m := range reportMembersOf(c) {
			need[m] = true
		}
	}
	return need
}

// reportMembersOf returns the members shown beside the canonical: the
// first reportMembers others in score order.
func reportMembersOf(c dedup.Cluster) []int {
	var out []int
	for _, s := range c.Scores[1:] {
		if len(out) == reportMembers {
			break
		}
		out = append(out, s.Doc)
	}
	return out
}

// readTexts reads the inputs once more for the texts of the documents
// need marks.
func readTexts(rd *reader, paths []string, stdin io.Reader, need []bool) (map[int][]byte, error) {
	texts := make(map[int][]byte)
	rd.emitText = true
	rd.emit = func(_ string, text, _ []byte) error {
		texts[rd.n-1] = text // add counted it
		return nil
	}
	return texts, rd.readAgain(paths, stdin, need, "reading the texts for the report")
}

// wordDiff renders a canonical's text and a member's side by side at word
// level: words only the canonical has are marked <del>, words only the
// member has <ins> (sergi/go-diff, each distinct word one rune).
func wordDiff(canon, member []byte) (left, right template.HTML) {
	a, b := words(canon), words(member)
	vocab := make(map[string]rune)
	var back []string
	enc := func(ws []string) []rune {
		rs := make([]rune, len(ws))
		for i, w := range ws {
			r, ok := vocab[w]
			if !ok {
				r = rune(0xF0000 + len(back)) // private use planes: 131,068 words
				vocab[w] = r
				back = append(back, w)
			}
			rs[i] = r
		}
		return rs
	}
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffMainRunes(enc(a), enc(b), false) // no cleanup: a one-word equality is a word in common
	var l, r strings.Builder
	for _, d := range diffs {
		var ws []string
		for _, c := range d.Text {
			ws = append(ws, back[c-0xF0000])
		}
		text := template.HTMLEscapeString(strings.Join(ws, " "))
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			l.WriteString(text + " ")
			r.WriteString(text + " ")
		case diffmatchpatch.DiffDelete:
			l.WriteString("<del>" + text + "</del> ")
		case diffmatchpatch.DiffInsert:
			r.WriteString("<ins>" + text + "</ins> ")
		}
	}
	return template.HTML(l.String()), template.HTML(r.String())
}

// words splits a text into at most reportWords words.
func words(text []byte) []string {
	ws := strings.Fields(string(text))
	if len(ws) > reportWords {
		ws = append(ws[:reportWords], "…")
	}
	return ws
}

// bar is one bar of a chart.
type bar struct {
	Label       string
	Value       int
	X, Y, W, H  float64
	LX, LY, VY  float64
	Title       string
	ShowLabel   bool
	ValueString string
}

// chart lays out bars for an inline SVG: heights on a log scale, so that
// the thousands of singletons and the handful of large clusters both show.
func chart(labels []string, values []int, width, height float64) []bar {
	top := 1
	for _, v := range values {
		top = max(top, v)
	}
	n := float64(max(len(values), 1))
	w := (width - 40) / n
	out := make([]bar, len(values))
	for i, v := range values {
		h := 0.0
		if v > 0 {
			h = (height - 40) * math.Log1p(float64(v)) / math.Log1p(float64(top))
		}
		x := 30 + float64(i)*w
		out[i] = bar{Label: labels[i], Value: v, X: x, Y: height - 20 - h, W: math.Max(w-2, 1), H: h,
			LX: x + w/2, LY: height - 6, VY: height - 24 - h, Title: fmt.Sprintf("%s: %d", labels[i], v),
			ShowLabel: len(values) <= 24 || i%int(math.Ceil(n/24)) == 0, ValueString: fmt.Sprint(v)}
	}
	return out
}

type reportMember struct {
	ID, Reason  string
	Similarity  float64
	Left, Right template.HTML
}

type reportCluster struct {
	Index             int
	Canonical, Reason string
	Size              int
	Members           []reportMember
	More              int
}

type reportData struct {
	Documents, Clusters, WithCopies, Copies int
	Sizes, Similarity                       []bar
	Width, Height                           float64
	Shown                                   []reportCluster
	Banding                                 string
}

// writeReport writes the report: one HTML file with its style inline and
// its charts as SVG, no script and nothing fetched, so that it opens
// offline in any browser.
func writeReport(path string, res *dedup.Clustering, banding string, shown []int, texts map[int][]byte) error {
	d := reportData{Documents: len(res.Docs), Clusters: len(res.Clusters), Width: 720, Height: 220, Banding: banding}
	var hist []sizeCount
	hist, d.WithCopies, d.Copies = sizeHistogram(res)
	var labels []string
	var values []int
	for _, h := range hist {
		labels = append(labels, fmt.Sprint(h.Size))
		values = append(values, h.Clusters)
	}
	d.Sizes = chart(labels, values, d.Width, d.Height)
	sim := make([]int, 20)
	for _, doc := range res.Docs {
		if !doc.Canonical {
			sim[min(int(doc.Similarity*20), 19)]++
		}
	}
	labels = labels[:0]
	for i := range sim {
		labels = append(labels, fmt.Sprintf("%.2f", float64(i)/20))
	}
	d.Similarity = chart(labels, sim, d.Width, d.Height)
	for _, k := range shown {
		c := res.Clusters[k]
		rc := reportCluster{Index: k, Canonical: res.Docs[c.Canonical].ID, Reason: c.Reason(res.Docs), Size: len(c.Members)}
		canon := texts[c.Canonical]
		for _, m := range reportMembersOf(c) {
			l, r := wordDiff(canon, texts[m])
			rc.Members = append(rc.Members, reportMember{ID: res.Docs[m].ID, Reason: res.Docs[m].Match.Reason(), Similarity: res.Docs[m].Similarity, Left: l, Right: r})
		}
		rc.More = len(c.Members) - 1 - len(rc.Members)
		d.Shown = append(d.Shown, rc)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := reportTemplate.Execute(bw, d); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var reportTemplate = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>neardup report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1280px;padding:0 1em;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:2em} .muted{color:#666}
svg{background:#fafafa;border:1px solid #ddd} rect.bar{fill:#4a78b5} text{font-size:10px;fill:#444}
section.cluster{border-top:2px solid #4a78b5;margin-top:2em;padding-top:.5em}
table.pair{width:100%;border-collapse:collapse;table-layout:fixed;margin:.5em 0}
table.pair td{vertical-align:top;border:1px solid #ddd;padding:.5em;word-wrap:break-word}
table.pair th{text-align:left;font-weight:normal;background:#f0f3f8;padding:.3em .5em}
del{background:#fdd;text-decoration:line-through} ins{background:#dfd;text-decoration:none}
</style></head><body>
<h1>neardup report</h1>
<p>{{.Documents}} documents in {{.Clusters}} clusters: {{.WithCopies}} clusters have copies, {{.Copies}} documents are copies of a canonical. LSH: {{.Banding}}.</p>
<h2>Cluster sizes</h2>
<p class="muted">Clusters per size (logarithmic heights).</p>
<svg id="cluster-sizes" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="cluster sizes">
{{range .Sizes}}<rect class="bar" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{if .ShowLabel}}<text x="{{.LX}}" y="{{.LY}}" text-anchor="middle">{{.Label}}</text>{{end}}<text x="{{.LX}}" y="{{.VY}}" text-anchor="middle">{{.ValueString}}</text>
{{end}}</svg>
<h2>Similarity of copies to their canonical</h2>
<p class="muted">Documents that are not canonical, by estimated Jaccard similarity to their cluster's canonical (logarithmic heights).</p>
<svg id="similarity" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="similarity">
{{range .Similarity}}<rect class="bar" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{if .ShowLabel}}<text x="{{.LX}}" y="{{.LY}}" text-anchor="middle">{{.Label}}</text>{{end}}
{{end}}</svg>
<h2>Clusters</h2>
<p class="muted">The largest clusters, then a sample of the others. Each member is shown beside the canonical: words only the canonical has are <del>struck</del>, words only the member has are <ins>marked</ins>.</p>
{{range $c := .Shown}}<section class="cluster" id="cluster-{{.Index}}">
<h3>Cluster {{.Index}}: {{.Size}} documents, canonical {{.Canonical}}</h3>
<p>Why this canonical: {{.Reason}}</p>
{{range .Members}}<table class="pair"><tr><th>{{$c.Canonical}} (canonical)</th><th>{{.ID}}: similarity {{printf "%.3f" .Similarity}}; {{.Reason}}</th></tr>
<tr><td class="canonical">{{.Left}}</td><td class="member">{{.Right}}</td></tr></table>
{{end}}{{if .More}}<p class="muted">and {{.More}} more members.</p>{{end}}
</section>
{{end}}</body></html>
`))
