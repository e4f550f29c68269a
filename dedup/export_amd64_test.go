//go:build amd64 && !purego

package dedup

import "golang.org/x/sys/cpu"

func setAVX512(on bool) { hasAVX512 = on && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ }
