package runtime

import (
	"testing"

	"github.com/tickc/tickc/stdlib"
)

// TestFieldsBlockHandsOutDisjointSets checks that field sets carved from one
// block never share memory: filling or appending to one leaves the others
// as they were.
func TestFieldsBlockHandsOutDisjointSets(t *testing.T) {
	var b FieldsBlock
	var sets []Fields
	for i := range 3 * fieldsBlockLen {
		n := 1 + i%3
		fs := b.Make(n)
		if len(fs) != n || cap(fs) != n {
			t.Fatalf("Make(%d): len %d cap %d", n, len(fs), cap(fs))
		}
		for j := range fs {
			if fs[j].Key != "" || !fs[j].Value.IsMissing() {
				t.Fatalf("Make(%d)[%d] = %+v, want zero", n, j, fs[j])
			}
			fs[j] = Field{Key: "f", Value: stdlib.Int(int64(i))}
		}
		sets = append(sets, fs)
	}
	grown := append(sets[0], Field{Key: "g", Value: stdlib.Int(-1)})
	grown[0].Value = stdlib.Int(-2)
	for i, fs := range sets {
		for _, f := range fs {
			if f.Value.Int() != int64(i) {
				t.Fatalf("set %d holds %v, want %d", i, f.Value, i)
			}
		}
	}
	if big := b.Make(2 * fieldsBlockLen); len(big) != 2*fieldsBlockLen {
		t.Fatalf("Make of more than a block: len %d", len(big))
	}
}

// TestFieldsBlockAllocatesPerBlock checks that one allocation serves many
// field sets.
func TestFieldsBlockAllocatesPerBlock(t *testing.T) {
	var b FieldsBlock
	allocs := testing.AllocsPerRun(10, func() {
		for range fieldsBlockLen {
			b.Make(1)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations per %d field sets, want at most 1", allocs, fieldsBlockLen)
	}
}
