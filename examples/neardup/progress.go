package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows, on a terminal, how far neardup has got: the stage, the
// documents and bytes read, their rates, and the time left when the input
// size is known. It writes nothing unless enabled.
type progress struct {
	w       io.Writer
	total   int64 // input bytes, or 0 when unknown (standard input)
	docs    atomic.Int64
	bytes   atomic.Int64
	mu      sync.Mutex
	stage   string
	start   time.Time // of the stage
	stop    chan struct{}
	stopped chan struct{}
	// stages is every stage in order, with its wall time once the next
	// one has started, for -timings.
	stages []stageTime
}

type stageTime struct {
	name  string
	start time.Time
}

// timings renders the wall time of each stage up to now.
func (p *progress) timings(now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for k, st := range p.stages {
		end := now
		if k+1 < len(p.stages) {
			end = p.stages[k+1].start
		}
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.2fs", st.name, end.Sub(st.start).Seconds())
	}
	return b.String()
}

// isTerminal reports whether w is a character device, as a terminal is.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// inputSize sums the sizes of the inputs that neardup will read: the .txt
// files of directories and the JSONL files; 0 when one is standard input
// or cannot be sized.
func inputSize(paths []string) int64 {
	var total int64
	for _, p := range paths {
		if p == "-" {
			return 0
		}
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		if !st.IsDir() {
			total += st.Size()
			continue
		}
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txt") {
				if info, err := d.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
	}
	return total
}

// newProgress starts the display on w, refreshed every interval, if
// enabled; otherwise every method is a cheap no-op.
func newProgress(w io.Writer, enabled bool, total int64, interval time.Duration) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if !enabled {
		return p
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\033[K") // clear the line
				return
			case now := <-t.C:
				fmt.Fprint(p.w, "\r\033[K"+p.line(now))
			}
		}
	}()
	return p
}

// setStage names a new stage and restarts the counters' clock.
func (p *progress) setStage(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stage, p.start = name, time.Now()
	p.stages = append(p.stages, stageTime{name, p.start})
	p.docs.Store(0)
	p.bytes.Store(0)
}

// read counts one document of n bytes.
func (p *progress) read(n int) {
	p.docs.Add(1)
	p.bytes.Add(int64(n))
}

// line renders the display at time now.
func (p *progress) line(now time.Time) string {
	p.mu.Lock()
	stage, start := p.stage, p.start
	p.mu.Unlock()
	docs, bytes := p.docs.Load(), p.bytes.Load()
	secs := now.Sub(start).Seconds()
	if secs <= 0 || docs == 0 {
		return fmt.Sprintf("neardup: %s", stage)
	}
	s := fmt.Sprintf("neardup: %s: %d docs, %.1f MB, %.0f docs/s, %.1f MB/s", stage, docs, float64(bytes)/1e6, float64(docs)/secs, float64(bytes)/1e6/secs)
	if p.total > 0 && bytes > 0 && bytes < p.total {
		left := time.Duration(float64(p.total-bytes) / (float64(bytes) / secs) * float64(time.Second))
		s += fmt.Sprintf(", %.0f%%, %s left", 100*float64(bytes)/float64(p.total), left.Round(time.Second))
	}
	return s
}

// done stops the display and clears its line.
func (p *progress) done() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.stop = nil
}
