package redisindex_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/redisindex"
	"github.com/neardup/neardup/dedup/stage"
)

// The servers come from the environment (.ci/redis starts them):
// NEARDUP_REDIS_ADDR a standalone server, NEARDUP_REDIS_CLUSTER a
// comma-separated list of cluster nodes. Outside CI a test without its
// server is skipped; in CI (CI set) it fails.
func server(t *testing.T, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; in CI the Redis tests must run (.ci/redis start)", env)
		}
		t.Skipf("%s not set: no Redis server given", env)
	}
	return v
}

func standalone(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: server(t, "NEARDUP_REDIS_ADDR")})
	t.Cleanup(func() { c.Close() })
	return c
}

func cluster(t *testing.T) *redis.ClusterClient {
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(server(t, "NEARDUP_REDIS_CLUSTER"), ",")})
	t.Cleanup(func() { c.Close() })
	return c
}

// both runs f against the standalone server and the cluster.
func both(t *testing.T, f func(t *testing.T, rdb redis.UniversalClient)) {
	t.Run("standalone", func(t *testing.T) { f(t, standalone(t)) })
	t.Run("cluster", func(t *testing.T) { f(t, cluster(t)) })
}

// namespace returns a namespace of the test's own, deleted afterwards.
func namespace(t *testing.T, rdb redis.UniversalClient) string {
	ns := fmt.Sprintf("test-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), rand.Int64())
	t.Cleanup(func() { deleteNamespace(t, rdb, ns) })
	return ns
}

// forEachPrimary calls f for each primary, one call at a time: f may
// update the caller's variables without locking. (ClusterClient.ForEachMaster
// calls f from one goroutine per primary, concurrently.)
func forEachPrimary(ctx context.Context, rdb redis.UniversalClient, f func(context.Context, *redis.Client) error) error {
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		return c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return f(ctx, c)
		})
	case *redis.Client:
		return f(ctx, c)
	}
	return fmt.Errorf("client %T", rdb)
}

func deleteNamespace(t *testing.T, rdb redis.UniversalClient, ns string) {
	ctx := context.Background()
	err := forEachPrimary(ctx, rdb, func(ctx context.Context, c *redis.Client) error {
		it := c.Scan(ctx, 0, ns+":*", 1000).Iterator()
		for it.Next(ctx) {
			if err := c.Del(ctx, it.Val()).Err(); err != nil {
				return err
			}
		}
		return it.Err()
	})
	if err != nil {
		t.Errorf("deleting namespace %s: %v", ns, err)
	}
}

