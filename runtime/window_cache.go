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
// The cache is direct-mapped, grows with the groups (up to
// maxGroupCacheSlots slots) and forgets everything, in O(1), when a group is
// deleted. A miss costs only the map lookup the node makes anyway.
type groupCache[T any] struct {
	slots []groupSlot[T]
	gen   uint64 // the generation of valid slots; forget starts a new one
	shift uint   // 64 − log2(len(slots))
}

// groupSlot caches one group: the address and length of its id string.
type groupSlot[T any] struct {
	data  *byte
	n     int
	gen   uint64
	state *T
}

const (
	minGroupCacheSlots = 64
	maxGroupCacheSlots = 1 << 14
)

// slot returns the slot of id, or nil when the cache has none.
func (c *groupCache[T]) slot(id GroupID) *groupSlot[T] {
	if len(c.slots) == 0 {
		return nil
	}
	// Fibonacci hashing of the address: allocations are 8- or 16-byte
	// aligned and often consecutive, which the multiplication spreads.
	h := uint64(uintptr(unsafe.Pointer(unsafe.StringData(string(id))))) * 0x9E3779B97F4A7C15
	return &c.slots[h>>c.shift]
}

// get returns the state cached for id, or nil.
func (c *groupCache[T]) get(id GroupID) *T {
	s := c.slot(id)
	if s == nil || s.gen != c.gen || s.n != len(id) || s.data != unsafe.StringData(string(id)) {
		return nil
	}
	return s.state
}

// put caches state as id's; groups is how many groups the node has now,
// which the cache grows with.
func (c *groupCache[T]) put(id GroupID, state *T, groups int) {
	if want := 2 * groups; len(c.slots) < want && len(c.slots) < maxGroupCacheSlots {
		size := minGroupCacheSlots
		for size < want && size < maxGroupCacheSlots {
			size *= 2
		}
		c.slots = make([]groupSlot[T], size)
		c.shift = uint(64 - bitsOf(size))
	}
	s := c.slot(id)
	*s = groupSlot[T]{data: unsafe.StringData(string(id)), n: len(id), gen: c.gen, state: state}
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
