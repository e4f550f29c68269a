package main

import "hash/maphash"

// idSet finds an id that the first reading met before: an open-addressing
// table of places, probed by a hash of the id, beside the ids themselves.
// A map[string]int32 took about 1 s of the reader's CPU at 10^6
// documents, most of it growing by rehash and matching control words;
// here a slot packs 32 bits of the id's hash (its table index and its
// tag) and the place, so growing moves slots without hashing an id
// again, and a slot whose tag differs is passed without reading the id.
// The seed is random per process: only the speed depends on it.
//
// Its zero value is an empty set. It is not safe for concurrent use.
type idSet struct {
	seed  maphash.Seed
	slots []uint64 // tag<<32 | place+1; 0 is empty
	ids   []string // by place
}

// add records id at the next place, len(ids), and returns that place;
// if id is in the set already, it records nothing and returns the place
// it has there and true.
func (s *idSet) add(id string) (place int, seen bool) {
	if 2*(len(s.ids)+1) > len(s.slots) {
		s.grow()
	}
	h := uint32(maphash.String(s.seed, id))
	mask := uint32(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			s.ids = append(s.ids, id)
			s.slots[i] = uint64(h)<<32 | uint64(len(s.ids))
			return len(s.ids) - 1, false
		}
		if uint32(v>>32) == h && s.ids[uint32(v)-1] == id {
			return int(uint32(v)) - 1, true
		}
	}
}

// grow doubles the table (or makes the first), keeping it at most half
// full.
func (s *idSet) grow() {
	if s.slots == nil {
		s.seed = maphash.MakeSeed()
	}
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint32(len(s.slots) - 1)
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := uint32(v>>32) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}
