package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// checkRecord holds parseRecord to encoding/json on one line: the same
// error or lack of one, the same fields, the same text.
func checkRecord(t *testing.T, line []byte) (fast bool) {
	t.Helper()
	var want record
	werr := json.Unmarshal(line, &want)
	_, _, fast = fastRecord(bytes.Clone(line))
	got, text, gerr := parseRecord(bytes.Clone(line))
	if errors.Is(gerr, errIDNotUTF8) {
		// Refused where encoding/json rewrites the id with U+FFFD.
		if werr != nil || fast || want.ID == nil || !strings.ContainsRune(*want.ID, utf8.RuneError) {
			t.Fatalf("%q: id refused, but encoding/json says %v and decodes id %v", line, werr, want.ID)
		}
		return false
	}
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: encoding/json error %v, parseRecord error %v", line, werr, gerr)
	}
	if werr != nil {
		if fast {
			t.Fatalf("%q: fast path accepted a line encoding/json rejects (%v)", line, werr)
		}
		return fast
	}
	if (want.Text == nil) != (got.Text == nil) {
		t.Fatalf("%q: text present %v, want %v", line, got.Text != nil, want.Text != nil)
	}
	if want.Text != nil && string(text) != *want.Text {
		t.Fatalf("%q (fast %v): text %q, want %q", line, fast, text, *want.Text)
	}
	want.Text, got.Text = nil, nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%q (fast %v): fields differ from encoding/json (-want +got):\n%s", line, fast, diff)
	}
	return fast
}

func TestParseRecord(t *testing.T) {
	tests := []struct {
		line string
		fast bool
	}{
		{`{"id": "a", "text": "Hội đồng\nBảo an"}`, true},
		{`{"id":"a","text":"x \"q\" \\ \/ \b\f\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x"}` + "\r\n", true},
		{`{"id": "d1", "cluster": "g1", "canonical_ok": false, "kind": "segment", "lang": "vi", "source": "bbc:1", "n": -1.5e3, "ok": true, "z": null, "text": "t"}`, true},
		{`{}`, true},
		{` { "text" : "" , "id" : "x" } `, true},
		{`{"id": "a", "id": "b", "text": "1", "text": "2"}`, true},
		{`{"id": "a", "meta": {"x": [1, 2]}, "text": "t"}`, false},
		{`{"ID": "a", "text": "t"}`, false},
		{`{"id": "a", "Text": "t", "text": "u"}`, false},
		{`{"id": null, "text": "t"}`, false},
		{`{"id": "a", "text": "bad \xff utf8"}`, false},
		{`{"i\u0064": "a", "text": "t"}`, false},
		{`{"id": "a", "text": "t"`, false},
		{`{"id": "a", "text": "t"} x`, false},
		{`{"id": "a", "text": "t\x01"}`, false},
		{`{"id": "a", "text": "\x"}`, false},
		{`{"id": "a", "text": 5}`, false},
		{`{"id": "a", "n": 01}`, false},
		{`{"id": "a", "canonical_ok": "yes"}`, false},
		{`["id", "a"]`, false},
		{`{"id": "a",}`, false},
	}
	for _, tt := range tests {
		if fast := checkRecord(t, []byte(tt.line)); fast != tt.fast {
			t.Errorf("%q: fast path %v, want %v", tt.line, fast, tt.fast)
		}
	}
}

// TestParseRecordLong holds parseRecord to encoding/json on texts long
// enough for scanString's 32-byte path: a quote, backslash, control
// character or invalid byte at every place across three blocks, and
// non-ASCII text only in the part read 32 bytes at a time.
func TestParseRecordLong(t *testing.T) {
	base := strings.Repeat("Hội đồng Bảo an họp phiên thường kỳ. ", 4)[:100]
	base = strings.ToValidUTF8(base, "x")
	for i := range 100 {
		for _, ins := range []string{`"`, `\`, `
`, `é`, "", "", "ÿ", "Ã", `"`, ""} {
			text := base[:i] + ins + base[i:]
			checkRecord(t, []byte(`{"id": "a", "text": "`+text+`"}`))
		}
	}
	ascii := strings.Repeat("a", 96)
	checkRecord(t, []byte(`{"id": "a", "text": "é`+ascii+`"}`))
	checkRecord(t, []byte(`{"id": "a", "text": "`+ascii+"é"+ascii+`"}`))
	checkRecord(t, []byte(`{"id": "a", "text": "`+ascii+`\n`+ascii+"é"+`"}`))
}

// TestStringStop holds stringStopAVX2 to a byte loop: every byte value at
// every place of the first three blocks of 32.
func TestStringStop(t *testing.T) {
	if !useSIMD {
		t.Skip("no AVX2 here")
	}
	for _, buf := range [][]byte{bytes.Repeat([]byte("aé"), 64)[:100], bytes.Repeat([]byte("a"), 100), []byte(strings.Repeat("a", 50) + strings.Repeat("é", 25))} {
		for i := range buf {
			for c := range 256 {
				b := bytes.Clone(buf)
				b[i] = byte(c)
				want := len(b) &^ 31 // no whole block holds one
				for k, x := range b {
					if x == '"' || x == '\\' || x < 0x20 {
						if k < len(b)&^31 {
							want = k
						}
						break
					}
				}
				wantHigh := bytes.IndexFunc(b[:want], func(r rune) bool { return r >= utf8.RuneSelf }) >= 0
				if got, high := stringStopAVX2(b); got != want || high != wantHigh {
					t.Fatalf("byte %#x at %d: stringStopAVX2 = %d, %v; want %d, %v", c, i, got, high, want, wantHigh)
				}
			}
		}
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"id": "a", "text": "` + strings.Repeat("Hội đồng Bảo an ", 8) + `\n\u00e9 \"` + strings.Repeat("x", 70) + "\xff\"}"))
	f.Add([]byte(`{"id": "a", "text": "Hội đồng\nBảo an \u00e9 \ud83d\ude00"}`))
	f.Add([]byte(`{"id": "d1", "cluster": "g1", "canonical_ok": true, "kind": "k", "lang": "vi", "n": 1e5, "z": null, "text": "t"}`))
	f.Add([]byte(`{"ID": "a", "meta": {"x": [1]}, "text": "\ud800"}`))
	f.Add([]byte(`{"id": "a\udc00", "text": "x"}`))
	f.Add([]byte("{\"id\": \"a\xff\", \"text\": \"x\"}"))
	f.Add([]byte(`{"id": "a\ufffd\u00e9", "text": "x"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkRecord(t, line)
	})
}

// BenchmarkParseRecord parses a JSONL line of a 3 KB Vietnamese or
// English news text, with the escapes a crawler's JSON writer leaves.
func BenchmarkParseRecord(b *testing.B) {
	for _, lang := range []struct{ name, para string }{
		{"vi", `Hội đồng Bảo an Liên Hợp Quốc đã họp phiên thường kỳ vào ngày 12/9 tại New York, với sự tham dự của đại diện 15 nước thành viên.\n`},
		{"en", `The Security Council met in regular session on 12 September in New York, attended by the \"representatives\" of its 15 member states.\n`},
	} {
		text := strings.Repeat(lang.para, 3072/len(lang.para)+1)
		line := []byte(`{"id":"https://example.com/news/2024/09/12/article-123456","text":"` + text + `","lang":"` + lang.name + `"}` + "\n")
		buf := make([]byte, len(line))
		b.Run(lang.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, line) // parsing decodes in place
				if _, _, err := parseRecord(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
