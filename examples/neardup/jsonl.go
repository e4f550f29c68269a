package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// record is the part of a JSONL input line that neardup reads. A nil
// pointer is a field the line does not have.
type record struct {
	ID          *string `json:"id"`
	Text        *string `json:"text"`
	Cluster     *string `json:"cluster"`
	CanonicalOK *bool   `json:"canonical_ok"`
	Kind        string  `json:"kind"`
	Lang        string  `json:"lang"`
}

// parseRecord decodes one JSONL line into rec and returns the text as a
// byte slice. Most lines take a fast path that decodes the text in place
// (line is modified) and allocates only the small strings; any line it does
// not fully understand (nested values, keys that match a field only up to
// case, escapes in keys, nulls, invalid UTF-8, invalid JSON) goes to
// encoding/json, which decides. FuzzParseRecord holds the two equal.
//
// An id that encoding/json would rewrite (invalid UTF-8 or a lone
// surrogate, each decoded as U+FFFD) is refused with errIDNotUTF8: the
// output could not give it back byte for byte.
func parseRecord(line []byte) (rec record, text []byte, err error) {
	if rec, text, ok := fastRecord(line); ok {
		return rec, text, nil
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return record{}, nil, err
	}
	if rec.ID != nil && strings.ContainsRune(*rec.ID, utf8.RuneError) && idRewritten(line) {
		return record{}, nil, errIDNotUTF8
	}
	if rec.Text != nil {
		text = []byte(*rec.Text)
	}
	return rec, text, nil
}

// span is the raw body of a JSON string in the line, between its quotes.
type span struct {
	start, end int
	escaped    bool
	set        bool
}

// fastRecord is parseRecord's fast path; ok is false when the line needs
// encoding/json. It reads the whole line before it modifies any of it.
func fastRecord(line []byte) (rec record, text []byte, ok bool) {
	var id, txt, cluster, kind, lang span
	var canon *bool
	p := skipSpace(line, 0)
	if p >= len(line) || line[p] != '{' {
		return rec, nil, false
	}
	p = skipSpace(line, p+1)
	if p < len(line) && line[p] == '}' {
		p++
	} else {
		for {
			key, q, ok := scanString(line, p)
			if !ok || key.escaped {
				return rec, nil, false
			}
			q = skipSpace(line, q)
			if q >= len(line) || line[q] != ':' {
				return rec, nil, false
			}
			q = skipSpace(line, q+1)
			var field *span
			switch k := line[key.start:key.end]; string(k) {
			case "id":
				field = &id
			case "text":
				field = &txt
			case "cluster":
				field = &cluster
			case "kind":
				field = &kind
			case "lang":
				field = &lang
			case "canonical_ok":
				switch {
				case bytes.HasPrefix(line[q:], []byte("true")):
					canon, q = ptr(true), q+4
				case bytes.HasPrefix(line[q:], []byte("false")):
					canon, q = ptr(false), q+5
				default:
					return rec, nil, false
				}
			default:
				if !plainKey(k) {
					return rec, nil, false // encoding/json matches fields up to case
				}
				var ok bool
				if q, ok = skipValue(line, q); !ok {
					return rec, nil, false
				}
			}
			if field != nil {
				var ok bool
				if *field, q, ok = scanString(line, q); !ok {
					return rec, nil, false
				}
			}
			q = skipSpace(line, q)
			if q >= len(line) {
				return rec, nil, false
			}
			if line[q] == '}' {
				p = q + 1
				break
			}
			if line[q] != ',' {
				return rec, nil, false
			}
			p = skipSpace(line, q+1)
		}
	}
	if skipSpace(line, p) != len(line) || id.escaped {
		return rec, nil, false // escapes in an id: encoding/json checks them
	}
	str := func(s span) string { return string(unquote(line, s)) }
	if id.set {
		rec.ID = ptr(str(id))
	}
	if cluster.set {
		rec.Cluster = ptr(str(cluster))
	}
	if txt.set {
		text = unquote(line, txt)
		rec.Text = new(string) // set, but the text itself is returned as bytes
	}
	rec.Kind, rec.Lang, rec.CanonicalOK = str(kind), str(lang), canon
	return rec, text, true
}

func ptr[T any](v T) *T { return &v }

