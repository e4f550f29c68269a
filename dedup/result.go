package dedup

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Doc is one document of a batch.
type Doc struct {
	ID   string
	Text []byte
	// Release, when not nil, is called by ClusterReader (and
	// stage.SketchCorpus) once for each time it is given the Doc, when it
	// no longer reads Text: from any goroutine, concurrently with other
	// Releases, within the yield that gave it (a document a reading
	// skips) or after the ReadFunc has returned. A ReadFunc that reads
	// into buffers of its own may then use Text's memory again, instead
	// of allocating (and the kernel faulting in and zeroing) fresh memory
	// for every part of a corpus. Cluster ignores it.
	Release func()
}

// Clustering is the result of Config.Cluster.
type Clustering struct {
	// Docs has one entry per input document, in input order.
	Docs []DocResult
	// Clusters lists the clusters in the input order of their first
	// member; singletons included.
	Clusters []Cluster
	// BoilerplateLines is the number of distinct lines learned as
	// boilerplate; BoilerplateDocs the number of documents that had some.
	BoilerplateLines, BoilerplateDocs int
}

// DocResult is the outcome for one document.
type DocResult struct {
	ID string
	// ClusterIndex is the index of the document's cluster in Clustering.Clusters.
	ClusterIndex int
	// Canonical reports whether the document is its cluster's canonical.
	Canonical bool
	// Similarity is the estimated Jaccard similarity of the document's
	// content to the canonical's (1 for the canonical itself).
	Similarity float64
	// Match is the verdict that put the document in its cluster, against
	// the cluster's center (the member with the most content); zero for
	// the center.
	Match Match
	// Sketch is the document's sketch, boilerplate left out. The
	// sketches of one Clustering lie in one array that the DocResults
	// point into, rather than in copies: a DocResult is 168 bytes, not
	// 296, and a corpus's result takes its sketches over without holding
	// them twice on the way (136 MB at 10^6 documents). With
	// Config.SpillDir, its chunks and number sample lie in a file that
	// lasts as long as the sketches; Compare reads them from it.
	Sketch *Sketch
}

// Cluster is a group of copies of one article.
type Cluster struct {
	// Canonical is the input index of the canonical document.
	Canonical int
	// Members are the input indices of the members, in input order.
	Members []int
	// Scores are the canonical scores of the members, best first; the
	// first is the canonical's.
	Scores []Score
}

// Score explains how complete a member of a cluster is. Total is the
// product of the factors; the member with the highest Total is canonical,
// ties going to fewer look-alike letters (the same text, typed more
// cleanly), then to more content words, then to more numbers (a price
// table re-filed with more rows), then to the first in input order.
type Score struct {
	Doc   int // input index
	Total float64
	// Coverage is the share of the cluster's content the member carries,
	// each shingle weighted by the number of members that carry it, so that
	// a sentence only one copy added weighs little and text every copy
	// shares weighs most: Σ_j |S_j ∩ S_m| / Σ_j |S_j| over the members j,
	// with the intersections estimated from the signatures. Truncated
	// copies score low here.
	Coverage float64
	// NumberFactor is 0.9 for a copy whose numbers were masked (written
	// as placeholder digits) when another member has real numbers, else
	// 1.
	NumberFactor float64
	// DiacriticFactor is 0.8 for a copy without the diacritics other
	// members have, else 1.
	DiacriticFactor float64
	// ContentShare is the share of the member's words that are article
	// content rather than boilerplate lines.
	ContentShare float64
}

func (s Score) String() string {
	return fmt.Sprintf("score %.3f = coverage %.3f × numbers %.2f × diacritics %.2f × content share %.3f",
		s.Total, s.Coverage, s.NumberFactor, s.DiacriticFactor, s.ContentShare)
}

// Reason explains in words why the first score of a cluster won.
func (c *Cluster) Reason(docs []DocResult) string {
	if len(c.Scores) < 2 {
		return "only member"
	}
	best, next := c.Scores[0], c.Scores[1]
	var why []string
	switch {
	case best.Total > next.Total:
		if best.Coverage > next.Coverage {
			why = append(why, "carries more of the cluster's content")
		}
		if best.NumberFactor > next.NumberFactor {
			why = append(why, "has real numbers")
		}
		if best.DiacriticFactor > next.DiacriticFactor {
			why = append(why, "has diacritics")
		}
		if best.ContentShare > next.ContentShare {
			why = append(why, "has less boilerplate")
		}
	case docs[best.Doc].Sketch.retyped < docs[next.Doc].Sketch.retyped:
		why = append(why, "tied score, typed cleanly (fewer words read through ligatures, full-width forms, look-alike letters or line-end hyphens)")
	case docs[best.Doc].Sketch.words > docs[next.Doc].Sketch.words:
		why = append(why, "tied score, more words")
	case docs[best.Doc].Sketch.numbers.Count > docs[next.Doc].Sketch.numbers.Count:
		why = append(why, "tied score and words, more numbers")
	default:
		why = append(why, "tied score, words and numbers, first in input order")
	}
	return fmt.Sprintf("%s (%s; runner-up %s: %s)", strings.Join(why, ", "), best, docs[next.Doc].ID, next)
}

// WriteJSONL writes the clustering as the neardup command does: one JSON
// object per document, in input order,
//
//	{"id":"…","cluster":"<id of the cluster's canonical>","canonical":true|false,"similarity":0.97}
//
// with the similarity to the canonical rounded to 3 decimals.
func (r *Clustering) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	for _, d := range r.Docs {
		line = appendJSONString(append(line[:0], `{"id":`...), d.ID)
		line = appendJSONString(append(line, `,"cluster":`...), r.Docs[r.Clusters[d.ClusterIndex].Canonical].ID)
		line = strconv.AppendBool(append(line, `,"canonical":`...), d.Canonical)
		// In [0, 1] and a multiple of 0.001: encoding/json's shortest
		// 'f' form, which it uses from 1e-6 to 1e21.
		line = strconv.AppendFloat(append(line, `,"similarity":`...), float64(int(d.Similarity*1000+0.5))/1000, 'f', -1, 64)
		line = append(line, "}\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendJSONString appends s as encoding/json writes a string: ids are
// nearly always printable ASCII or valid UTF-8 with nothing to escape,
// which are copied as they are; any other goes through json.Marshal (an
// escape, HTML's <, > and &, U+2028 and U+2029, invalid UTF-8).
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendMarshaled(dst, s)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return appendMarshaled(dst, s)
		}
		i += n
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendMarshaled(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
