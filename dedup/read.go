package dedup

import (
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// sketchedCorpus is what sketchCorpus returns: the final sketches of a
// corpus, in input order, with the boilerplate learned on the way.
type sketchedCorpus struct {
	IDs      []string
	Sketches []Sketch
	// BoilerplateLines is the number of distinct lines learned as
	// boilerplate; BoilerplateDocs the number of documents that had some.
	BoilerplateLines, BoilerplateDocs int
	// spill holds the sketches' chunks and numbers with Config.SpillDir,
	// else nil.
	spill *spill
}

// sketchCorpus is the first stage of ClusterReader, with the same rules
// for read: it sketches every document, learns boilerplate from the
// preliminary clusters and sketches again the documents that carry some.
// clusterSketches(IDs, Sketches, nil) then gives ClusterReader's result.
func (c Config) sketchCorpus(read ReadFunc) (*sketchedCorpus, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	res := &sketchedCorpus{}
	var ids []string
	var sketchPages pages[Sketch]
	var linePages pages[[]docLine]
	var lineArena arena[docLine]
	var store sketchArena
	var lineFile *lineSpill
	learn := c.BoilerplateArticles > 0
	if c.SpillDir != "" {
		sp, err := newSpill(c.SpillDir)
		if err != nil {
			return nil, err
		}
		store.spill = sp
		if learn {
			if lineFile, err = newLineSpill(c.SpillDir); err != nil {
				return nil, err
			}
			defer func() { lineFile.close() }() // unless learning closed it
		}
	}
	first := func(yield func(Doc) bool) error { return read(nil, yield) }
	var err error
	inStage("sketching", func() {
		err = c.sketchPass(first, nil, func(id string) bool { ids = append(ids, id); return true },
			func(i int, s Sketch, l []docLine) {
				*sketchPages.at(i) = store.keep(s)
				switch {
				case lineFile != nil:
					lineFile.put(i, l)
				case learn:
					*linePages.at(i) = lineArena.keep(l)
				}
			}, learn)
	})
	if err == nil {
		err = store.spill.flush()
	}
	if err != nil {
		return nil, err
	}
	sketches := sketchPages.flatten(len(ids))
	if learn {
		var lines [][]docLine
		load := func() ([][]docLine, error) { return lines, nil }
		if lineFile != nil {
			load = func() ([][]docLine, error) {
				lines, err := recurring(len(ids), lineFile.total, lineFile.each)
				lineFile.close()
				lineFile = nil
				return lines, err
			}
		} else {
			lines = recurringLines(&linePages, len(ids))
		}
		lineArena = arena[docLine]{} // its last block too
		var boiler lineSet
		redo := make([]bool, len(ids))
		inStage("learning boilerplate", func() {
			boiler, lines, err = c.learnFrom(sketches, load)
			if err != nil {
				return
			}
			inShares(len(lines), func(lo, hi int) { // a lookup a line
				for i := lo; i < hi; i++ {
					redo[i] = boiler.carries(lines[i])
				}
			})
		})
		if err == nil {
			err = store.spill.error()
		}
		if err != nil {
			return nil, err
		}
		res.BoilerplateLines = len(boiler)
		for _, r := range redo {
			if r {
				res.BoilerplateDocs++
			}
		}
		lines = nil
		if res.BoilerplateDocs > 0 {
			n := 0
			need := func(k int) bool { return k >= 0 && k < len(redo) && redo[k] }
			second := func(yield func(Doc) bool) error { return read(need, yield) }
			inStage("re-sketching", func() {
				err = c.sketchPass(second, boiler, func(string) bool { n++; return n <= len(redo) && redo[n-1] },
					func(i int, s Sketch, _ []docLine) {
						// A document made only of common lines (a short
						// stock notice) keeps them: otherwise it would
						// have no content at all.
						if s.words > 0 {
							sketches[i] = store.replace(sketches[i], s)
						}
					}, false)
			})
			if err == nil {
				err = store.spill.flush()
			}
			if err != nil {
				return nil, err
			}
			if n != len(sketches) {
				return nil, fmt.Errorf("dedup: SketchCorpus: the second reading yielded %d documents, the first %d", n, len(sketches))
			}
		}
	}
	res.IDs, res.Sketches, res.spill = ids, sketches, store.spill
	return res, nil
}

// sketchPass reads the corpus once. For each document, take(id) says
// whether to sketch it (in input order); the chosen ones are sketched on
// GOMAXPROCS goroutines with filter and handed to store, in no particular
// order but never concurrently, with their input position and, if
// withLines, their lines. Reading goes on while workers sketch, with at
// most a few batches of text in flight. The slices of a sketch and its
// lines lie in memory that is reused once store returns: store copies
// what it keeps.
func (c Config) sketchPass(read func(yield func(Doc) bool) error, filter lineFilter, take func(id string) bool,
	store func(i int, s Sketch, lines []docLine), withLines bool) error {
	type job struct {
		start int
		docs  []Doc
		skip  []bool
	}
	// A result is a job's sketches and lines, reused from one job to
	// the next: sketching allocates per batch, not per document.
	type result struct {
		start    int
		sketches []Sketch
		lines    [][]docLine
		skip     []bool
		buf      sketchBuf
		lineBuf  []docLine // what lines hold
	}
	var results sync.Pool
	const batch = 64
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, 2*workers)
	finished := make(chan *result, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, _ := results.Get().(*result)
				if r == nil {
					r = new(result)
				}
				if withLines && r.lineBuf == nil {
					r.lineBuf = make([]docLine, 0, 1024) // not nil: sketch appends lines to it
				}
				r.start, r.skip = j.start, j.skip
				r.sketches = slices.Grow(r.sketches[:0], len(j.docs))[:len(j.docs)]
				r.lines = slices.Grow(r.lines[:0], len(j.docs))[:len(j.docs)]
				r.buf.reset()
				r.lineBuf = r.lineBuf[:0]
				for k, d := range j.docs {
					if j.skip[k] {
						continue
					}
					if withLines {
						n := len(r.lineBuf)
						r.sketches[k], r.lineBuf = c.sketch(d.Text, filter, r.lineBuf, &r.buf)
						r.lines[k] = nil // an empty slice would still pin lineBuf
						if len(r.lineBuf) > n {
							r.lines[k] = r.lineBuf[n:len(r.lineBuf):len(r.lineBuf)]
						}
					} else {
						r.sketches[k], _ = c.sketch(d.Text, filter, nil, &r.buf)
					}
					if d.Release != nil {
						d.Release()
					}
				}
				finished <- r
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		for r := range finished {
			for k := range r.sketches {
				if !r.skip[k] {
					var l []docLine
					if withLines {
						l = r.lines[k]
					}
					store(r.start+k, r.sketches[k], l)
				}
			}
			r.skip = nil
			results.Put(r)
		}
		close(done)
	}()
	cur := job{}
	n := 0
	err := read(func(d Doc) bool {
		skip := !take(d.ID)
		if skip {
			if d.Release != nil {
				d.Release()
			}
			d.Text, d.Release = nil, nil
		}
		cur.docs = append(cur.docs, d)
		cur.skip = append(cur.skip, skip)
		n++
		if len(cur.docs) == batch {
			jobs <- cur
			cur = job{start: n}
		}
		return true
	})
	if len(cur.docs) > 0 {
		jobs <- cur
	}
	close(jobs)
	wg.Wait()
	close(finished)
	<-done
	return err
}

