package main

import (
	"encoding/binary"

	sutf8 "github.com/segmentio/asm/utf8"
)

// validUTF8 is utf8.Valid, fast on text that mixes ASCII and other
// letters at every few bytes (Vietnamese, or any accented language),
// where utf8.Valid leaves its eight-bytes-at-a-time ASCII path for good
// at the first non-ASCII byte and decodes byte by byte with a branch on
// each. On x86 with AVX2, strings of simdMinLen bytes or more go to
// segmentio/asm's vector validator, which checks 32 bytes at once with
// table lookups in the manner of simdjson (BenchmarkValidUTF8, 4 KiB of
// Vietnamese: 16 GB/s, against 2.3 GB/s for validDFA and 1.3 GB/s for
// utf8.Valid); shorter ones, and other machines, to validDFA.
func validUTF8(p []byte) bool {
	if useSIMD && len(p) >= simdMinLen {
		return sutf8.Valid(p)
	}
	return validDFA(p)
}

// simdMinLen is where the vector validator overtakes the automaton: at
// 16 bytes it takes 19 ns against 13, at 32 bytes 6 ns against 26 (one
// core of the AMD EPYC VM the README's figures come from).
const simdMinLen = 32

// validDFA is utf8.Valid by an automaton over the bytes in which each
// byte's transitions for all states are packed in one word, utf8DFA[b],
// with the next state of state s at bit offset s (a shift-based DFA): one
// step is a table load that does not wait for the state, and a shift that
// does. Eight ASCII bytes at a time are skipped between sequences, and a
// string of 64 bytes or more is read as two halves at once.
func validDFA(p []byte) bool {
	if len(p) >= 64 {
		// Two automata, one on each half, interleaved: each step waits
		// for the shift of the step before it in its own half only, so
		// the two chains of steps run side by side. The halves meet at a
		// byte that starts a sequence (there is one within four bytes of
		// the middle in valid text), so that the whole is valid exactly
		// when both halves are.
		m := len(p) / 2
		for k := 0; k < 4 && p[m]&0xC0 == 0x80; k++ {
			m++
		}
		if p[m]&0xC0 == 0x80 {
			return false // four continuation bytes in a row
		}
		sa, sb := runPair(p[:m], p[m:])
		return sa&63 == 0 && sb&63 == 0
	}
	return runDFA(0, p)&63 == 0
}

// runDFA runs the automaton over p from state st and returns the state
// it ends in (only its low 6 bits count).
func runDFA(st uint64, p []byte) uint64 {
	for len(p) >= 8 {
		if st&63 == 0 && binary.LittleEndian.Uint64(p)&highs == 0 {
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
	return st
}

// runPair runs the automaton over a and b at once, from the accepting
// state, and returns the states each ends in.
func runPair(a, b []byte) (sa, sb uint64) {
	for len(a) >= 8 && len(b) >= 8 {
		x, y := a[:8:8], b[:8:8]
		if sa&63 == 0 && sb&63 == 0 && (binary.LittleEndian.Uint64(x)|binary.LittleEndian.Uint64(y))&highs == 0 {
			a, b = a[8:], b[8:]
			continue
		}
		for i := range 8 {
			sa = utf8DFA[x[i]] >> (sa & 63)
			sb = utf8DFA[y[i]] >> (sb & 63)
		}
		a, b = a[8:], b[8:]
	}
	return runDFA(sa, a), runDFA(sb, b)
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
// as utf8.Valid checks them; every byte not listed rejects.
var utf8DFA = func() (t [256]uint64) {
	for b := range t {
		for s := 0; s < dfaStates; s += 6 {
			t[b] |= dfaReject << s
		}
	}
	for _, e := range [...]struct{ from, lo, hi, to int }{
		{dfaAccept, 0x00, 0x7F, dfaAccept},
		{dfaAccept, 0xC2, 0xDF, dfaCont1},
		{dfaAccept, 0xE0, 0xE0, dfaE0},
		{dfaAccept, 0xE1, 0xEC, dfaCont2},
		{dfaAccept, 0xED, 0xED, dfaED},
		{dfaAccept, 0xEE, 0xEF, dfaCont2},
		{dfaAccept, 0xF0, 0xF0, dfaF0},
		{dfaAccept, 0xF1, 0xF3, dfaCont3},
		{dfaAccept, 0xF4, 0xF4, dfaF4},
		{dfaCont1, 0x80, 0xBF, dfaAccept},
		{dfaCont2, 0x80, 0xBF, dfaCont1},
		{dfaCont3, 0x80, 0xBF, dfaCont2},
		{dfaE0, 0xA0, 0xBF, dfaCont1},
		{dfaED, 0x80, 0x9F, dfaCont1},
		{dfaF0, 0x90, 0xBF, dfaCont2},
		{dfaF4, 0x80, 0x8F, dfaCont2},
	} {
		for b := e.lo; b <= e.hi; b++ {
			t[b] = t[b]&^(63<<e.from) | uint64(e.to)<<e.from
		}
	}
	return t
}()
