package runtime

import "unsafe"

// groupCache finds the state of a group from the identity of its id
// string, before the node's map is asked. The nodes that group data (from,
// groupBy) hand out one string per group, so a point's id is mostly the
// very string seen before: comparing its address and length takes no
// hashing of its bytes. Since the cache holds the string it points into,
// that memory cannot be reused for another string while it is cached, so
// the same address and length always mean the same id.
//
// The cache has buckets of groupCacheWays slots, so that groups whose ids
// hash to the same bucket do not evict each other. A group goes to the
// first free slot of its bucket, else to the last: when more groups than
// slots that come round in turn share a bucket, the others keep hitting
// rather than each group evicting the next. It grows with the groups
// (four slots per group, up to maxGroupCacheSlots) and forgets everything,
// in O(1), when a group is deleted. A miss costs only the map lookup the
// node makes anyway.
type groupCache[T any] struct {
	slots []groupSlot[T]
	gen   uint64 // the generation of valid slots; forget starts a new one
	shift uint   // 64 − log2(number of buckets)
}

// groupSlot caches one group: the address and length of its id string.
type groupSlot[T any] struct {
	data  *byte
	n     int
	gen   uint64
	state *T // nil in a slot never filled
}

const (
	groupCacheWays     = 4
	minGroupCacheSlots = 64
	maxGroupCacheSlots = 1 << 14
)

// bucket returns id's bucket; the cache must have slots.
func (c *groupCache[T]) bucket(id GroupID) []groupSlot[T] {
	h := mixAddress(uint64(uintptr(unsafe.Pointer(unsafe.StringData(string(id))))))
	i := int(h>>c.shift) * groupCacheWays
	return c.slots[i : i+groupCacheWays : i+groupCacheWays]
}

// mixAddress spreads the bits of an address over the whole word (the
// finalizer of SplitMix64): the addresses of strings are aligned, often
// close together and sometimes evenly spaced, which a bare multiplication
// can leave clustered.
func mixAddress(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	return x ^ x>>31
}

// holds reports whether slot s caches id.
func (s *groupSlot[T]) holds(id GroupID, gen uint64) bool {
	return s.gen == gen && s.n == len(id) && s.data == unsafe.StringData(string(id)) && s.state != nil
}

// get returns the state cached for id, or nil.
func (c *groupCache[T]) get(id GroupID) *T {
	if len(c.slots) == 0 {
		return nil
	}
	b := c.bucket(id)
	for i := range b {
		if b[i].holds(id, c.gen) {
			return b[i].state
		}
	}
	return nil
}

// put caches state as id's; groups is how many groups the node has now,
// which the cache grows with.
func (c *groupCache[T]) put(id GroupID, state *T, groups int) {
	if want := 4 * groups; len(c.slots) < want && len(c.slots) < maxGroupCacheSlots {
		size := minGroupCacheSlots
		for size < want && size < maxGroupCacheSlots {
			size *= 2
		}
		c.slots = make([]groupSlot[T], size)
		c.shift = uint(64 - bitsOf(size/groupCacheWays))
	}
	b := c.bucket(id)
	i := 0
	for i < len(b)-1 && b[i].state != nil && b[i].gen == c.gen {
		i++
	}
	b[i] = groupSlot[T]{data: unsafe.StringData(string(id)), n: len(id), gen: c.gen, state: state}
}

// forget voids every slot: a group was deleted, and a new state may come
// for its id.
func (c *groupCache[T]) forget() { c.gen++ }

// bitsOf returns log2 of a power of two.
func bitsOf(pow2 int) int {
	b := 0
	for pow2 > 1 {
		pow2 >>= 1
		b++
	}
	return b
}
