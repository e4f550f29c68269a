// Command gencorpus writes a synthetic news corpus for benchmarks: N
// documents built from real sentences of a source JSONL (the dev set by
// default), recombined into articles of about 3 KB, with near-duplicates
// of every kind the dev set has injected among them. The output is JSONL
// with the dev set's gold fields (id, cluster, canonical_ok, kind, text),
// so `neardup -eval` scores it. The same flags give the same bytes.
//
//	go run ./examples/gencorpus -n 100000 > /tmp/corpus.jsonl
//	/usr/bin/time -v neardup -q /tmp/corpus.jsonl > /tmp/pred.jsonl
//
// -families F makes a corpus with a few huge families of copies, as
// syndication, a crawl's error pages or a site's template make them: a
// share F of the documents after the first familyStart become copies of
// the first three articles, half of them exact, a quarter with a sentence
// of their own appended, a quarter with one word replaced by a word of
// their own. The other documents are those the same flags without
// -families write.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func main() {
	n := flag.Int("n", 100000, "documents to write")
	src := flag.String("src", "../shared/devset/devset.jsonl", "JSONL whose \"text\" fields give the sentences")
	dup := flag.Float64("dup", 0.3, "share of documents that are near-duplicates of an earlier one")
	size := flag.Int("size", 3000, "approximate article size in bytes")
	seed := flag.Uint64("seed", 1, "random seed")
	families := flag.Float64("families", 0, "share of documents after the first 5,000 that become copies of the first three articles (half exact, half with a sentence appended or a word replaced)")
	flag.Parse()
	sents, err := sentences(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	g := &gen{r: rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15)), sents: sents, size: *size,
		families: *families, fr: rand.New(rand.NewPCG(*seed, 0xf1e2d3c4b5a69788))}
	if err := g.write(w, *n, *dup); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

// maxSentenceWords is the longest sentence taken: news sentences run 15
// to 40 words, and a longer "sentence" is text whose punctuation was lost.
const maxSentenceWords = 60

