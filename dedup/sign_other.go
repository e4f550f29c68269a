//go:build !amd64 || purego

package dedup

const hasAVX512 = false

func signAVX512(mins *[128]uint64, h1, h2 []uint64) { panic("dedup: no AVX-512 kernel in this build") }
