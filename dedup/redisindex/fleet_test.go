package redisindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/redisindex"
)

// vocabulary returns the distinct words of the seeds.
func vocabulary(t *testing.T) []string {
	_, texts := seeds(t)
	seen := map[string]bool{}
	var words []string
	for _, b := range texts {
		for _, w := range strings.Fields(strings.ToLower(string(b))) {
			w = strings.Trim(w, ".,:;\"'()-")
			if w != "" && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	return words
}

// family returns an article of random sentences and copies of it as
// pipelines leave them: segmented (words joined by '_'), one sentence
// per line, and lightly edited (last sentence dropped, a word changed).
func family(rng *rand.Rand, vocab []string, copies int) []string {
	var sentences []string
	for range 10 + rng.IntN(6) {
		n := 12 + rng.IntN(12)
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		sentences = append(sentences, strings.Join(w, " ")+".")
	}
	orig := strings.Join(sentences, " ")
	out := []string{orig}
	for c := 1; c < copies; c++ {
		switch c % 3 {
		case 1:
			out = append(out, strings.Replace(strings.ReplaceAll(orig, " ", "_"), "._", ". ", -1))
		case 2:
			out = append(out, strings.Join(sentences, "\n"))
		case 0:
			edited := slices.Clone(sentences[:len(sentences)-1])
			edited[0] = vocab[rng.IntN(len(vocab))] + " " + edited[0]
			out = append(out, strings.Join(edited, " "))
		}
	}
	return out
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// Eight workers add families of copies to the cluster. Back to back, each
// family's copies are queued one after another, so that different workers
// add them at the same moment; shuffled, they arrive spread out, as in a
// crawl. No family may lose every copy; copies kept beside their first
// (misses the rule allows) are reported. NEARDUP_REDIS_FAMILIES sets the
// number of families (default 250, four documents each).
func TestConcurrentFamilies(t *testing.T) {
	for _, shuffled := range []bool{false, true} {
		name := "back-to-back"
		if shuffled {
			name = "shuffled"
		}
		t.Run(name, func(t *testing.T) { concurrentFamilies(t, shuffled) })
	}
}

func concurrentFamilies(t *testing.T, shuffled bool) {
	rdb := cluster(t)
	ctx := context.Background()
	var cfg dedup.Config
	ns := namespace(t, rdb)
	const workers, copies = 8, 4
	families := envInt("NEARDUP_REDIS_FAMILIES", 250)
	ix := open(t, rdb, redisindex.Options{Config: cfg, Namespace: ns, Documents: families * copies})
	vocab := vocabulary(t)
	rng := rand.New(rand.NewPCG(7, 8))
	type job struct {
		fam  int
		id   string
		text []byte
	}
	var jobs []job
	for f := range families {
		for c, text := range family(rng, vocab, copies) {
			jobs = append(jobs, job{f, fmt.Sprintf("f%d-c%d", f, c), []byte(text)})
		}
	}
	if shuffled {
		rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	}
	// Sketch first, so that the timed part is the index.
	sketches := make([]dedup.Sketch, len(jobs))
	for i, j := range jobs {
		sketches[i] = cfg.Sketch(j.text)
	}
	mem0 := usedMemory(t, rdb)
	kept := make([]atomic.Int32, families)
	queue := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Int32
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				found, err := ix.Add(ctx, jobs[i].id, &sketches[i])
				if err != nil {
					t.Error(err)
					failed.Add(1)
					continue
				}
				for _, f := range found {
					if fam := strings.Split(f.ID, "-")[0]; fam != fmt.Sprintf("f%d", jobs[i].fam) {
						t.Errorf("%s reported as a copy of %s, another family", jobs[i].id, f.ID)
					}
				}
				if len(found) == 0 {
					kept[jobs[i].fam].Add(1)
				}
			}
		}()
	}
	for i := range jobs {
		queue <- i
	}
	close(queue)
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d adds failed", failed.Load())
	}
	zero, extra := 0, 0
	for f := range kept {
		switch n := int(kept[f].Load()); {
		case n == 0:
			zero++
		case n > 1:
			extra += n - 1
		}
	}
	if zero > 0 {
		t.Errorf("%d of %d families kept no document", zero, families)
	}
	mem := usedMemory(t, rdb) - mem0
	t.Logf("%d documents (%d families × %d) by %d workers in %v: %.0f documents/s; kept %d (right: %d, misses the rule allows: %d); Redis memory %+d bytes, %.0f B/document",
		len(jobs), families, copies, workers, elapsed.Round(time.Millisecond), float64(len(jobs))/elapsed.Seconds(),
		families+extra, families, extra, mem, float64(mem)/float64(len(jobs)))
	// A timing-independent bound: an index that finds copies at all
	// finds most of them, even with every copy of a family in flight at
	// once.
	if max := families * (copies - 1) / 2; extra >= max {
		t.Errorf("%d extra documents kept for %d families: the index misses half the copies or more", extra, families)
	}
}