// usedMemory sums used_memory over the primaries.
func usedMemory(t *testing.T, rdb redis.UniversalClient) int64 {
	var total int64
	err := forEachPrimary(context.Background(), rdb, func(ctx context.Context, c *redis.Client) error {
		info, err := c.Info(ctx, "memory").Result()
		if err != nil {
			return err
		}
		for _, l := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				total += n
				return err
			}
		}
		return errors.New("no used_memory")
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func seeds(t *testing.T) (ids []string, texts [][]byte) {
	paths, err := filepath.Glob("../../testdata/seeds/*.txt")
	if err != nil || len(paths) != 5 {
		t.Fatalf("seeds: %v, %d files", err, len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ids, texts = append(ids, filepath.Base(p)), append(texts, b)
	}
	return ids, texts
}

func open(t *testing.T, rdb redis.UniversalClient, opt redisindex.Options) *redisindex.Index {
	t.Helper()
	ix, err := redisindex.New(context.Background(), rdb, opt)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// The seeds through a shared stream: 001 is a copy of 000, the rest are
// new, as with the in-memory index; Query and Remove agree.
func TestSeeds(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		var cfg dedup.Config
		ix := open(t, rdb, redisindex.Options{Config: cfg, Namespace: namespace(t, rdb)})
		shared, err := dedup.NewStream(cfg, ix)
		if err != nil {
			t.Fatal(err)
		}
		local, err := dedup.NewStream(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids, texts := seeds(t)
		for i, id := range ids {
			got, err := shared.Add(ctx, id, texts[i])
			if err != nil {
				t.Fatal(err)
			}
			want, err := local.Add(ctx, id, texts[i])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || (len(got) > 0 && (got[0].ID != want[0].ID || got[0].Match != want[0].Match)) {
				t.Errorf("%s: shared %+v, in-memory %+v", id, got, want)
			}
		}
		sk := cfg.Sketch(texts[1])
		found, err := ix.Query(ctx, &sk)
		// Both match with Jaccard 1 (000 differs only in masked numbers
		// and segmentation); ties go to the earlier.
		if err != nil || len(found) != 2 || found[0].ID != ids[0] || found[1].ID != ids[1] {
			t.Fatalf("Query(001) = %+v, %v; want 000 then 001", found, err)
		}
		if ok, err := ix.Remove(ctx, ids[0]); !ok || err != nil {
			t.Fatalf("Remove(000) = %v, %v", ok, err)
		}
		if ok, err := ix.Remove(ctx, ids[0]); ok || err != nil {
			t.Fatalf("second Remove(000) = %v, %v; want false, nil", ok, err)
		}
		if found, err = ix.Query(ctx, &sk); err != nil || len(found) != 1 || found[0].ID != ids[1] {
			t.Fatalf("Query(001) after Remove(000) = %+v, %v; want 001 only", found, err)
		}
	})
}

func TestConfigMismatch(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ns := namespace(t, rdb)
		open(t, rdb, redisindex.Options{Namespace: ns})
		_, err := redisindex.New(context.Background(), rdb, redisindex.Options{Namespace: ns, Config: dedup.Config{Hashes: 64}})
		if !errors.Is(err, redisindex.ErrConfig) || !errors.Is(err, dedup.ErrFormat) {
			t.Fatalf("New with another Config: %v, want ErrConfig", err)
		}
		if _, err := redisindex.New(context.Background(), rdb, redisindex.Options{Namespace: ns}); err != nil {
			t.Fatalf("New with the same Config: %v", err)
		}
	})
}

// Adding an id again is idempotent (what a retry does, and a page crawled
// twice): no second entry, and the first add reported as a copy.
func TestAddTwice(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		var cfg dedup.Config
		ix := open(t, rdb, redisindex.Options{Namespace: namespace(t, rdb)})
		_, texts := seeds(t)
		sk := cfg.Sketch(texts[2])
		if found, err := ix.Add(ctx, "a", &sk); err != nil || len(found) != 0 {
			t.Fatalf("first Add = %+v, %v; want no copies", found, err)
		}
		if found, err := ix.Add(ctx, "a", &sk); err != nil || len(found) != 1 || found[0].ID != "a" {
			t.Fatalf("second Add = %+v, %v; want its first add", found, err)
		}
		if found, err := ix.Query(ctx, &sk); err != nil || len(found) != 1 || found[0].ID != "a" {
			t.Fatalf("Query = %+v, %v; want a once", found, err)
		}
	})
}

// Documents older than the TTL stop matching, and Sweep empties their
// buckets.
func TestTTL(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		var cfg dedup.Config
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		ix := open(t, rdb, redisindex.Options{Namespace: namespace(t, rdb), TTL: time.Hour, Now: clock})
		_, texts := seeds(t)
		a, b := cfg.Sketch(texts[0]), cfg.Sketch(texts[1])
		if _, err := ix.Add(ctx, "a", &a); err != nil {
			t.Fatal(err)
		}
		advance(30 * time.Minute)
		if found, err := ix.Query(ctx, &b); err != nil || len(found) != 1 {
			t.Fatalf("within the TTL: Query = %+v, %v; want a", found, err)
		}
		advance(time.Hour)
		if found, err := ix.Add(ctx, "b", &b); err != nil || len(found) != 0 {
			t.Fatalf("after the TTL: Add = %+v, %v; want no copy", found, err)
		}
		c := cfg.Sketch(texts[3])
		if _, err := ix.Add(ctx, "c", &c); err != nil {
			t.Fatal(err)
		}
		advance(2 * time.Hour)
		n, err := ix.Sweep(ctx)
		if err != nil || n < int64(stage.LSH(cfg).Bands) {
			t.Fatalf("Sweep = %d, %v; want the entries of b and c (at least %d)", n, err, stage.LSH(cfg).Bands)
		}
		if n, err := ix.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("second Sweep = %d, %v; want 0", n, err)
		}
	})
}

