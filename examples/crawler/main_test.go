package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/neardup/neardup/examples/internal/extract"
	"github.com/redis/go-redis/v9"
)

// The crawl of the site the crawler serves itself: the syndicated copy,
// the accent-free mirror and the teaser are skipped.
func Example_main() {
	main()
	// Output:
	// keep  /thoi-su/mua-lu              new article
	// keep  /kinh-te/gia-vang            new article
	// keep  /the-thao/bong-da            new article
	// skip  /dong-bo/123                 copy of /thoi-su/mua-lu (jaccard 1.00, containment 1.00: jaccard 1.00 >= 0.50)
	// skip  /mirror/gv                   copy of /kinh-te/gia-vang (jaccard 1.00, containment 1.00: jaccard 1.00 >= 0.50)
	// skip  /the-thao/bong-da-tom-tat    copy of /the-thao/bong-da (jaccard 0.79, containment 1.00: jaccard 0.79 >= 0.50)
	// 6 pages, 3 kept
}

// The crawl fetches every page the site links to once, breadth first,
// within its host and up to the page limit; the article text leaves the
// page furniture out.
func TestCrawl(t *testing.T) {
	srv := httptest.NewServer(site())
	defer srv.Close()
	var visited []string
	err := crawl(context.Background(), srv.URL+"/", 0, func(u *url.URL, page extract.Page) error {
		visited = append(visited, u.Path)
		if text, ok := articleText(page, u); ok {
			for _, furniture := range []string{"Trang chủ", "Chia sẻ", "Tin bài liên quan", "Ghi rõ nguồn"} {
				if bytes.Contains(text, []byte(furniture)) {
					t.Errorf("%s: the article text keeps %q:\n%s", u.Path, furniture, text)
				}
			}
			if title, _, _ := strings.Cut(articles[u.Path], "\n"); !bytes.HasPrefix(text, []byte(title+"\n")) {
				t.Errorf("%s: the text does not start with the title %q:\n%s", u.Path, title, text)
			}
		} else if articles[u.Path] != "" {
			t.Errorf("%s: an article page gave no article", u.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"/", "/dong-bo/", "/kinh-te/", "/mirror/", "/the-thao/", "/thoi-su/"}, front...) // the menu, sorted, then the front page's links
	if diff := cmp.Diff(want, visited); diff != "" {
		t.Errorf("pages visited (-want +got):\n%s", diff)
	}
	visited = nil
	crawl(context.Background(), srv.URL+"/", 3, func(u *url.URL, _ extract.Page) error { visited = append(visited, u.Path); return nil })
	if len(visited) != 3 {
		t.Errorf("-max 3 fetched %v", visited)
	}
	// A link to another host is not followed.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<a href="%s/thoi-su/mua-lu">elsewhere</a><a href="/x#top">here</a><a href="/x">again</a>`, srv.URL)
	}))
	defer other.Close()
	visited = nil
	crawl(context.Background(), other.URL+"/", 0, func(u *url.URL, _ extract.Page) error { visited = append(visited, u.Path); return nil })
	if diff := cmp.Diff([]string{"/", "/x"}, visited); diff != "" {
		t.Errorf("crawl of another host (-want +got):\n%s", diff)
	}
}

// With a store, a restarted crawler remembers the pages of its last run.
func TestRestart(t *testing.T) {
	o := options{store: t.TempDir()}
	var first, second strings.Builder
	if err := run(&first, o); err != nil {
		t.Fatal(err)
	}
	if err := run(&second, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "0 pages known") || !strings.Contains(first.String(), "6 pages, 3 kept") {
		t.Errorf("first run:\n%s", first.String())
	}
	if !strings.Contains(second.String(), "6 pages known") || !strings.Contains(second.String(), "6 pages, 0 kept") {
		t.Errorf("second run:\n%s", second.String())
	}
}

// Two crawlers sharing a Redis index: the second, another process in a
// fleet, skips every page the first kept. NEARDUP_REDIS_ADDR names the
// server (.ci/redis starts one); in CI the test fails without it.
func TestSharedRedis(t *testing.T) {
	addr := os.Getenv("NEARDUP_REDIS_ADDR")
	if addr == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("NEARDUP_REDIS_ADDR is not set")
		}
		t.Skip("NEARDUP_REDIS_ADDR not set: no Redis server given")
	}
	o := options{redis: addr, namespace: fmt.Sprintf("crawler-test-%d", rand.Int64())}
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, o.namespace+":*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	var first, second strings.Builder
	if err := run(&first, o); err != nil {
		t.Fatal(err)
	}
	if err := run(&second, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "6 pages, 3 kept") {
		t.Errorf("first crawler:\n%s", first.String())
	}
	if !strings.Contains(second.String(), "6 pages, 0 kept") {
		t.Errorf("second crawler:\n%s", second.String())
	}
}

// A site of the repository's seed documents, each a page in the site's
// furniture: the crawl keeps 000 and skips 001, the same report in
// another form, and keeps the three other articles.
func TestCrawlSeeds(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "seeds", "*.txt"))
	arts := make(map[string]string)
	var order []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		u := "/seeds/" + filepath.Base(p)[:3]
		arts[u] = string(b)
		order = append(order, u)
	}
	srv := httptest.NewServer(newSite(arts, order))
	defer srv.Close()
	var out strings.Builder
	if err := run(&out, options{url: srv.URL + "/"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && (f[0] == "keep" || f[0] == "skip") {
			got = append(got, f[0]+" "+f[1])
		}
	}
	want := []string{"keep /seeds/000", "skip /seeds/001", "keep /seeds/002", "keep /seeds/003", "keep /seeds/004"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("crawl of the seeds (-want +got):\n%s\n%s", diff, out.String())
	}
}
