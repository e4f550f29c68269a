//go:build !purego

package main

import "golang.org/x/sys/cpu"

// useSIMD reports whether sutf8.Valid has its vector path here: without
// AVX2, or built with -tags purego (which segmentio/asm honours too), it
// is utf8.Valid, slower than validDFA.
var useSIMD = cpu.X86.HasAVX2
