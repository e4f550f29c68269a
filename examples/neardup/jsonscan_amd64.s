//go:build !purego

#include "textflag.h"

// func stringStopAVX2(b []byte) (n int, high bool)
TEXT ·stringStopAVX2(SB), NOSPLIT, $0-33
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	XORQ AX, AX
	XORQ R8, R8         // high bits of the bytes before the stop in its block
	MOVQ $0x22, DX
	MOVQ DX, X0
	VPBROADCASTB X0, Y0 // '"'
	MOVQ $0x5c, DX
	MOVQ DX, X1
	VPBROADCASTB X1, Y1 // '\\'
	MOVQ $0x1f, DX
	MOVQ DX, X2
	VPBROADCASTB X2, Y2 // the largest control character
	VPXOR Y7, Y7, Y7    // the whole blocks passed, or'ed

loop:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JA   done
	VMOVDQU   (SI)(AX*1), Y3
	VPCMPEQB  Y3, Y0, Y4
	VPCMPEQB  Y3, Y1, Y5
	VPMINUB   Y3, Y2, Y6
	VPCMPEQB  Y3, Y6, Y6 // min(c, 0x1f) == c: c < 0x20
	VPOR      Y4, Y5, Y4
	VPOR      Y4, Y6, Y4
	VPMOVMSKB Y4, BX
	TESTL     BX, BX
	JNZ       found
	VPOR      Y3, Y7, Y7
	MOVQ      DX, AX
	JMP       loop

found:
	BSFL      BX, BX
	ADDQ      BX, AX
	VPMOVMSKB Y3, R8
	MOVL      BX, CX
	MOVL      $1, DX
	SHLL      CX, DX
	DECL      DX
	ANDL      DX, R8 // the bytes before the stop

done:
	VPMOVMSKB Y7, DX
	ORL       DX, R8
	VZEROUPPER
	MOVQ      AX, n+24(FP)
	TESTL     R8, R8
	SETNE     high+32(FP)
	RET
