package runtime

import "testing"

func TestDeleteStream(t *testing.T) {
	n := NewDelete(nil, NodeInfo{Name: "delete1"}, DeleteConfig{Fields: []string{"anothervalue"}, Tags: []string{"type"}})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, mkTags("host=a", "type=idle"), mkFields("value", 9.0, "anothervalue", 4.2), "host", "type"))
	n.Point(mkPoint(2, mkTags("host=b"), mkFields("value", 6.0), "host"))
	n.Barrier("host=a", secs(3))
	n.DeleteGroup("host=a")
	n.Done()
	r.check(t,
		`cpu "host=a" 1s {host=a} {value=9} dims=[host]`,
		`cpu "host=b" 2s {host=b} {value=6} dims=[host]`,
		`barrier "host=a" 3s`,
		`delete "host=a"`,
		"done",
	)
	if n.FieldsDeleted != 1 || n.TagsDeleted != 1 {
		t.Errorf("deleted %d fields and %d tags, want 1 and 1", n.FieldsDeleted, n.TagsDeleted)
	}
}

func TestDeleteBatch(t *testing.T) {
	n := NewDelete(nil, NodeInfo{Name: "delete1"}, DeleteConfig{Fields: []string{"x"}, Tags: []string{"type"}})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, mkTags("host=a", "type=idle"), mkBP(1, mkTags("host=a", "type=idle"), mkFields("v", 1.0, "x", 2.0))))
	r.check(t, `batch cpu "host=a" 10s {host=a} [1s {host=a} {v=1}]`)
}

func TestDeleteConformance(t *testing.T) {
	checkStreamCase(t, "TestStream_Delete", FromConfig{Measurement: "cpu"},
		NewDelete(nil, NodeInfo{}, DeleteConfig{Fields: []string{"anothervalue"}, Tags: []string{"type"}}),
		NewGroupBy(nil, NodeInfo{}, GroupByConfig{All: true}))
}
