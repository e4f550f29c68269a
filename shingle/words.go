package shingle

import "math/bits"

// XXH64 constants (Collet, xxHash specification).
const (
	prime1 uint64 = 11400714785074694791
	prime2 uint64 = 14029467366897019727
	prime3 uint64 = 1609587929392839161
	prime4 uint64 = 9650029242287828579
	prime5 uint64 = 2870177450012600261
)

func round(acc, input uint64) uint64 {
	acc += input * prime2
	acc = bits.RotateLeft64(acc, 31)
	return acc * prime1
}

func mergeRound(acc, val uint64) uint64 {
	acc ^= round(0, val)
	return acc*prime1 + prime4
}

// HashTokens returns the hash of one shingle of the given token hashes:
// XXH64 (seed 0) of their 8-byte little-endian encoding, computed on the
// words without building that encoding. It equals
// xxhash.Sum64(binary.LittleEndian.AppendUint64(...)) over tokens, for any
// length.
func HashTokens(tokens []uint64) uint64 {
	n := len(tokens)
	var h uint64
	w := tokens
	if n >= 4 {
		p1 := prime1 // variables: the sums below wrap around
		v1 := p1 + prime2
		v2 := prime2
		v3 := uint64(0)
		v4 := -p1
		for len(w) >= 4 {
			v1 = round(v1, w[0])
			v2 = round(v2, w[1])
			v3 = round(v3, w[2])
			v4 = round(v4, w[3])
			w = w[4:]
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = mergeRound(h, v1)
		h = mergeRound(h, v2)
		h = mergeRound(h, v3)
		h = mergeRound(h, v4)
	} else {
		h = prime5
	}
	h += uint64(8 * n)
	for _, k := range w {
		h ^= round(0, k)
		h = bits.RotateLeft64(h, 27)*prime1 + prime4
	}
	h ^= h >> 33
	h *= prime2
	h ^= h >> 29
	h *= prime3
	h ^= h >> 32
	return h
}
