package dedup

import (
	"runtime"
	"slices"
	"sync"
)

// inShares calls f(lo, hi) on up to GOMAXPROCS goroutines, [lo, hi)
// being one of as many equal shares of [0, n), and returns when all have
// returned. Results that each f writes to its own indices depend neither
// on the shares nor on the number of goroutines.
func inShares(n int, f func(lo, hi int)) {
	concatShares(n, func(lo, hi int) []struct{} { f(lo, hi); return nil })
}

// concatShares is inShares for an f that returns what it found in its
// share: the results, concatenated in share order. GOMAXPROCS is read
// once, so that a change of it by the runtime or another goroutine while
// the shares run does no harm.
func concatShares[T any](n int, f func(lo, hi int) []T) []T {
	if n == 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	parts := make([][]T, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { parts[w] = f(w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
	return slices.Concat(parts...)
}