// Exact copies report their first instance and take no bucket entry: after
// 200 of them, the first is each one's only copy, a near copy is still a
// copy of the first, and the buckets hold nothing but the first. New
// refuses an invalid Config.
func TestExactCopies(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		var cfg dedup.Config
		if _, err := redisindex.New(ctx, rdb, redisindex.Options{Config: dedup.Config{Bands: 50, Rows: 5}}); !errors.Is(err, dedup.ErrConfig) {
			t.Errorf("New with Bands 50 × Rows 5: %v, want ErrConfig", err)
		}
		ns := namespace(t, rdb)
		ix := open(t, rdb, redisindex.Options{Config: cfg, Namespace: ns})
		_, texts := seeds(t)
		text := texts[1]
		sk := cfg.Sketch(text)
		if found, err := ix.Add(ctx, "first", &sk); err != nil || len(found) != 0 {
			t.Fatalf("first: %v, %v", found, err)
		}
		for i := range 200 {
			found, err := ix.Add(ctx, fmt.Sprintf("copy%d", i), &sk)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].ID != "first" {
				t.Fatalf("copy %d: found %v, want only the first", i, found)
			}
		}
		near := cfg.Sketch([]byte(string(text) + " Thêm một câu kết của tòa soạn."))
		found, err := ix.Add(ctx, "near", &near)
		if err != nil || len(found) != 1 || found[0].ID != "first" {
			t.Errorf("near copy: found %v, %v; want the first only", found, err)
		}
		// The buckets hold the first's and the near copy's entries; the
		// 200 exact copies, filed, would fill the first's to 64.
		keys, _ := stage.AppendIndexKeys(cfg, nil, &sk)
		keys, _ = stage.AppendIndexKeys(cfg, keys, &near)
		entries := 0
		err = forEachPrimary(ctx, rdb, func(ctx context.Context, c *redis.Client) error {
			iter := c.Scan(ctx, 0, ns+":b:*", 1000).Iterator()
			for iter.Next(ctx) {
				vals, err := c.HGetAll(ctx, iter.Val()).Result()
				if err != nil {
					return err
				}
				for _, v := range vals {
					entries += len(v) / 12
				}
			}
			return iter.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if entries > len(keys) {
			t.Errorf("%d bucket entries for %d keys: exact copies were filed", entries, len(keys))
		}
	})
}

// The index verifies the candidates its buckets return: reports of one
// template share LSH keys but not their figures, and are not copies of
// each other; the copy among them is found.
func TestVerifiesCandidates(t *testing.T) {
	both(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		var cfg dedup.Config
		ix := open(t, rdb, redisindex.Options{Config: cfg, Namespace: namespace(t, rdb)})
		sketch := func(name string) dedup.Sketch {
			b, err := os.ReadFile(filepath.Join("../../testdata/fixtures", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			return cfg.Sketch(b)
		}
		for _, p := range [][2]string{{"template_a", "template_b"}, {"repo_a", "repo_b"}, {"futures_a", "futures_b"}} {
			a, b := sketch(p[0]), sketch(p[1])
			ka, _ := stage.AppendIndexKeys(cfg, nil, &a)
			kb, _ := stage.AppendIndexKeys(cfg, nil, &b)
			if !slices.ContainsFunc(ka, func(k stage.IndexKey) bool { return slices.Contains(kb, k) }) {
				t.Fatalf("%s and %s share no index key: this test needs candidates that are not copies", p[0], p[1])
			}
			if found, err := ix.Add(ctx, p[0], &a); err != nil || len(found) != 0 {
				t.Fatalf("%s: %v, %v", p[0], found, err)
			}
			if found, err := ix.Add(ctx, p[1], &b); err != nil || len(found) != 0 {
				t.Errorf("%s after %s: %v, %v; want no copy", p[1], p[0], found, err)
			}
			if found, err := ix.Query(ctx, &a); err != nil || len(found) != 1 || found[0].ID != p[0] {
				t.Errorf("Query(%s): %v, %v; want it alone", p[0], found, err)
			}
		}
	})
}
