//go:build !amd64 || purego

package shingle

const hasAVX512 = false

func hashWindowsAVX512(dst, tokens *uint64, blocks, size int) {
	panic("shingle: no AVX-512 kernel in this build")
}

func setAVX512(bool) {}
