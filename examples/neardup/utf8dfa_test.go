package main

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// validUTF8, and validDFA, which it uses for short strings and on machines
// without AVX2, agree with utf8.Valid on every string of one to three bytes,
// on every four bytes that start with F0 to FF (each second and third
// byte, the fourth at the edges of the continuation range), on random
// mixes of valid and broken sequences of any length, and on long ones
// with a broken sequence put near the middle, where the two halves meet.
func TestValidUTF8(t *testing.T) {
	check := func(b []byte) {
		want := utf8.Valid(b)
		if got := validUTF8(b); got != want {
			t.Fatalf("% x: %v, utf8.Valid %v", b, got, want)
		}
		if got := validDFA(b); got != want {
			t.Fatalf("% x: validDFA %v, utf8.Valid %v", b, got, want)
		}
	}
	var b [4]byte
	for n := 1; n <= 3; n++ {
		for x := range 1 << (8 * n) {
			for i := range n {
				b[i] = byte(x >> (8 * i))
			}
			check(b[:n])
		}
	}
	for lead := 0xF0; lead <= 0xFF; lead++ {
		for x := range 1 << 16 {
			for _, last := range []byte{0x7F, 0x80, 0xBF, 0xC0} {
				b = [4]byte{byte(lead), byte(x), byte(x >> 8), last}
				check(b[:])
			}
		}
	}
	pieces := [][]byte{[]byte("a"), []byte("hôm nay"), []byte("Đ"), []byte("ệ"), []byte("😀"), []byte("\U0010FFFF"),
		[]byte("ascii text "), {0xff}, {0xc0, 0x80}, {0xe0, 0x80, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80},
		{0xf0, 0x8f, 0xbf, 0xbf}, {0xf2, 0x80, 0x80, 0x80}, {0xf3, 0xbf, 0xbf},
		{0xe1, 0xba}, {0x80}, {0xf0, 0x9f, 0x98}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var s []byte
		for range rng.IntN(12) {
			s = append(s, pieces[rng.IntN(len(pieces))]...)
		}
		if rng.IntN(4) == 0 {
			s = append(s, bytes.Repeat([]byte("x"), rng.IntN(20))...)
		}
		check(s)
	}
	// Long enough to be read as two halves, meeting inside a sequence,
	// at its start, or where a broken one lies.
	for range 100000 {
		var s []byte
		for len(s) < 64+rng.IntN(200) {
			s = append(s, pieces[rng.IntN(len(pieces))]...)
		}
		check(s)
		m := len(s) / 2
		for _, bad := range [][]byte{{0x80}, {0xff}, {0xe1, 0xba}, {0x80, 0x80, 0x80, 0x80}} {
			for d := -4; d <= 4; d++ {
				t := append(append(append([]byte(nil), s[:m+d]...), bad...), s[m+d:]...)
				check(t)
			}
		}
	}
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte("Hội đồng Bảo an"))
	f.Add([]byte{0xf4, 0x8f, 0xbf, 0xbf, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		want := utf8.Valid(b)
		if got := validUTF8(b); got != want {
			t.Fatalf("% x: %v, utf8.Valid %v", b, got, want)
		}
		if got := validDFA(b); got != want {
			t.Fatalf("% x: validDFA %v, utf8.Valid %v", b, got, want)
		}
	})
}

// Vietnamese text, syllables drawn at random so that no branch pattern
// repeats: a non-ASCII letter every few bytes.
func BenchmarkValidUTF8(b *testing.B) {
	syllables := strings.Fields("hội đồng bảo an liên hợp quốc họp khẩn về tình hình người dân " +
		"cho biết trong năm nay các đã được tại của và có không những một này với thành phố Hà Nội")
	rng := rand.New(rand.NewPCG(3, 4))
	var text []byte
	for len(text) < 4<<10 {
		text = append(text, syllables[rng.IntN(len(syllables))]...)
		text = append(text, " , . 12 "[rng.IntN(8)])
	}
	for _, bc := range []struct {
		name  string
		valid func([]byte) bool
	}{{"validUTF8", validUTF8}, {"dfa", validDFA}, {"utf8.Valid", utf8.Valid}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if !bc.valid(text) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
