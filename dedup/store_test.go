package dedup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// storeDoc returns document i of a deterministic crawl: 40 articles in a
// site template, each seen again later, some as segmented or truncated
// copies, so the store holds copies, new articles and learned lines.
func storeDoc(i int) (string, []byte) {
	article := i % 40
	r := rand.New(rand.NewPCG(uint64(article), 7))
	var body strings.Builder
	for range 6 + r.IntN(6) {
		for range 12 + r.IntN(12) {
			body.WriteString(vocab[r.IntN(len(vocab))])
			body.WriteByte(' ')
		}
		fmt.Fprintf(&body, "%d.\n", r.IntN(1000))
	}
	text := body.String()
	switch (i / 40) % 3 {
	case 1:
		text = strings.ReplaceAll(text, "trong nước", "trong_nước")
	case 2:
		text = text[:len(text)*2/3]
	}
	return "d" + strconv.Itoa(i), wrap(text)
}

func openTestStore(t testing.TB, dir string, opt StoreOptions) *Store {
	t.Helper()
	if opt.Logf == nil {
		opt.Logf = t.Logf
	}
	s, err := OpenStore(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// addDocs adds storeDoc(i) for i in [from, to).
func addDocs(t testing.TB, s *Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		id, text := storeDoc(i)
		if _, err := s.Add(context.Background(), id, text); err != nil {
			t.Fatal(err)
		}
	}
}

// foundIDs lists the ids and sequence numbers of found documents.
func foundIDs(f []Found) []string {
	var out []string
	for _, x := range f {
		out = append(out, fmt.Sprintf("%s@%d", x.ID, x.Seq))
	}
	return out
}

// A store answers like an in-memory Stream fed the same documents, before
// and after it is closed and reopened, across snapshots.
func TestStoreMatchesStream(t *testing.T) {
	for _, every := range []int{-1, 7, 1000} {
		t.Run(fmt.Sprintf("snapshot every %d", every), func(t *testing.T) {
			dir := t.TempDir()
			opt := StoreOptions{Sync: SyncNone, SnapshotEvery: every}
			s := openTestStore(t, dir, opt)
			ref := newStream(t, Config{})
			const n = 150
			for i := range n {
				id, text := storeDoc(i)
				got, err := s.Add(context.Background(), id, text)
				if err != nil {
					t.Fatal(err)
				}
				want := addText(t, ref, id, text)
				if diff := cmp.Diff(foundIDs(want), foundIDs(got), allFields); diff != "" {
					t.Fatalf("Add(%s) (-stream +store):\n%s", id, diff)
				}
				if i == n/2 {
					// Reopen halfway.
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					s = openTestStore(t, dir, opt)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openTestStore(t, dir, opt)
			defer s.Close()
			if s.Len() != n {
				t.Fatalf("reopened store has %d documents, want %d", s.Len(), n)
			}
			rec := s.Recovery()
			if rec.Snapshot+rec.Log != n || rec.TornBytes != 0 {
				t.Errorf("Recovery %+v; want %d documents in all, nothing torn", rec, n)
			}
			for i := range n + 40 {
				_, text := storeDoc(i)
				sk := Config{}.sketchFiltered(text, ref)
				if diff := cmp.Diff(foundIDs(ref.ix.Query(&sk)), foundIDs(s.Query(text)), allFields); diff != "" {
					t.Errorf("Query(doc %d) after reopen (-stream +store):\n%s", i, diff)
				}
			}
		})
	}
}

// copyDir copies the regular files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b := readFile(t, filepath.Join(src, e.Name()))
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func logFile(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "log-*"))
	if err != nil || len(m) != 1 {
		t.Fatalf("log files in %s: %v %v", dir, m, err)
	}
	return m[0]
}

// A log cut anywhere inside its last record loses that record, with a
// warning, and the store goes on taking documents.
func TestStoreTornTail(t *testing.T) {
	dir := t.TempDir()
	opt := StoreOptions{Sync: SyncNone, SnapshotEvery: -1}
	s := openTestStore(t, dir, opt)
	const n = 5
	addDocs(t, s, 0, n-1)
	before, err := os.Stat(logFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	id, text := storeDoc(n - 1)
	if _, err := s.Add(context.Background(), id, text); err != nil {
		t.Fatal(err)
	}
	s.Close()
	full := readFile(t, logFile(t, dir))
	for cut := before.Size(); cut < int64(len(full)); cut++ {
		d := copyDir(t, dir)
		if err := os.Truncate(logFile(t, d), cut); err != nil {
			t.Fatal(err)
		}
		var warned []string
		s, err := OpenStore(d, StoreOptions{Sync: SyncNone, SnapshotEvery: -1,
			Logf: func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }})
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(full), err)
		}
		torn := int64(len(full)) - int64(before.Size()) - (int64(len(full)) - cut)
		if s.Len() != n-1 || s.Recovery().TornBytes != torn || (torn > 0) != (len(warned) == 1) {
			t.Fatalf("cut at %d: %d documents, %+v, warnings %q; want %d, %d torn bytes, one warning if any",
				cut, s.Len(), s.Recovery(), warned, n-1, torn)
		}
		// The log is usable again: the lost document can be added and is
		// there after another reopen.
		if _, err := s.Add(context.Background(), id, text); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = openTestStore(t, d, opt)
		if s.Len() != n || s.Recovery().TornBytes != 0 {
			t.Fatalf("cut at %d, re-added: %d documents, %+v", cut, s.Len(), s.Recovery())
		}
		s.Close()
	}
}

