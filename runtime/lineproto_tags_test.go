package runtime

import (
	"fmt"
	"slices"
	"testing"
)

// mustParseFast decodes line with the fast decoder, failing the test if it
// declines it.
func mustParseFast(t *testing.T, lp *lineParser, line string) Point {
	t.Helper()
	p, ok := lp.parseFast([]byte(line), 1, 0)
	if !ok {
		t.Fatalf("%q declined by the fast decoder", line)
	}
	return p
}

// TestTagSetTable checks the tag-set table of the fast decoder: a repeated
// tag section gives the earlier point's Tags, a section written in another
// order is decoded anew, an entry whose hash matches but whose bytes do not
// is not used, and an emptied table decodes again.
func TestTagSetTable(t *testing.T) {
	lp := &lineParser{strs: map[string]string{}}
	want := Tags{{"dc", "x"}, {"host", "a"}}
	first := mustParseFast(t, lp, "cpu,host=a,dc=x value=1 1")
	second := mustParseFast(t, lp, "mem,host=a,dc=x used=2i,free=3i 2")
	if !slices.Equal(first.Tags, want) || !slices.Equal(second.Tags, want) {
		t.Fatalf("tags %v and %v, want %v", first.Tags, second.Tags, want)
	}
	if &first.Tags[0] != &second.Tags[0] {
		t.Error("the same tag section gave two Tags slices")
	}
	if second.Name != "mem" || second.Time != 2 || len(second.Fields) != 2 || second.Fields[0].Key != "free" {
		t.Errorf("second point %+v", second)
	}
	sorted := mustParseFast(t, lp, "cpu,dc=x,host=a value=1 3")
	if !slices.Equal(sorted.Tags, want) || &sorted.Tags[0] == &first.Tags[0] {
		t.Errorf("section in sorted order: tags %v, shared %v", sorted.Tags, &sorted.Tags[0] == &first.Tags[0])
	}
	if again := mustParseFast(t, lp, "cpu,host=a,dc=x value=1 4"); &again.Tags[0] != &first.Tags[0] {
		t.Error("an unsorted section was not found again")
	}

	// An entry under the hash of ",host=b" that is not its tags: the bytes
	// decide.
	lp.tagSets.insert(tagSetEntry{key: hashTagSection([]byte(",host=b")) &^ unsortedFlag, tags: Tags{{"host", "a"}}})
	if p := mustParseFast(t, lp, "cpu,host=b v=1 1"); !slices.Equal(p.Tags, Tags{{"host", "b"}}) {
		t.Errorf("planted entry: tags %v", p.Tags)
	}
	// Sections that are prefixes of each other.
	if p := mustParseFast(t, lp, "cpu,host=bb v=1 1"); !slices.Equal(p.Tags, Tags{{"host", "bb"}}) {
		t.Errorf("longer section: tags %v", p.Tags)
	}

	// Past maxTagSetBlocks started blocks, the next new section empties the
	// table; a section seen before is then decoded again, equal.
	lp.tagSets.blocks = maxTagSetBlocks
	mustParseFast(t, lp, "cpu,host=c v=1 1")
	if n := tagSetEntries(lp.tagSets); n != 1 {
		t.Fatalf("%d entries after emptying the table and one new section", n)
	}
	if again := mustParseFast(t, lp, "cpu,host=a,dc=x value=1 1"); !slices.Equal(again.Tags, want) || &again.Tags[0] == &first.Tags[0] {
		t.Errorf("after emptying: tags %v, shared %v", again.Tags, &again.Tags[0] == &first.Tags[0])
	}
}

// tagSetEntries counts the table's non-empty entries.
func tagSetEntries(t *tagSetTable) int {
	n := 0
	for _, e := range t.entries {
		if e.tags != nil {
			n++
		}
	}
	return n
}

// TestTagSetTableBound decodes more distinct tag sections than the table
// may keep blocks for: it is emptied on the way, its entries stay within
// the blocks started since, and every point keeps its own tags.
func TestTagSetTableBound(t *testing.T) {
	lp := &lineParser{strs: map[string]string{}}
	const n = maxTagSetBlocks * blockLen
	var pts []Point
	for i := range n {
		pts = append(pts, mustParseFast(t, lp, fmt.Sprintf("m,b=%d,a=x v=1 %d", i, i)))
		if lp.tagSets.blocks > maxTagSetBlocks {
			t.Fatalf("line %d: %d blocks since the table was emptied", i, lp.tagSets.blocks)
		}
	}
	// Every entry's tags are in one of the blocks started since the table
	// was emptied, or the one current then.
	perBlock := cap(slices.Grow(Tags(nil), blockLen))
	if e := tagSetEntries(lp.tagSets); e == 0 || e > (lp.tagSets.blocks+1)*perBlock {
		t.Errorf("%d entries in %d blocks", e, lp.tagSets.blocks+1)
	}
	for i, p := range pts {
		if want := (Tags{{"a", "x"}, {"b", fmt.Sprint(i)}}); !slices.Equal(p.Tags, want) {
			t.Fatalf("point %d: tags %v, want %v", i, p.Tags, want)
		}
	}
}

// TestHashTagSection checks that the hash sees every byte and the length.
func TestHashTagSection(t *testing.T) {
	seen := map[uint64]string{}
	for _, s := range []string{",a=1", ",a=2", ",b=1", ",a=1 ", ",host=host1", ",host=host2", ",host=2host",
		",host=host12,dc=eu", ",host=host12,dc=us", ",host=host13,dc=eu", ",h=12345678", ",h=1234567", ",h=123456789"} {
		h := hashTagSection([]byte(s))
		if other, ok := seen[h]; ok {
			t.Errorf("%q and %q hash alike", s, other)
		}
		seen[h] = s
	}
}
