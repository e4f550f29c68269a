//go:build purego

package main

// useSIMD is false with -tags purego, which takes segmentio/asm's vector
// paths out: validUTF8 is then validDFA.
const useSIMD = false