// sentences returns the distinct sentences of 6 to maxSentenceWords words
// in src.
func sentences(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	seen := map[string]bool{}
	var out []string
	br := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 1 {
			var d struct{ Text string }
			if jerr := json.Unmarshal(line, &d); jerr != nil {
				return nil, fmt.Errorf("%s: %v", path, jerr)
			}
			for _, l := range strings.Split(d.Text, "\n") {
				for _, s := range strings.SplitAfter(l, ". ") {
					s = strings.TrimSpace(s)
					// Between 6 and maxSentenceWords words: the dev set's
					// masked and one-line variants have no ". " to split
					// on, and their whole text would come out as one
					// "sentence", shared by every article that drew it.
					if n := len(strings.Fields(s)); n >= 6 && n <= maxSentenceWords && !seen[s] {
						seen[s] = true
						out = append(out, s)
					}
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(out) < 100 {
		return nil, fmt.Errorf("%s: only %d sentences", path, len(out))
	}
	return out, nil
}

type article struct {
	id, title string
	paras     [][]string
}

type gen struct {
	r     *rand.Rand
	sents []string
	size  int
	bases []article // the last few thousand originals, copied from

	// families is -families; fr draws the family copies, apart from r so
	// that the other documents stay those of a corpus without them;
	// heads are the first three articles.
	families float64
	fr       *rand.Rand
	heads    []article
}

// familyStart is how many documents come before the first family copy:
// the heads and an ordinary corpus's start.
const familyStart = 5000

// sentence joins the first half of one real sentence to the second half
// of another: real words and phrasing, but (with tens of thousands of
// source sentences) each made sentence is new, as in a real corpus, where
// different articles rarely share a sentence.
func (g *gen) sentence() string { return g.sentenceFrom(g.r) }

func (g *gen) sentenceFrom(r *rand.Rand) string {
	a := strings.Fields(g.sents[r.IntN(len(g.sents))])
	b := strings.Fields(g.sents[r.IntN(len(g.sents))])
	return strings.Join(append(a[:len(a)/2:len(a)/2], b[len(b)/2:]...), " ")
}

func (g *gen) article(id string) article {
	a := article{id: id}
	// A headline of 6 to 13 words: the first three of a made sentence and
	// its last ones, so that it draws on both source sentences and, like
	// real headlines, is the article's own (a prefix of one source
	// sentence would be shared by every article that drew it).
	t := strings.Fields(g.sentence())
	if n := 6 + g.r.IntN(8); len(t) > n {
		t = append(t[:3:3], t[len(t)-(n-3):]...)
	}
	a.title = strings.TrimRight(strings.Join(t, " "), ".,;:")
	n := len(a.title)
	for n < g.size {
		var p []string
		for k := 2 + g.r.IntN(4); k > 0 && n < g.size; k-- {
			s := g.sentence()
			p = append(p, s)
			n += len(s) + 1
		}
		a.paras = append(a.paras, p)
	}
	return a
}

func (a article) text() string {
	var b strings.Builder
	b.WriteString(a.title)
	for _, p := range a.paras {
		b.WriteString("\n")
		b.WriteString(strings.Join(p, " "))
	}
	return b.String()
}

type record struct {
	ID          string `json:"id"`
	Cluster     string `json:"cluster"`
	CanonicalOK bool   `json:"canonical_ok"`
	Kind        string `json:"kind"`
	Text        string `json:"text"`
}

var kinds = []string{"seg_full", "nfd", "oneline", "sentence_lines", "mask_digits", "strip_diacritics",
	"truncate", "boilerplate", "boilerplate+truncate", "edit", "zero_width", "upper_title"}

var lossless = map[string]bool{"seg_full": true, "nfd": true, "oneline": true, "sentence_lines": true, "zero_width": true, "upper_title": true}

func (g *gen) write(w io.Writer, n int, dup float64) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range n {
		id := fmt.Sprintf("g%08d", i)
		rec := record{ID: id, Cluster: id, CanonicalOK: true, Kind: "original"}
		if len(g.bases) > 0 && g.r.Float64() < dup {
			a := g.bases[g.r.IntN(len(g.bases))]
			rec.Kind = kinds[g.r.IntN(len(kinds))]
			rec.Cluster, rec.CanonicalOK = a.id, lossless[rec.Kind]
			rec.Text = g.variant(a, rec.Kind)
		} else {
			a := g.article(id)
			rec.Text = a.text()
			if len(g.bases) < 5000 {
				g.bases = append(g.bases, a)
			} else {
				g.bases[g.r.IntN(len(g.bases))] = a
			}
			if len(g.heads) < 3 {
				g.heads = append(g.heads, a)
			}
		}
		if g.families > 0 && i >= familyStart && g.fr.Float64() < g.families {
			rec = g.familyCopy(id)
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return nil
}

// familyCopy is document id made a copy of one of the heads.
func (g *gen) familyCopy(id string) record {
	a := g.heads[g.fr.IntN(len(g.heads))]
	rec := record{ID: id, Cluster: a.id, CanonicalOK: true, Text: a.text()}
	switch r := g.fr.Float64(); {
	case r < 0.5:
		rec.Kind = "family_exact"
	case r < 0.75:
		rec.Kind = "family_appended"
		rec.Text += "\n" + g.sentenceFrom(g.fr)
	default:
		rec.Kind, rec.CanonicalOK = "family_edited", false
		w := strings.Split(rec.Text, " ")
		w[g.fr.IntN(len(w))] = strings.Fields(g.sentenceFrom(g.fr))[0]
		rec.Text = strings.Join(w, " ")
	}
	return rec
}

func (g *gen) variant(a article, kind string) string {
	t := a.text()
	for _, k := range strings.Split(kind, "+") {
		switch k {
		case "seg_full": // join syllables pairwise, as a segmenter does
			f := strings.Split(t, " ")
			for i := 0; i+1 < len(f); i += 2 {
				if g.r.IntN(2) == 0 && !strings.ContainsAny(f[i], ".,;:\n") {
					f[i] += "_" + f[i+1]
					f[i+1] = ""
				}
			}
			t = strings.Join(strings.FieldsFunc(strings.Join(f, "\x00"), func(r rune) bool { return r == '\x00' }), " ")
		case "nfd":
			t = norm.NFD.String(t)
		case "oneline":
			t = strings.ReplaceAll(t, "\n", " ")
		case "sentence_lines":
			t = strings.ReplaceAll(t, ". ", ".\n")
		case "mask_digits":
			t = strings.Map(func(r rune) rune {
				switch {
				case unicode.IsDigit(r):
					return '4'
				case unicode.IsPunct(r):
					return ' '
				}
				return r
			}, t)
		case "strip_diacritics":
			t = strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Mn, r) {
					return -1
				}
				if r == 'đ' {
					return 'd'
				}
				if r == 'Đ' {
					return 'D'
				}
				return r
			}, norm.NFD.String(t))
		case "truncate":
			cut := len(t) * (40 + g.r.IntN(31)) / 100
			for cut < len(t) && t[cut] != ' ' {
				cut++
			}
			t = t[:cut]
		case "boilerplate":
			var b strings.Builder
			b.WriteString("Trang chủ Thời sự Thế giới Kinh tế Văn hóa Thể thao Giải trí Sức khỏe\n")
			b.WriteString(t)
			b.WriteString("\nTin bài liên quan\n")
			for range 4 {
				b.WriteString(g.bases[g.r.IntN(len(g.bases))].title + "\n")
			}
			b.WriteString("Bản quyền thuộc về tòa soạn. Ghi rõ nguồn khi phát hành lại thông tin từ website này.")
			t = b.String()
		case "edit": // replace one sentence
			e := a
			e.paras = make([][]string, len(a.paras))
			for i, p := range a.paras {
				e.paras[i] = append([]string(nil), p...)
			}
			p := e.paras[g.r.IntN(len(e.paras))]
			p[g.r.IntN(len(p))] = g.sentence()
			t = e.text()
		case "zero_width":
			t = strings.ReplaceAll(t, " ", " \u200b")
		case "upper_title":
			t = strings.ToUpper(a.title) + t[len(a.title):]
		}
	}
	return t
}