// plainKey reports keys that can match none of record's fields in
// encoding/json's case-insensitive matching: ASCII and not equal to a
// field name up to case.
func plainKey(k []byte) bool {
	for _, c := range k {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, f := range [...]string{"id", "text", "cluster", "canonical_ok", "kind", "lang"} {
		if bytes.EqualFold(k, []byte(f)) {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// scanString reads the JSON string that starts at b[p], checking it as
// encoding/json would: valid escapes, no control characters. Strings with
// invalid UTF-8, which encoding/json repairs, are left to it.
func scanString(b []byte, p int) (s span, next int, ok bool) {
	if p >= len(b) || b[p] != '"' {
		return s, p, false
	}
	s.start = p + 1
	var seen uint64 // every byte the word loop passed, or'ed: its high bits tell non-ASCII
	ascii := true
	for q := s.start; q < len(b); {
		if useSIMD && len(b)-q >= stringStopMin {
			// Thirty-two bytes at a time, with AVX2.
			n, high := stringStopAVX2(b[q:])
			q += n
			ascii = ascii && !high
		}
		// Eight bytes at a time up to the next byte that needs a look:
		// a quote, a backslash or a control character. The first one
		// flagged is exact (the borrows of the subtractions run only
		// upward, from a flagged byte).
		for q+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[q:])
			seen |= x
			if t := zeroBytes(x^(ones*'"')) | zeroBytes(x^(ones*'\\')) | (x-ones*0x20)&^x&highs; t != 0 {
				q += bits.TrailingZeros64(t) >> 3
				break
			}
			q += 8
		}
		if q >= len(b) {
			break
		}
		c := b[q]
		switch {
		case c == '"':
			s.end, s.set = q, true
			if (!ascii || seen&highs != 0) && !validUTF8(b[s.start:q]) {
				return s, q, false
			}
			return s, q + 1, true
		case c == '\\':
			if q+1 >= len(b) {
				return s, q, false
			}
			s.escaped = true
			switch b[q+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				q += 2
			case 'u':
				if hex4(b[q+2:]) < 0 {
					return s, q, false
				}
				q += 6
			default:
				return s, q, false
			}
		case c < 0x20:
			return s, q, false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			q++
		}
	}
	return s, len(b), false
}

// stringStopMin is the shortest rest of a string that scanString hands to
// stringStopAVX2: the call costs a few word steps, and a JSON string's
// escapes (a newline every line of a text) cut it into stretches.
const stringStopMin = 64

// ones and highs are the byte-wise constants of scanString's word loop
// (highs also of validUTF8's ASCII test).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroBytes flags, in its high bit, each zero byte of x, exactly up to
// the first one.
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x & highs }

// skipValue skips a string, number or literal; objects and arrays are
// left to encoding/json.
func skipValue(b []byte, p int) (int, bool) {
	if p >= len(b) {
		return p, false
	}
	switch c := b[p]; {
	case c == '"':
		_, q, ok := scanString(b, p)
		return q, ok
	case c == '-' || ('0' <= c && c <= '9') || c == 't' || c == 'f' || c == 'n':
		q := p
		for q < len(b) && bytes.IndexByte([]byte("+-.0123456789Eabcdefilnrstu"), b[q]) >= 0 {
			q++
		}
		return q, json.Valid(b[p:q])
	}
	return p, false
}

func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote decodes the string s of line in place, as encoding/json does
// (a lone surrogate becomes U+FFFD), and returns it. Every escape is at
// least as long as what it decodes to, so writing never overtakes reading.
func unquote(line []byte, s span) []byte {
	b := line[s.start:s.end:s.end]
	if !s.escaped {
		return b
	}
	w := 0
	for r := 0; r < len(b); {
		// The run up to the next escape, in one move.
		i := bytes.IndexByte(b[r:], '\\')
		if i < 0 {
			i = len(b) - r
		}
		w += copy(b[w:], b[r:r+i])
		if r += i; r == len(b) {
			break
		}
		var c byte
		switch e := b[r+1]; e {
		case 'u':
			rr := hex4(b[r+2:])
			r += 6
			if utf16.IsSurrogate(rr) {
				if r+1 < len(b) && b[r] == '\\' && b[r+1] == 'u' {
					if dec := utf16.DecodeRune(rr, hex4(b[r+2:])); dec != utf8.RuneError {
						r += 6
						w += utf8.EncodeRune(b[w:], dec)
						continue
					}
				}
				rr = utf8.RuneError
			}
			w += utf8.EncodeRune(b[w:], rr)
			continue
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // '"', '\\', '/'
			c = e
		}
		b[w] = c
		w, r = w+1, r+2
	}
	return b[:w]
}

// errIDNotUTF8 is parseRecord's error for an id it would rewrite.
var errIDNotUTF8 = errors.New(`"id" is not valid UTF-8 (invalid bytes or a lone surrogate), and the output could not give it back byte for byte`)

// idRewritten reports whether decoding the "id" of a JSONL line replaced
// something with U+FFFD: invalid UTF-8, or an escaped lone surrogate.
// An id that spells U+FFFD itself is left as it is.
func idRewritten(line []byte) bool {
	var raw struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(line, &raw) != nil {
		return true
	}
	return rewritten(raw.ID)
}

// rewritten reports whether decoding the JSON string token raw replaces
// something with U+FFFD: invalid UTF-8, or an escaped lone surrogate.
func rewritten(raw json.RawMessage) bool {
	if !utf8.Valid(raw) {
		return true
	}
	// The token is valid UTF-8: U+FFFD came from an escape. Each \uXXXX
	// must be a pair, or U+FFFD spelled out.
	var id string
	json.Unmarshal(raw, &id)
	spelled := strings.Count(string(raw), "\ufffd") + strings.Count(strings.ToLower(string(raw)), "\\ufffd")
	return strings.Count(id, "\ufffd") > spelled
}

// fieldError is a field of a valid JSON line that is not what neardup
// reads.
type fieldError struct{ msg string }

func (e fieldError) Error() string { return e.msg }

// fieldPath is a field of a JSONL record named by -id-field or
// -text-field: object keys from the outermost, "meta.url" for
// {"meta": {"url": …}}. A key cannot contain a dot.
type fieldPath []string

func parseFieldPath(flag, s string) (fieldPath, error) {
	p := strings.Split(s, ".")
	for _, k := range p {
		if k == "" {
			return nil, fmt.Errorf("-%s %q: want object keys joined by dots", flag, s)
		}
	}
	return p, nil
}

func (p fieldPath) String() string { return strings.Join(p, ".") }

// parseFields is parseRecord for an id and a text at other places than
// "id" and "text" (the labels -eval reads stay at the top level). A field
// the line does not have, or a null, is nil; one that is not a string is
// an error.
func parseFields(line []byte, idPath, textPath fieldPath) (rec record, text []byte, err error) {
	var labels struct { // record without "id" and "text", which may be anything here
		Cluster     *string `json:"cluster"`
		CanonicalOK *bool   `json:"canonical_ok"`
		Kind        string  `json:"kind"`
		Lang        string  `json:"lang"`
	}
	if err := json.Unmarshal(line, &labels); err != nil {
		return record{}, nil, err
	}
	rec = record{Cluster: labels.Cluster, CanonicalOK: labels.CanonicalOK, Kind: labels.Kind, Lang: labels.Lang}
	get := func(p fieldPath) (*string, json.RawMessage, error) {
		raw := json.RawMessage(line)
		for _, k := range p {
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil || obj == nil {
				return nil, nil, nil // not an object: the field is missing
			}
			var ok bool
			if raw, ok = obj[k]; !ok {
				return nil, nil, nil
			}
		}
		if string(raw) == "null" {
			return nil, nil, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, nil, fieldError{fmt.Sprintf("%q is not a string", p.String())}
		}
		return &s, raw, nil
	}
	id, raw, err := get(idPath)
	if err != nil {
		return record{}, nil, err
	}
	if id != nil && strings.ContainsRune(*id, utf8.RuneError) && rewritten(raw) {
		return record{}, nil, errIDNotUTF8
	}
	txt, _, err := get(textPath)
	if err != nil {
		return record{}, nil, err
	}
	rec.ID, rec.Text = id, txt
	if txt != nil {
		text = []byte(*txt)
	}
	return rec, text, nil
}