// pages is a growing array filled out of order, in pages that never
// move: growing it copies nothing, where a slice grown by doubling would
// copy (and the garbage collector rescan) every element several times.
// Pages double in size from firstPage elements up to maxPage: a small
// corpus takes little, and a large one is held in few large pages.
type pages[T any] [][]T

const (
	// firstPage is the elements of the first two pages; the third has
	// twice as many, and so on.
	firstPage = 1 << 10
	// maxPage caps a page's elements. Large pages matter once flatten
	// has copied them and dropped them: the memory they leave is reused
	// only by allocations that fit in one of them, and the stages that
	// follow allocate buffers of megabytes (a band's keys, the lines'
	// occurrences). Pages of 1,024 sketches (152 KB, when a sketch took
	// 152 bytes) left 300 MB that no later stage could use at 10^6
	// documents, and the run's peak RSS rose by as much; pages of 65,536
	// (10 MB then, 8.5 MB now) cut that peak by about 100 MB. Few pages:
	// 22 for a million documents.
	maxPage = 1 << 16
)

// growPages is the number of pages that double: pages 1 to growPages
// start at firstPage<<(k-1) and are as long; page growPages is the first
// of maxPage elements.
var growPages = bits.Len(maxPage / firstPage)

// pageOf returns the page that holds element i and i's place in it.
func pageOf(i int) (page, off int) {
	k := growPages + (i-maxPage)/maxPage
	if i < maxPage {
		k = bits.Len(uint(i / firstPage)) // 0 on the first page
	}
	return k, i - pageStart(k)
}

