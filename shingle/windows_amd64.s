//go:build amd64 && !purego

#include "textflag.h"

// XXH64's primes, its initial stripe accumulators v1 = prime1+prime2 and
// v4 = -prime1 (v2 = prime2, v3 = 0), as 64-bit words.
DATA consts<>+0(SB)/8, $0x9E3779B185EBCA87  // prime1
DATA consts<>+8(SB)/8, $0xC2B2AE3D27D4EB4F  // prime2
DATA consts<>+16(SB)/8, $0x165667B19E3779F9 // prime3
DATA consts<>+24(SB)/8, $0x85EBCA77C2B2AE63 // prime4
DATA consts<>+32(SB)/8, $0x60EA27EEADC0B5D6 // prime1 + prime2
DATA consts<>+40(SB)/8, $0x61C8864E7A143579 // -prime1
GLOBL consts<>(SB), RODATA|NOPTR, $48

// ROUND(acc, in, t): acc = rotl(acc + in*prime2, 31) * prime1.
#define ROUND(acc, in, t) \
	VPMULLQ Z21, in, t \
	VPADDQ  t, acc, acc \
	VPROLQ  $31, acc, acc \
	VPMULLQ Z20, acc, acc

// MERGE(h, v, t): h = (h ^ round(0, v)) * prime1 + prime4.
#define MERGE(h, v, t) \
	VPMULLQ Z21, v, t \
	VPROLQ  $31, t, t \
	VPMULLQ Z20, t, t \
	VPXORQ  t, h, h \
	VPMULLQ Z20, h, h \
	VPADDQ  Z23, h, h

// func hashWindowsAVX512(dst, tokens *uint64, blocks, size int)
//
// Lane j of a block hashes the window that starts j words after the
// block's first: the load at word k of the window is one unaligned load
// of eight consecutive tokens.
TEXT ·hashWindowsAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ tokens+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVQ size+24(FP), DX

	VPBROADCASTQ consts<>+0(SB), Z20  // prime1
	VPBROADCASTQ consts<>+8(SB), Z21  // prime2
	VPBROADCASTQ consts<>+16(SB), Z22 // prime3
	VPBROADCASTQ consts<>+24(SB), Z23 // prime4
	VPBROADCASTQ consts<>+32(SB), Z24 // v1's start
	VPBROADCASTQ consts<>+40(SB), Z27 // v4's start
	VPXORQ       Z26, Z26, Z26        // v3's start: 0
	MOVQ         DX, AX
	SHLQ         $3, AX
	VPBROADCASTQ AX, Z28              // the length in bytes, 8*size

	MOVQ DX, R8
	SHRQ $2, R8 // whole 4-word stripes, at least 1
	MOVQ DX, R9
	ANDQ $3, R9 // words after them

	TESTQ CX, CX
	JZ    done

block:
	VMOVDQA64 Z24, Z0
	VMOVDQA64 Z21, Z1 // v2's start: prime2
	VMOVDQA64 Z26, Z2
	VMOVDQA64 Z27, Z3
	MOVQ      SI, BX
	MOVQ      R8, R10

stripe:
	VMOVDQU64 0(BX), Z4
	VMOVDQU64 8(BX), Z5
	VMOVDQU64 16(BX), Z6
	VMOVDQU64 24(BX), Z7
	ROUND(Z0, Z4, Z8)
	ROUND(Z1, Z5, Z9)
	ROUND(Z2, Z6, Z10)
	ROUND(Z3, Z7, Z11)
	ADDQ      $32, BX
	DECQ      R10
	JNZ       stripe

	// h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
	VPROLQ $1, Z0, Z12
	VPROLQ $7, Z1, Z13
	VPADDQ Z13, Z12, Z12
	VPROLQ $12, Z2, Z13
	VPADDQ Z13, Z12, Z12
	VPROLQ $18, Z3, Z13
	VPADDQ Z13, Z12, Z12
	MERGE(Z12, Z0, Z8)
	MERGE(Z12, Z1, Z9)
	MERGE(Z12, Z2, Z10)
	MERGE(Z12, Z3, Z11)
	VPADDQ Z28, Z12, Z12

	MOVQ  R9, R10
	TESTQ R10, R10
	JZ    final

tail:
	// h = rotl(h ^ round(0, word), 27) * prime1 + prime4
	VMOVDQU64 0(BX), Z4
	VPMULLQ   Z21, Z4, Z4
	VPROLQ    $31, Z4, Z4
	VPMULLQ   Z20, Z4, Z4
	VPXORQ    Z4, Z12, Z12
	VPROLQ    $27, Z12, Z12
	VPMULLQ   Z20, Z12, Z12
	VPADDQ    Z23, Z12, Z12
	ADDQ      $8, BX
	DECQ      R10
	JNZ       tail

final:
	// The avalanche: h ^= h>>33; h *= prime2; h ^= h>>29; h *= prime3; h ^= h>>32
	VPSRLQ    $33, Z12, Z13
	VPXORQ    Z13, Z12, Z12
	VPMULLQ   Z21, Z12, Z12
	VPSRLQ    $29, Z12, Z13
	VPXORQ    Z13, Z12, Z12
	VPMULLQ   Z22, Z12, Z12
	VPSRLQ    $32, Z12, Z13
	VPXORQ    Z13, Z12, Z12
	VMOVDQU64 Z12, 0(DI)

	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ  block

done:
	VZEROUPPER
	RET