// Damage anywhere but the tail is an error, never silently loaded.
func TestStoreCorruption(t *testing.T) {
	dir := t.TempDir()
	opt := StoreOptions{Sync: SyncNone, SnapshotEvery: 10}
	s := openTestStore(t, dir, opt)
	addDocs(t, s, 0, 15) // a snapshot of 10, and 5 records in the log
	s.Close()
	// Find the second record of the log: the second offset where a
	// length and a matching CRC-32C frame a payload.
	logb := readFile(t, logFile(t, dir))
	var starts []int
	for p := 0; p+8 <= len(logb) && len(starts) < 2; p++ {
		n := int(binary.LittleEndian.Uint32(logb[p:]))
		if n > 0 && p+8+n <= len(logb) && crc32.Checksum(logb[p+8:p+8+n], crc32.MakeTable(crc32.Castagnoli)) == binary.LittleEndian.Uint32(logb[p+4:]) {
			starts = append(starts, p)
			p += 8 + n - 1
		}
	}
	if len(starts) < 2 {
		t.Fatalf("found records at %v in the log", starts)
	}
	secondRecord := starts[1]
	snap, err := filepath.Glob(filepath.Join(dir, "snap-*"))
	if err != nil || len(snap) != 1 {
		t.Fatalf("snapshots: %v %v", snap, err)
	}
	for _, tc := range []struct {
		name string
		file string
		at   func(size int) int
	}{
		{"log header", logFile(t, dir), func(int) int { return 14 }},
		{"first log record", logFile(t, dir), func(int) int { return 60 }},
		{"middle of the log", logFile(t, dir), func(size int) int { return size / 2 }},
		{"length of the second record", logFile(t, dir), func(int) int { return secondRecord + 1 }},
		{"snapshot body", snap[0], func(size int) int { return size / 2 }},
		{"snapshot checksum", snap[0], func(size int) int { return size - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := copyDir(t, dir)
			path := filepath.Join(d, filepath.Base(tc.file))
			b := readFile(t, path)
			b[tc.at(len(b))] ^= 0x40
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := OpenStore(d, StoreOptions{Logf: t.Logf})
			if err == nil {
				s.Close()
				t.Fatalf("opened a store with a flipped bit in %s", tc.name)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v; want one wrapping ErrCorrupt", err)
			}
		})
	}
}

// A store opened with another sketching Config is refused; a second open
// of the same directory is refused while the first is open.
func TestStoreRefusals(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, StoreOptions{})
	id, text := storeDoc(0)
	if _, err := s.Add(context.Background(), id, text); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(dir, StoreOptions{}); err == nil {
		t.Error("a second OpenStore of an open directory succeeded")
	}
	s.Close()
	if _, err := s.Add(context.Background(), id, text); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}
	if _, err := OpenStore(dir, StoreOptions{Config: Config{Hashes: 64}}); !errors.Is(err, ErrFormat) {
		t.Errorf("OpenStore with 64 hashes on a 128-hash store: %v, want ErrFormat", err)
	}
}

