//go:build !amd64 || purego

package dedup

func setAVX512(bool) {}
