package shingle

import (
	"testing"
	"unicode/utf8"
)

// decodeRune agrees with utf8.DecodeRune on every sequence led by a
// non-ASCII byte: all 2- and 3-byte prefixes, cut to each length and
// followed by a continuation byte (a 4-byte form, or one too many).
func TestDecodeRune(t *testing.T) {
	var buf [4]byte
	buf[3] = 0x80
	check := func(b []byte) {
		r, n := decodeRune(b)
		wr, wn := utf8.DecodeRune(b)
		if r != wr || n != wn {
			t.Fatalf("decodeRune(% x) = U+%04X, %d; utf8.DecodeRune gives U+%04X, %d", b, r, n, wr, wn)
		}
	}
	for b0 := 0x80; b0 <= 0xFF; b0++ {
		buf[0] = byte(b0)
		check(buf[:1])
		for b1 := range 256 {
			buf[1] = byte(b1)
			check(buf[:2])
			if b0 < 0xE0 {
				buf[2] = 'a'
				check(buf[:3])
				continue
			}
			for b2 := range 256 {
				buf[2] = byte(b2)
				check(buf[:3])
				check(buf[:4])
			}
		}
	}
}
