package runtime

import (
	"encoding/binary"
	"math/bits"
)

// The fast decoder remembers the tag sections it has decoded lately: the
// raw bytes of a line's tags (",host=a,region=b", up to the space before
// the fields) map to the decoded, sorted Tags. A line whose tag section is
// one it has seen gets the same Tags slice as the earlier point — Tags are
// copy-on-write, so points may share one — without interning a value,
// taking block space or sorting.
//
// The table is bounded in entries (tagSetWays entries for each of the
// 1<<tagSetBits hashes, the latest first) and in the memory its entries
// keep alive: an entry's Tags live in the parser's tag blocks, and the
// table is emptied whenever maxTagSetBlocks blocks have been started since
// it last was, so that it never keeps more than that many blocks (and the
// points' slices in them) from being collected.

const (
	// tagSetBits sizes the table: 1<<tagSetBits hashes of tagSetWays
	// entries. 4,096 entries hold a few thousand series with few misses.
	tagSetBits = 11
	tagSetWays = 2
	// maxCachedTags is the most tags a cached tag section may have: longer
	// ones are rare and decoded each time.
	maxCachedTags = 16
	// maxTagSetBlocks bounds the tag blocks the table's entries keep alive
	// (2,304 bytes each, so 576 KiB).
	maxTagSetBlocks = 256
)

// tagSetEntry is one decoded tag section. Two entries (a set) fill one
// 64-byte cache line, so that a lookup reads one line of the table.
type tagSetEntry struct {
	// key is the section's hash (hashTagSection) with its lowest bit
	// replaced by the unsorted flag: set when the section does not list
	// the tags in sorted order.
	key uint64
	// tags are the sorted tags, as handed to points (capped at their
	// length), followed when the unsorted flag is set by as many in the
	// section's order, for comparing sections. nil for an empty entry.
	tags Tags
}

// unsortedFlag is the bit of tagSetEntry.key that marks an unsorted
// section.
const unsortedFlag = 1

// tagSetTable is the fast decoder's table of recent tag sections.
type tagSetTable struct {
	entries [tagSetWays << tagSetBits]tagSetEntry // first: a large allocation starts on a page
	// blocks counts the tag blocks started since the table was emptied.
	blocks int
}

// lookup returns the Tags of the tag section sec (the bytes between the
// measurement and the space before the fields) if the table has it, and
// the section's key for insert otherwise.
func (t *tagSetTable) lookup(sec []byte) (Tags, uint64, bool) {
	key := hashTagSection(sec) &^ unsortedFlag
	at := (key >> (64 - tagSetBits)) * tagSetWays
	set := t.entries[at : at+tagSetWays]
	for i := range set {
		e := &set[i]
		if e.key&^unsortedFlag != key {
			continue
		}
		tags, order := e.tags, e.tags
		if e.key&unsortedFlag != 0 {
			n := len(tags) / 2
			tags, order = tags[:n:n], tags[n:]
		}
		if tagSectionIs(sec, order) {
			return tags, key, true
		}
	}
	return nil, key, false
}

// insert records an entry (see tagSetEntry) under the key lookup gave.
// The new entry goes first in its set and the set's last entry is dropped.
// The table is emptied first when its entries might keep more than
// maxTagSetBlocks blocks alive.
func (t *tagSetTable) insert(e tagSetEntry) {
	if t.blocks >= maxTagSetBlocks {
		*t = tagSetTable{}
	}
	at := (e.key >> (64 - tagSetBits)) * tagSetWays
	set := t.entries[at : at+tagSetWays]
	copy(set[1:], set)
	set[0] = e
}

// hashTagSection hashes a tag section: its length and its bytes, eight at
// a time, mixed by multiplication. (A stronger hash is not needed: every
// hit is checked against the bytes.)
func hashTagSection(b []byte) uint64 {
	const m1, m2 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	h := uint64(len(b)) * m1
	if len(b) < 8 {
		for _, c := range b {
			h = (h ^ uint64(c)) * m2
		}
		return h ^ h>>31
	}
	last := binary.LittleEndian.Uint64(b[len(b)-8:])
	for len(b) > 8 {
		hi, lo := bits.Mul64(h^binary.LittleEndian.Uint64(b), m2)
		h = hi ^ lo
		b = b[8:]
	}
	hi, lo := bits.Mul64(h^last, m1)
	return hi ^ lo
}

// tagSectionIs reports whether sec is exactly the tags ts written as a
// tag section: ",k1=v1,k2=v2" in the order of ts. Fast-path keys and values
// hold no comma or equals sign, so sec is then byte for byte the section
// ts were decoded from.
func tagSectionIs(sec []byte, ts []Tag) bool {
	for i := range ts {
		k, v := ts[i].Key, ts[i].Value
		n := 2 + len(k) + len(v)
		if len(sec) < n || sec[0] != ',' || sec[1+len(k)] != '=' ||
			string(sec[1:1+len(k)]) != k || string(sec[2+len(k):n]) != v {
			return false
		}
		sec = sec[n:]
	}
	return len(sec) == 0
}

// appendTag appends t to the tag slice being built in lp's tag block from
// start on (see appendInBlock), counting the blocks it starts for the
// tag-set table's bound.
func (lp *lineParser) appendTag(start int, t Tag) int {
	if len(lp.tags) == cap(lp.tags) && lp.tagSets != nil {
		lp.tagSets.blocks++
	}
	lp.tags, start = appendInBlock(lp.tags, start, t)
	return start
}

// cacheTags sorts the n tags of a good line — in the tag block from start
// on, in the line's order, with no key twice — and records them in the
// tag-set table under their section's key. When the line's order is not
// the sorted one, a copy in that order follows them in the block.
func (lp *lineParser) cacheTags(key uint64, start, n int) Tags {
	tags := lp.tags[start : start+n : start+n]
	if n > maxCachedTags {
		return dedupTags(tags)
	}
	if tagsSorted(tags) {
		lp.tagSets.insert(tagSetEntry{key: key, tags: tags})
		return tags
	}
	for _, t := range tags {
		start = lp.appendTag(start, t) // the whole 2n move to a new block if need be
	}
	both := lp.tags[start : start+2*n : start+2*n]
	dedupTags(both[:n])
	lp.tagSets.insert(tagSetEntry{key: key | unsortedFlag, tags: both})
	return both[:n:n]
}

// tagsSorted reports whether the keys of ts are in increasing order.
func tagsSorted(ts Tags) bool {
	for i := 1; i < len(ts); i++ {
		if ts[i].Key <= ts[i-1].Key {
			return false
		}
	}
	return true
}
