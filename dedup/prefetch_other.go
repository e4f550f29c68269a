//go:build !amd64 || purego

package dedup

import "unsafe"

// prefetch does nothing here: Go has no portable prefetch.
func prefetch(unsafe.Pointer) {}