// Concurrent Adds under group commit: every document is stored once, and
// of each pair of identical documents exactly one is reported new.
func TestStoreGroupCommit(t *testing.T) {
	dir := t.TempDir()
	opt := StoreOptions{Sync: SyncGroup, SnapshotEvery: 25}
	s := openTestStore(t, dir, opt)
	const workers, each = 4, 20
	var mu sync.Mutex
	fresh := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				i := k + each*(w%2) // workers 0/2 and 1/3 add the same texts
				_, text := storeDoc(i)
				found, err := s.Add(context.Background(), fmt.Sprintf("w%d-%d", w, i), text)
				if err != nil {
					t.Error(err)
					return
				}
				if len(found) == 0 {
					mu.Lock()
					fresh[strconv.Itoa(i)]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for i := range 2 * each {
		if n := fresh[strconv.Itoa(i)]; n != 1 {
			t.Errorf("document %d reported new %d times, want once", i, n)
		}
	}
	s.Close()
	s = openTestStore(t, dir, opt)
	defer s.Close()
	if s.Len() != workers*each {
		t.Errorf("reopened: %d documents, want %d", s.Len(), workers*each)
	}
}

// writerEnv names the directory the child writer of TestStoreKill uses.
const writerEnv = "NEARDUP_STORE_WRITER"

// TestMain runs the writer when the test binary is started as one.
func TestMain(m *testing.M) {
	if dir := os.Getenv(writerEnv); dir != "" {
		os.Exit(storeWriter(dir))
	}
	os.Exit(m.Run())
}

// storeWriter adds documents to the store in dir, continuing after those
// it holds, and prints "ack N" once Add of document N has returned. With
// the pause variable set to "stage:k" it prints "at stage" the k-th time
// the store reaches that stage of its writes, and waits there to be
// killed.
func storeWriter(dir string) int {
	policy, _ := strconv.Atoi(os.Getenv(writerEnv + "_SYNC"))
	if stage, k, ok := strings.Cut(os.Getenv(writerEnv+"_PAUSE"), ":"); ok {
		n, _ := strconv.Atoi(k)
		SetStoreStage(func(s string) {
			if s == stage {
				if n--; n == 0 {
					fmt.Fprintf(os.Stdout, "at %s\n", s)
					time.Sleep(time.Minute)
				}
			}
		})
	}
	s, err := OpenStore(dir, StoreOptions{Sync: SyncPolicy(policy), SnapshotEvery: 13,
		Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer error:", err)
		return 2
	}
	for i := s.Len(); ; i++ {
		id, text := storeDoc(i)
		if _, err := s.Add(context.Background(), id, text); err != nil {
			fmt.Fprintln(os.Stderr, "writer error:", err)
			return 2
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", i)
	}
}

// killStages are where TestStoreKill kills its writer: at a random moment
// once acknowledgements have started, or paused at a stage of the store's
// writes. For each stage, the files the kill must leave.
var killStages = []struct {
	stage     string
	tmp       bool // a snapshot under its temporary name
	renamed   bool // the newest snapshot has no log yet
	logs      int  // log files
	afterAcks bool // the random kill
}{
	{afterAcks: true},
	{stage: "record-written", logs: 1},
	{stage: "snapshot-synced", tmp: true, logs: 1},
	{stage: "snapshot-renamed", renamed: true, logs: 1},
	{stage: "log-switched", logs: 2},
}

// A writer killed with SIGKILL loses nothing it acknowledged: each reopen
// holds every acknowledged document, in order, and at most the one
// document whose Add was under way. The writer is killed at a random
// moment after its first acknowledgement, or paused and killed at each
// stage where a kill leaves distinct files (a record not yet synced, a
// snapshot before and after its rename, a new log beside the old one);
// the test checks that the files are in that state. Machine crashes,
// which also lose what was not synced, are TestStoreCrash's.
func TestStoreKill(t *testing.T) {
	trials := 100
	if testing.Short() {
		trials = 20
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	deadline := time.Now().Add(2 * time.Minute)
	var dir string
	acked := -1
	torn := 0
	hits := make([]int, len(killStages))
	for trial := range trials {
		if time.Now().After(deadline) {
			t.Fatalf("only %d trials in the time bound", trial)
		}
		if trial%25 == 0 { // a crawler restarted 25 times, then a new one
			dir, acked = t.TempDir(), -1
		}
		ks := killStages[trial%len(killStages)]
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), writerEnv+"="+dir, fmt.Sprintf("%s_SYNC=%d", writerEnv, trial%3))
		if ks.stage != "" {
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s_PAUSE=%s:%d", writerEnv, ks.stage, 1+r.IntN(2)))
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan struct{}) // the first ack, or the pause
		acks := make(chan int, 1)
		go func() {
			last, signalled := acked, false
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				n, isAck := strings.CutPrefix(line, "ack ")
				if isAck {
					last, _ = strconv.Atoi(n)
				}
				if !signalled && (isAck && ks.afterAcks || strings.HasPrefix(line, "at ")) {
					close(ready)
					signalled = true
				}
			}
			acks <- last
		}()
		select {
		case <-ready:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("trial %d: the writer neither acknowledged nor reached %q in 20 s: %s", trial, ks.stage, stderr.String())
		}
		if ks.afterAcks {
			time.Sleep(time.Duration(r.IntN(20_000)) * time.Microsecond)
		}
		cmd.Process.Kill()
		last := <-acks
		cmd.Wait()
		if strings.Contains(stderr.String(), "writer error") {
			t.Fatalf("trial %d: writer failed: %s", trial, stderr.String())
		}
		acked = last
		tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
		snaps, _ := filepath.Glob(filepath.Join(dir, "snap-"+strings.Repeat("?", 16)))
		logs, _ := filepath.Glob(filepath.Join(dir, "log-*"))
		renamed := len(snaps) > 0 && !slices.Contains(logs, strings.Replace(slices.Max(snaps), "snap-", "log-", 1))
		if !ks.afterAcks && ((len(tmps) > 0) != ks.tmp || renamed != ks.renamed || len(logs) != ks.logs) {
			t.Fatalf("trial %d: killed at %s, the store holds %d temporary files, snapshots %q, logs %q; want temporary files %v, the newest snapshot without its log %v, %d logs",
				trial, ks.stage, len(tmps), snaps, logs, ks.tmp, ks.renamed, ks.logs)
		}
		hits[trial%len(killStages)]++
		s, err := OpenStore(dir, StoreOptions{SnapshotEvery: -1, Logf: func(string, ...any) { torn++ }})
		if err != nil {
			t.Fatalf("trial %d: reopen after kill: %v", trial, err)
		}
		n := s.Len()
		if n < acked+1 || n > acked+2 {
			t.Fatalf("trial %d: %d documents after the kill; %d were acknowledged, so want %d or %d", trial, n, acked+1, acked+1, acked+2)
		}
		if ks.stage == "record-written" && n != acked+2 {
			t.Fatalf("trial %d: killed with a record written, %d documents after the kill, want the %d acknowledged and that one", trial, n, acked+1)
		}
		// The documents are the right ones, in order.
		for _, i := range []int{0, n / 2, n - 1} {
			if n == 0 {
				break
			}
			// Found as itself, or, for an exact copy (the same article
			// segmented another way), as the first of its copies.
			id, text := storeDoc(i)
			found := foundIDs(s.Query(text))
			first, _ := storeDoc(i % 40)
			if !slices.Contains(found, fmt.Sprintf("%s@%d", id, i)) && !slices.Contains(found, fmt.Sprintf("%s@%d", first, i%40)) {
				t.Fatalf("trial %d: document %d not found as %s@%d nor as the exact copy of %s@%d: %v", trial, i, id, i, first, i%40, found)
			}
		}
		acked = n - 1 // the in-flight document, if stored, counts from now on
		s.Close()
	}
	var report []string
	for i, ks := range killStages {
		name := ks.stage
		if ks.afterAcks {
			name = "at random after the first acknowledgement"
		}
		report = append(report, fmt.Sprintf("%s: %d", name, hits[i]))
	}
	t.Logf("%d trials, killed %s; %d torn tails dropped", trials, strings.Join(report, ", "), torn)
}

// FuzzStoreOpen feeds damaged logs and snapshots to OpenStore: it returns
// a store or an error, never panics, and a store it returns works.
func FuzzStoreOpen(f *testing.F) {
	dir := f.TempDir()
	s, err := OpenStore(dir, StoreOptions{Sync: SyncNone, SnapshotEvery: 4, Logf: func(string, ...any) {}})
	if err != nil {
		f.Fatal(err)
	}
	addDocs(f, s, 0, 6)
	s.Close()
	snap := readFile(f, filepath.Join(dir, "snap-0000000000000001"))
	logb := readFile(f, filepath.Join(dir, "log-0000000000000001"))
	f.Add(logb, snap)
	f.Add(logb[:len(logb)-3], snap)
	f.Add(logb, []byte(nil))
	f.Add([]byte("NDUPLOG1"), []byte("NDUPSNP1"))
	f.Fuzz(func(t *testing.T, logb, snap []byte) {
		dir := t.TempDir()
		gen := "0000000000000000"
		if len(snap) > 0 {
			gen = "0000000000000001"
			if err := os.WriteFile(filepath.Join(dir, "snap-"+gen), snap, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "log-"+gen), logb, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := OpenStore(dir, StoreOptions{Sync: SyncNone, SnapshotEvery: -1, Logf: func(string, ...any) {}})
		if err != nil {
			return
		}
		n := s.Len()
		id, text := storeDoc(n)
		if _, err := s.Add(context.Background(), id, text); err != nil {
			t.Fatalf("Add to a store that opened: %v", err)
		}
		s.Query(text)
		if err := s.Snapshot(); err != nil {
			t.Fatalf("Snapshot of a store that opened: %v", err)
		}
		s.Close()
		s, err = OpenStore(dir, StoreOptions{Sync: SyncNone, SnapshotEvery: -1, Logf: func(string, ...any) {}})
		if err != nil {
			t.Fatalf("reopen after a clean snapshot: %v", err)
		}
		if s.Len() != n+1 {
			t.Fatalf("reopened with %d documents, want %d", s.Len(), n+1)
		}
		s.Close()
	})
}

var updateStore = flag.Bool("update", false, "rewrite the store written by this format version in testdata/store-v4")

// The store's files are a stored format: a store written by this build
// from the seeds is byte for byte the one in testdata/store-v4, and that
// one opens with the same answers. A change that fails here must bump
// signatureVersion (or the file magics), keep the old golden directory
// for TestStoreOldFormat and write a new one with -update.
func TestStoreFormatFrozen(t *testing.T) {
	golden := filepath.Join("testdata", "store-v4")
	dir := t.TempDir()
	opt := StoreOptions{Sync: SyncNone, SnapshotEvery: 3, Logf: t.Logf}
	s := openTestStore(t, dir, opt)
	docs := seeds(t)
	for _, d := range docs {
		if _, err := s.Add(context.Background(), d.ID, d.Text); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	os.Remove(filepath.Join(dir, "LOCK"))
	if *updateStore {
		os.RemoveAll(golden)
		if err := os.CopyFS(golden, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"snap-0000000000000001", "log-0000000000000001"} {
		want, got := readFile(t, filepath.Join(golden, name)), readFile(t, filepath.Join(dir, name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: this build writes %d bytes that differ from the frozen %d; bump the format version and run go test -update", name, len(got), len(want))
		}
	}
	s = openTestStore(t, copyDir(t, golden), opt)
	defer s.Close()
	if s.Len() != len(docs) {
		t.Fatalf("frozen store: %d documents, want %d", s.Len(), len(docs))
	}
	found := s.Query(seed(t, "000").Text)
	if got := foundIDs(found); len(got) != 2 || !strings.HasPrefix(got[0], "00") {
		t.Errorf("frozen store: seed 000 found %v; want itself and seed 001", got)
	}
}

// A store written by an earlier format version is refused with ErrFormat,
// never read as if its sketches were this version's: version 1; version
// 2, whose sketches read text by shingle.Version 1's rules; and version 3,
// whose number samples lack English number words.
func TestStoreOldFormat(t *testing.T) {
	for _, v := range []string{"store-v1", "store-v2", "store-v3"} {
		_, err := OpenStore(copyDir(t, filepath.Join("testdata", v)), StoreOptions{Logf: t.Logf})
		if !errors.Is(err, ErrFormat) {
			t.Errorf("OpenStore on %s: %v, want ErrFormat", v, err)
		}
	}
}

// A record the store could not read back is refused, nothing written:
// the store reopens with everything added before and after it.
func TestStoreRefusesTooLarge(t *testing.T) {
	dir := t.TempDir()
	opt := StoreOptions{Sync: SyncNone, Logf: t.Logf}
	s := openTestStore(t, dir, opt)
	docs := seeds(t)
	if _, err := s.Add(context.Background(), docs[0].ID, docs[0].Text); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", 17<<20) // a 17 MiB id
	if _, err := s.Add(context.Background(), huge, docs[1].Text); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Add with a 17 MiB id: %v, want ErrTooLarge", err)
	}
	// A page of distinct lines, each a new line to learn: 8 bytes each.
	var page []byte
	for i := range 2_200_000 {
		page = append(page, "dòng "...)
		for n := i + 1; n > 0; n /= 26 { // a word of its own on every line
			page = append(page, byte('a'+n%26))
		}
		page = append(page, '\n')
	}
	if _, err := s.Add(context.Background(), "lines", page); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Add of 2.2 million distinct lines: %v, want ErrTooLarge", err)
	}
	if _, err := s.Add(context.Background(), docs[2].ID, docs[2].Text); err != nil {
		t.Fatalf("Add after a refusal: %v", err)
	}
	s.Close()
	s = openTestStore(t, dir, opt)
	defer s.Close()
	if s.Len() != 2 {
		t.Errorf("reopened with %d documents, want the 2 accepted", s.Len())
	}
}
