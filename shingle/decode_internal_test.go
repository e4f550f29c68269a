package shingle

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// decodeLatin agrees with utf8.DecodeRune on every sequence led by a
// non-ASCII byte that it decodes: all 2- and 3-byte prefixes, cut to each
// length and followed by a continuation byte (a 4-byte form, or one too
// many). It decodes every valid two-byte form and every one led by E1 in
// a text of three bytes or more, and nothing else.
func TestDecodeLatin(t *testing.T) {
	var buf [4]byte
	buf[3] = 0x80
	check := func(b []byte) {
		r, n := decodeLatin(b)
		wr, wn := utf8.DecodeRune(b)
		if n != 0 && (r != wr || n != wn) {
			t.Fatalf("decodeLatin(% x) = U+%04X, %d; utf8.DecodeRune gives U+%04X, %d", b, r, n, wr, wn)
		}
		want := len(b) >= 3 && (b[0] < 0xE0 && wn == 2 || b[0] == 0xE1 && wn == 3)
		if (n != 0) != want {
			t.Fatalf("decodeLatin(% x) decodes %v, want %v", b, n != 0, want)
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

// smallRun agrees with a loop over the bytes: every byte value at every
// place of a word of eight, after a run of each length, with the buffer
// cut at each length (so that both the 8-byte and the byte-wise paths end
// the run).
func TestSmallRun(t *testing.T) {
	want := func(b []byte) int {
		n := 0
		for n < len(b) && 'a' <= b[n] && b[n] <= 'z' {
			n++
		}
		return n
	}
	buf := make([]byte, 20)
	for run := 1; run < len(buf); run++ {
		for stop := range 256 {
			for i := range buf {
				buf[i] = 'a' + byte(i*7%26)
			}
			buf[run] = byte(stop)
			if run+1 < len(buf) {
				buf[run+1] = byte(255 - stop) // the byte after, too
			}
			for cut := 1; cut <= len(buf); cut++ {
				if got, w := smallRun(buf[:cut]), want(buf[:cut]); got != w {
					t.Fatalf("smallRun(%q) = %d, want %d", buf[:cut], got, w)
				}
			}
		}
	}
}

// scan's fast path for combining marks gives the tokens its general path
// gives, for every mark of the block, in every place a mark can take in a
// word, after a number or alone, diacritics kept and folded.
func TestPlainMarksFastPath(t *testing.T) {
	type tok struct {
		Key             string
		Start, End      int
		Kind            Kind
		Marked, Retyped bool
	}
	scanAll := func(text []byte, n Normalizer) []tok {
		var sc Scanner
		sc.Reset(text, n)
		var out []tok
		for sc.Scan() {
			k := sc.Token()
			out = append(out, tok{string(k.Key), k.Start, k.End, k.Kind, k.Marked, k.Retyped})
		}
		return out
	}
	saved := plainMarks
	defer func() { plainMarks = saved }()
	for i := range saved {
		m := string(rune(combiningLo + i))
		for _, text := range []string{"a" + m, "A" + m + "b", "a" + m + "B", "ươ" + m + "c d", "12" + m + "3", m, m + m + "x", "Ð" + m, "e\u0302" + m + "\u0323n"} {
			for _, n := range []Normalizer{{}, {FoldDiacritics: true}} {
				plainMarks = saved
				fast := scanAll([]byte(text), n)
				plainMarks = [len(saved)]bool{}
				general := scanAll([]byte(text), n)
				if !slices.Equal(fast, general) {
					t.Fatalf("%q (%+v): fast path %+v, general path %+v", text, n, fast, general)
				}
			}
		}
	}
}
