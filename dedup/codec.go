package dedup

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Binary layout of a sketch (Sketch.AppendBinary):
//
//	"NDSK" | version (1 byte, signatureVersion) | hashes (uvarint) |
//	shingles (uvarint) | lead (8 bytes) | hashes × 2-byte codes |
//	number contexts (uvarint) | number kind (uvarint: 0 none in the
//	content, 1 real, 2 masked) |
//	sample length (uvarint) | sample × (2-byte context, 2-byte value) |
//	headline (4 bytes) | chunks (uvarint) | chunks × 4 bytes
//
// little-endian throughout. The part after hashes is the one the Store log
// writes.
var sketchMagic = [4]byte{'N', 'D', 'S', 'K'}

// AppendBinary appends the versioned encoding of what an index keeps of s
// to verify a match: Sig, Shingles, Lead, Headline, Chunks and Numbers
// but Count and Real, of which it keeps whether the content has numbers and
// whether they are real (decoded as 0 or 1 each). Words, Marked and
// BoilerplateWords are not encoded.
func (s Sketch) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, sketchMagic[:]...)
	b = append(b, signatureVersion)
	b = binary.AppendUvarint(b, uint64(len(s.sig)))
	return appendSketchBody(b, &s), nil
}

// MarshalBinary returns AppendBinary(nil).
func (s Sketch) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary decodes what AppendBinary wrote. Errors wrap ErrFormat.
func (s *Sketch) UnmarshalBinary(b []byte) error {
	if err := checkHeader(b, sketchMagic, "sketch"); err != nil {
		return err
	}
	d := decoder{b: b[5:]}
	hashes := d.uvarint("hashes")
	if d.err == nil && (hashes == 0 || hashes > 1<<16) {
		d.fail("hashes")
	}
	var sk Sketch
	if d.err == nil {
		sk = decodeSketchBody(&d, int(hashes))
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return fmt.Errorf("%w: sketch: %v", ErrFormat, d.err)
	}
	*s = sk
	return nil
}

// decoder reads the varints and fixed-size fields of a store file and
// remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
	d.b = nil
}

func (d *decoder) uvarint(what string) uint64 { return decodeVarint(d, binary.Uvarint, what) }

func (d *decoder) varint(what string) int64 { return decodeVarint(d, binary.Varint, what) }

// decodeVarint reads one varint with f (binary.Uvarint or binary.Varint).
func decodeVarint[T uint64 | int64](d *decoder, f func([]byte) (T, int), what string) T {
	v, n := f(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64, what string) []byte {
	if uint64(len(d.b)) < n {
		d.fail(what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64(what string) uint64 {
	if b := d.bytes(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if b := d.bytes(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if b := d.bytes(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// count reads a length and checks that at least size bytes per element
// remain, so a corrupt length cannot make a huge allocation.
func (d *decoder) count(size int, what string) int {
	n := d.uvarint(what)
	if d.err == nil && n > uint64(len(d.b)/max(size, 1)) {
		d.fail(what)
		return 0
	}
	return int(n)
}

// appendSketchBody encodes what an index keeps of a sketch for
// verification.
func appendSketchBody(b []byte, sk *Sketch) []byte {
	b = binary.AppendUvarint(b, uint64(sk.shingles))
	b = binary.LittleEndian.AppendUint64(b, sk.lead)
	for _, v := range sk.sig {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	n := &sk.numbers
	b = binary.AppendUvarint(b, uint64(n.Contexts))
	b = binary.AppendUvarint(b, uint64(n.kind()))
	chunks, sample := sk.coldIn(nil, true, true)
	b = binary.AppendUvarint(b, uint64(len(sample)))
	for _, e := range sample {
		b = binary.LittleEndian.AppendUint16(b, e.Context)
		b = binary.LittleEndian.AppendUint16(b, e.Value)
	}
	b = binary.LittleEndian.AppendUint32(b, sk.headline)
	b = binary.AppendUvarint(b, uint64(len(chunks)))
	for _, c := range chunks {
		b = binary.LittleEndian.AppendUint32(b, uint32(c))
	}
	return b
}

// decodeSketchBody reads what appendSketchBody wrote, for signatures of
// hashes elements.
func decodeSketchBody(d *decoder, hashes int) Sketch {
	var sk Sketch
	// Counts are checked as read, before they become int32s (see
	// Sketch): a larger uvarint would wrap to a negative count.
	if v := d.uvarint("shingles"); v <= math.MaxInt32 {
		sk.shingles = int32(v)
	} else {
		d.fail("shingle count")
	}
	sk.lead = d.u64("lead")
	if sig := d.bytes(uint64(2*hashes), "signature"); d.err == nil {
		sk.sig = make(compact, hashes)
		for i := range sk.sig {
			sk.sig[i] = binary.LittleEndian.Uint16(sig[2*i:])
		}
	}
	n := &sk.numbers
	if v := d.uvarint("number contexts"); v <= math.MaxInt32 {
		n.Contexts = int32(v)
	} else {
		d.fail("number contexts")
	}
	if k := d.uvarint("number kind"); k <= 2 {
		n.setKind(uint8(k))
	} else {
		d.fail("number kind")
	}
	if ns := d.count(4, "number sample"); ns > 0 {
		n.Sample = make([]numberInContext, ns)
		for i := range n.Sample {
			n.Sample[i] = numberInContext{d.u16("context"), d.u16("value")}
		}
	}
	sk.headline = d.u32("headline")
	if nc := d.count(4, "chunks"); nc > 0 {
		if nc > maxChunks {
			d.fail("chunk count")
			return sk
		}
		sk.chunks = make([]chunk, nc)
		for i := range sk.chunks {
			sk.chunks[i] = chunk(d.u32("chunk"))
		}
	}
	if d.err != nil {
		d.fail("sketch")
	}
	return sk
}
