//go:build !amd64 || purego

package minwise

const hasAVX512 = false

func signAVX512(mins *[128]uint64, h1, h2 []uint64) {
	panic("minwise: no AVX-512 kernel in this build")
}

func mixAVX512(h2, h1 *uint64, blocks int) {
	panic("minwise: no AVX-512 kernel in this build")
}

func setAVX512(bool) {}
