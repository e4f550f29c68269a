// Package extract takes the article out of a news page for the example
// programs: go-readability (readeck's maintained fork of the port of
// Mozilla's Readability) picks the article's text out of the menus,
// share bars, related links and footer around it, and the page's title
// becomes its first line, the headline neardup reads. Extraction is the
// programs' choice; package dedup reads text and knows nothing of HTML.
package extract

import (
	"bytes"
	"net/url"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Text returns the article of an HTML page, its title on the first line
// and its text after, and false when the page has no readable content.
// pageURL, which may be nil, resolves the page's relative links.
func Text(page []byte, pageURL *url.URL) ([]byte, bool) {
	p, err := Parse(page)
	if err != nil {
		return nil, false
	}
	return p.Text(pageURL)
}

// Text is Text of the parsed page. go-readability rewrites the page as it
// works: read its Links and HasArticle first.
func (p Page) Text(pageURL *url.URL) ([]byte, bool) {
	doc := p.doc
	if pageURL == nil {
		pageURL = &url.URL{}
	}
	art, err := readability.FromDocument(doc, pageURL)
	if err != nil || art.Node == nil {
		return nil, false
	}
	var b bytes.Buffer
	b.WriteString(art.Title())
	b.WriteByte('\n')
	if err := art.RenderText(&b); err != nil || len(bytes.TrimSpace(b.Bytes())) == 0 {
		return nil, false
	}
	return b.Bytes(), true
}

// Page is a parsed HTML page.
type Page struct{ doc *html.Node }

// Parse parses an HTML page; any input parses (HTML's error recovery).
func Parse(page []byte) (Page, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	return Page{doc}, err
}

// Links returns the href of every <a> of the page, in document order.
func (p Page) Links() []string {
	var out []string
	for n := range p.doc.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
	}
	return out
}

// HasArticle reports whether the page has an <article> element: a news
// site's article page rather than its front page or a section index.
func (p Page) HasArticle() bool {
	for n := range p.doc.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.Article {
			return true
		}
	}
	return false
}
