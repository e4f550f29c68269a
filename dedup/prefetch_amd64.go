//go:build amd64 && !purego

package dedup

import "unsafe"

// prefetch asks the processor to bring the cache line at p into its
// caches (PREFETCHT0) without waiting for it: a load that misses blocks
// the instructions behind it once they fill the reorder buffer, where a
// prefetch retires at once. A bad address is harmless (no fault).
//
//go:noescape
func prefetch(p unsafe.Pointer)