// pageStart returns the index of page k's first element.
func pageStart(k int) int {
	if k == 0 {
		return 0
	}
	if k <= growPages {
		return firstPage << (k - 1)
	}
	return maxPage * (k - growPages + 1)
}

// pageLen returns the elements of page k.
func pageLen(k int) int { return pageStart(k+1) - pageStart(k) }

// at returns the i-th element, adding pages as needed.
func (p *pages[T]) at(i int) *T {
	k, off := pageOf(i)
	for len(*p) <= k {
		*p = append(*p, make([]T, pageLen(len(*p))))
	}
	return &(*p)[k][off]
}

// flatten returns the first n elements in one slice and empties p; at
// must have reached every one of them. It copies on GOMAXPROCS
// goroutines: the copy is what first touches the new slice's memory, and
// a million sketches (136 MB) cost one page fault per 4 KB page, which
// the cores take in parallel.
func (p *pages[T]) flatten(n int) []T {
	if n == 0 {
		*p = nil
		return nil
	}
	out := make([]T, n)
	pgs := *p
	inShares(n, func(lo, hi int) {
		for i := lo; i < hi; {
			k, off := pageOf(i)
			i += copy(out[i:hi], pgs[k][off:])
		}
	})
	*p = nil
	return out
}

// arena keeps the small slices of many documents in shared blocks: a
// document's lines, signature, chunks and numbers then cost their bytes,
// not an allocation each rounded up to its size class; the garbage
// collector has a few objects to mark instead of millions; and the
// sketches of documents near in the input lie near in memory, which the
// grouping stage, reading a band of every signature in input order at
// each of its passes, finds in cache lines the prefetcher has loaded.
type arena[T any] struct{ block []T }

// arenaBlock is the elements of an arena block: 128 KB to 1 MB.
const arenaBlock = 1 << 16

// keep returns a copy of l in the arena; an empty l is returned as it
// is.
func (a *arena[T]) keep(l []T) []T {
	if len(l) == 0 {
		return l
	}
	if len(l) > cap(a.block)-len(a.block) {
		a.block = make([]T, 0, max(arenaBlock, len(l)))
	}
	n := len(a.block)
	a.block = append(a.block, l...)
	return a.block[n:len(a.block):len(a.block)]
}

// sketchArena keeps the slices of sketches in arenas, and their chunks
// and number samples in spill instead if it is not nil.
type sketchArena struct {
	sig     arena[uint16]
	chunks  arena[chunk]
	numbers arena[numberInContext]
	spill   *spill
}

// keep returns s with its slices in the arenas.
func (a *sketchArena) keep(s Sketch) Sketch {
	s.sig = a.sig.keep(s.sig)
	if a.spill == nil {
		s.chunks = a.chunks.keep(s.chunks)
		s.numbers.Sample = a.numbers.keep(s.numbers.Sample)
		return s
	}
	cold := coldNumbers(s.numbers.Sample)
	s.cold, s.coldAt, s.chunks = a.spill, a.spill.put(s.chunks, cold), nil
	if cold == nil {
		s.numbers.Sample = a.numbers.keep(s.numbers.Sample)
	} else {
		s.numbers.Sample = nil
	}
	return s
}

// replace returns s with its slices in the arenas, kept where old's lie
// when they fit. A document sketched again without its boilerplate has
// a signature of the same length and no more chunks or numbers than
// before, so its new sketch takes its old one's room instead of leaving
// it unused in the arenas: a fifth of a generated corpus is sketched
// again, about 100 MB at 10^6 documents. Nothing may read old's slices
// afterwards: a Sketch is immutable once made (see Sketch) only from
// the moment sketchCorpus returns it.
func (a *sketchArena) replace(old, s Sketch) Sketch {
	s.sig = compact(reuse(a.sig.keep, old.sig, s.sig))
	if a.spill == nil {
		s.chunks = reuse(a.chunks.keep, old.chunks, s.chunks)
		s.numbers.Sample = reuse(a.numbers.keep, old.numbers.Sample, s.numbers.Sample)
		return s
	}
	cold := coldNumbers(s.numbers.Sample)
	s.cold, s.coldAt, s.chunks = a.spill, a.spill.replace(old.coldAt, s.chunks, cold), nil
	if cold == nil {
		s.numbers.Sample = reuse(a.numbers.keep, old.numbers.Sample, s.numbers.Sample)
	} else {
		s.numbers.Sample = nil
	}
	return s
}

// reuse copies l into old's memory if it fits, else keeps it with keep.
func reuse[T any](keep func([]T) []T, old, l []T) []T {
	if len(l) > len(old) {
		return keep(l)
	}
	n := copy(old, l)
	return old[:n:n]
}
