package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func Example_main() {
	main()
	// Output:
	// keep  news-a.vn/mua-lu             new article
	// keep  news-a.vn/gia-vang           new article
	// keep  news-a.vn/bong-da            new article
	// skip  news-b.vn/123                copy of news-a.vn/mua-lu (jaccard 0.67, containment 1.00: jaccard 0.67 >= 0.50)
	// skip  mirror.vn/gv                 copy of news-a.vn/gia-vang (jaccard 0.60, containment 1.00: jaccard 0.60 >= 0.50)
	// skip  news-a.vn/bong-da-tom-tat    copy of news-a.vn/bong-da (jaccard 0.48, containment 1.00: containment 1.00 >= 0.80 at size ratio 0.48)
	// 6 pages, 3 kept
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
