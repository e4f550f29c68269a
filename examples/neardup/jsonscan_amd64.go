//go:build !purego

package main

// stringStopAVX2 returns the index n of the first byte of b that
// scanString must look at (a quote, a backslash or a control character),
// reading 32 bytes at a time, or len(b) rounded down to a multiple of 32
// when no whole block of 32 holds one; and whether b[:n] holds a byte
// outside ASCII. It needs AVX2 (useSIMD).
//
//go:noescape
func stringStopAVX2(b []byte) (n int, high bool)
