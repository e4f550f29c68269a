// Command crawler is neardup in a crawler: it fetches pages over HTTP,
// breadth first from a start URL and within its host, extracts each
// page's article (go-readability; the page's title is its headline) and
// skips the pages whose article is a copy of one it has seen, learning
// the site's boilerplate on the way. A page without an <article> element
// (a front page, a section index) is followed for its links only.
//
//	go run ./examples/crawler                  # a news site it serves itself (site.go)
//	go run ./examples/crawler -url https://…   # any site, at most -max pages
//
// With -store DIR the index is kept in DIR (dedup.Store: an append-only
// log and snapshots), so a crawler that is restarted, or killed, goes on
// knowing every page it acknowledged; run it twice and the second run
// keeps nothing.
//
// With -redis ADDR (host:port, or a comma-separated list of Redis Cluster
// nodes) the index is shared in Redis (package dedup/redisindex): every
// crawler of a fleet started with the same -redis and -namespace skips
// the pages any of them has seen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/redisindex"
	"github.com/neardup/neardup/examples/internal/extract"
)

// options choose what to crawl and where the index lives: in memory (the
// zero value), in a directory, or in Redis.
type options struct {
	url       string // the start URL; empty: the site of site.go
	max       int    // the most pages to fetch; 0: 1,000
	store     string // directory of a dedup.Store
	redis     string // Redis address(es)
	namespace string // key prefix in Redis
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "crawl from this URL, within its host (default: a news site the crawler serves itself)")
	flag.IntVar(&o.max, "max", 1000, "fetch at most this many pages")
	flag.StringVar(&o.store, "store", "", "keep the index in this directory across runs")
	flag.StringVar(&o.redis, "redis", "", "share the index in Redis at host:port (several, comma-separated: a Redis Cluster)")
	flag.StringVar(&o.namespace, "namespace", "crawler", "key prefix of the index in Redis")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	start := o.url
	if start == "" {
		srv := httptest.NewServer(site())
		defer srv.Close()
		start = srv.URL + "/"
	}
	// The three indexes take a page the same way: Add checks it against
	// every page seen before it, then adds it.
	var index interface {
		Add(ctx context.Context, url string, text []byte) ([]dedup.Found, error)
	}
	ctx := context.Background()
	switch {
	case o.redis != "":
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(o.redis, ",")})
		defer rdb.Close()
		ix, err := redisindex.New(ctx, rdb, redisindex.Options{Namespace: o.namespace})
		if err != nil {
			return err
		}
		if index, err = dedup.NewStream(dedup.Config{}, ix); err != nil {
			return err
		}
	case o.store != "":
		s, err := dedup.OpenStore(o.store, dedup.StoreOptions{})
		if err != nil {
			return err
		}
		defer s.Close()
		fmt.Fprintf(w, "%d pages known from %s\n", s.Len(), o.store)
		index = s
	default:
		index = new(dedup.Stream) // the defaults, in memory
	}
	pages, kept := 0, 0
	err := crawl(ctx, start, o.max, func(u *url.URL, page extract.Page) error {
		text, ok := articleText(page, u)
		if !ok {
			return nil
		}
		pages++
		id := u.RequestURI()                                    // the path: the crawl stays on one host
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a bound on a shared index's retries
		defer cancel()
		found, err := index.Add(ctx, id, text)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			kept++
			fmt.Fprintf(w, "keep  %-28s new article\n", id)
			return nil
		}
		f := found[0]
		fmt.Fprintf(w, "skip  %-28s copy of %s (jaccard %.2f, containment %.2f: %s)\n", id, f.ID, f.Jaccard, f.Containment, f.Reason())
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d pages, %d kept\n", pages, kept)
	return nil
}

// crawl fetches start and the pages it links to, breadth first and in
// link order, each URL once (without its fragment), within start's host,
// at most max pages (0: 1,000), and hands visit every HTML page fetched,
// parsed once,
// with status 200. Pages that fail to load are reported on standard
// error and skipped; an error from visit ends the crawl.
func crawl(ctx context.Context, start string, max int, visit func(u *url.URL, page extract.Page) error) error {
	if max <= 0 {
		max = 1000
	}
	base, err := url.Parse(start)
	if err != nil || base.Host == "" {
		return fmt.Errorf("start URL %q: want an absolute http(s) URL", start)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	queue := []*url.URL{base}
	seen := map[string]bool{base.String(): true}
	for fetched := 0; len(queue) > 0 && fetched < max; fetched++ {
		u := queue[0]
		queue = queue[1:]
		page, err := fetch(ctx, client, u)
		if err != nil {
			fmt.Fprintf(os.Stderr, "crawler: %s: %v\n", u, err)
			continue
		}
		if page == nil {
			continue // not an HTML page
		}
		p, err := extract.Parse(page)
		if err != nil {
			continue
		}
		for _, href := range p.Links() {
			next, err := u.Parse(href)
			if err != nil || next.Host != base.Host || next.Scheme != "http" && next.Scheme != "https" {
				continue
			}
			next.Fragment = ""
			if !seen[next.String()] {
				seen[next.String()] = true
				queue = append(queue, next)
			}
		}
		if err := visit(u, p); err != nil {
			return err
		}
	}
	return nil
}

// maxPage is the most bytes of a page the crawler reads.
const maxPage = 8 << 20

// fetch returns the body of an HTML page, nil for anything else, and an
// error for a status other than 200 or a failed request.
func fetch(ctx context.Context, client *http.Client, u *url.URL) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/html" {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxPage))
}

// articleText returns a page's article as neardup reads it (see package
// extract), and false for a page without an <article> element.
func articleText(p extract.Page, u *url.URL) ([]byte, bool) {
	if !p.HasArticle() {
		return nil, false
	}
	return p.Text(u)
}
