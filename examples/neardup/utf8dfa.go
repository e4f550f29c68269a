package main

import "encoding/binary"

// validUTF8 is utf8.Valid, faster on text that mixes ASCII and other
// letters at every few bytes (Vietnamese, or any accented language),
// where utf8.Valid leaves its eight-bytes-at-a-time ASCII path for good
// at the first non-ASCII byte and decodes byte by byte with a branch on
// each.
//
// It runs a deterministic automaton over the bytes in which each byte's
// transitions for all states are packed in one word, utf8DFA[b], with the
// next state of state s at bit offset s (a shift-based DFA): one step is a
// table load that does not wait for the state, and a shift that does.
// Eight ASCII bytes at a time are skipped between sequences.
func validUTF8(p []byte) bool {
	var st uint64 // only the low 6 bits count: shifts use them alone
	for len(p) >= 8 {
		if st&63 == 0 && binary.LittleEndian.Uint64(p)&0x8080808080808080 == 0 {
			p = p[8:]
			continue
		}
		for _, b := range p[:8] {
			st = utf8DFA[b] >> (st & 63)
		}
		p = p[8:]
	}
	for _, b := range p {
		st = utf8DFA[b] >> (st & 63)
	}
	return st&63 == 0
}

// The automaton's states, as bit offsets: a multiple of 6, under 64.
const (
	dfaAccept = iota * 6 // between sequences
	dfaReject
	dfaCont1 // one more continuation byte
	dfaCont2
	dfaCont3
	dfaE0 // after E0: A0 to BF (no overlong 3-byte form)
	dfaED // after ED: 80 to 9F (no surrogates)
	dfaF0 // after F0: 90 to BF (no overlong 4-byte form)
	dfaF4 // after F4: 80 to 8F (nothing above U+10FFFF)
	dfaStates
)

// utf8DFA[b] holds, at bit offset s for every state s, the state after
// byte b: the transitions of RFC 3629's table of well-formed sequences,
// as utf8.Valid checks them.
var utf8DFA = func() (t [256]uint64) {
	in := func(b, lo, hi int) bool { return lo <= b && b <= hi }
	for b := range 256 {
		for s := 0; s < dfaStates; s += 6 {
			next := dfaReject
			switch s {
			case dfaAccept:
				switch {
				case b < 0x80:
					next = dfaAccept
				case in(b, 0xC2, 0xDF):
					next = dfaCont1
				case b == 0xE0:
					next = dfaE0
				case b == 0xED:
					next = dfaED
				case in(b, 0xE1, 0xEF):
					next = dfaCont2
				case b == 0xF0:
					next = dfaF0
				case in(b, 0xF1, 0xF3):
					next = dfaCont3
				case b == 0xF4:
					next = dfaF4
				}
			case dfaCont1:
				if in(b, 0x80, 0xBF) {
					next = dfaAccept
				}
			case dfaCont2:
				if in(b, 0x80, 0xBF) {
					next = dfaCont1
				}
			case dfaCont3:
				if in(b, 0x80, 0xBF) {
					next = dfaCont2
				}
			case dfaE0:
				if in(b, 0xA0, 0xBF) {
					next = dfaCont1
				}
			case dfaED:
				if in(b, 0x80, 0x9F) {
					next = dfaCont1
				}
			case dfaF0:
				if in(b, 0x90, 0xBF) {
					next = dfaCont2
				}
			case dfaF4:
				if in(b, 0x80, 0x8F) {
					next = dfaCont2
				}
			}
			t[b] |= uint64(next) << s
		}
	}
	return t
}()
