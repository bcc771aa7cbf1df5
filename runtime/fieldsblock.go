package runtime

// fieldsBlockLen is the number of fields per block of a FieldsBlock: as in
// the line protocol decoder's blocks, a retained point keeps its whole block
// alive (a few kilobytes at worst), and one allocation serves many points.
const fieldsBlockLen = 64

// FieldsBlock hands out new field sets carved from larger blocks, so that a
// node that builds a new Fields for each point (an eval) allocates once per
// many points rather than once per point. Memory it hands out is never handed
// out again: a point retained downstream keeps its fields. Each Fields it
// returns has its capacity capped at its length, so appending to it copies
// rather than writing into the next one. The zero FieldsBlock is ready to
// use; it is not safe for concurrent use.
type FieldsBlock struct {
	free Fields // the unused rest of the current block
}

// Make returns a new Fields of length n, its entries zero, for the caller to
// fill in key order.
func (b *FieldsBlock) Make(n int) Fields {
	if n > len(b.free) {
		b.free = make(Fields, max(fieldsBlockLen, n))
	}
	fs := b.free[:n:n]
	b.free = b.free[n:]
	return fs
}
