package dedup

import (
	"runtime"
	"sync"
)

// inShares calls f(w, lo, hi) on GOMAXPROCS goroutines, w numbering them
// from 0, with [lo, hi) the w-th of as many equal shares of [0, n), and
// returns when all have returned. The shares depend only on n and the
// number of goroutines; results that each f writes to its own indices
// do not depend on either.
func inShares(n int, f func(w, lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { f(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}
