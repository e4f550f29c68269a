//go:build !amd64 || purego

package main

// stringStopAVX2 is never called here (useSIMD is false); it reads
// nothing.
func stringStopAVX2(b []byte) (n int, high bool) { return 0, false }