// redisServer is a redis-server process of the test's own.
type redisServer struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

func startServer(t *testing.T) *redisServer {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not found; CI must install it (.ci/run)")
		}
		t.Skip("redis-server not found")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &redisServer{bin: bin, dir: t.TempDir(), port: port}
	t.Cleanup(func() { s.kill() })
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *redisServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// start runs the server with an fsync per write (what it acknowledged, it
// keeps across a kill) and waits up to 5 s for it to answer.
func (s *redisServer) start() error {
	s.cmd = exec.Command(s.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port), "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", filepath.Join(s.dir, "log"))
	if err := s.cmd.Start(); err != nil {
		return err
	}
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	defer c.Close()
	for range 200 {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
	return fmt.Errorf("redis-server on %s did not start in 5 s:\n%s", s.addr(), log)
}

func (s *redisServer) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

// The server is killed (SIGKILL) and restarted twice while four writers
// add documents. Every add must succeed in the end (the client retries),
// and every document acknowledged must be in the index afterwards.
func TestServerRestart(t *testing.T) {
	srv := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.addr(), DialTimeout: 250 * time.Millisecond, ReadTimeout: time.Second, MaxRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	var cfg dedup.Config
	ix := open(t, rdb, redisindex.Options{Config: cfg})
	vocab := vocabulary(t)
	rng := rand.New(rand.NewPCG(9, 10))
	type doc struct {
		id string
		sk dedup.Sketch
	}
	var docs []doc
	for f := range 300 {
		for c, text := range family(rng, vocab, 2) {
			docs = append(docs, doc{fmt.Sprintf("f%d-c%d", f, c), cfg.Sketch([]byte(text))})
		}
	}
	var acked atomic.Int32
	ackedBy := make([]bool, len(docs))
	var mu sync.Mutex
	var errs []error
	queue := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				actx, cancel := context.WithTimeout(ctx, 20*time.Second)
				_, err := ix.Add(actx, docs[i].id, &docs[i].sk)
				cancel()
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ackedBy[i] = true
				}
				mu.Unlock()
				if err == nil {
					acked.Add(1)
				}
			}
		}()
	}
	// The killer waits for a third and two thirds of the documents to be
	// acknowledged, or gives up when the writers are done or after a
	// minute.
	kills := make(chan time.Duration, 2)
	done := make(chan struct{})
	go func() {
		defer close(kills)
		timeout := time.After(time.Minute)
		for _, at := range []int32{int32(len(docs) / 3), int32(2 * len(docs) / 3)} {
			for acked.Load() < at {
				select {
				case <-done:
					return
				case <-timeout:
					t.Errorf("%d documents acknowledged in a minute, want %d", acked.Load(), at)
					return
				case <-time.After(time.Millisecond):
				}
			}
			t0 := time.Now()
			srv.kill()
			time.Sleep(300 * time.Millisecond) // down for a while
			if err := srv.start(); err != nil {
				t.Error(err)
				return
			}
			kills <- time.Since(t0)
		}
	}()
	for i := range docs {
		queue <- i
	}
	close(queue)
	wg.Wait()
	close(done)
	var downs []string
	for d := range kills {
		downs = append(downs, d.Round(time.Millisecond).String())
	}
	if len(downs) != 2 {
		t.Fatalf("the server was restarted %d times, want 2", len(downs))
	}
	for _, err := range errs {
		t.Errorf("add failed: %v", err)
	}
	lost := 0
	for i, d := range docs {
		if !ackedBy[i] {
			continue
		}
		found, err := ix.Query(ctx, &d.sk)
		if err != nil {
			t.Fatal(err)
		}
		// Found as itself, or, for an exact copy, which is filed under no
		// key, as its twin: a copy of the same family with the same
		// content.
		family, _, _ := strings.Cut(d.id, "-")
		ok := false
		for _, f := range found {
			ok = ok || f.ID == d.id || strings.HasPrefix(f.ID, family+"-") && f.Jaccard == 1
		}
		if !ok {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged %s is not in the index after the restarts", d.id)
			}
		}
	}
	t.Logf("%d documents, %d acknowledged, %d failed, %d lost; the server was down %v", len(docs), acked.Load(), len(errs), lost, downs)
}
