package runtime

import (
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func TestDefaultStream(t *testing.T) {
	n := NewDefault(nil, NodeInfo{Name: "default1"}, DefaultConfig{
		Fields: []Field{{Key: "value", Value: stdlib.Float(1)}, {Key: "n", Value: stdlib.Int(0)}},
		Tags:   []Tag{{Key: "host", Value: "serverA"}},
	})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, mkTags("host=b"), mkFields("value", 5.0, "n", 3), "host"))
	n.Point(mkPoint(2, nil, mkFields("other", 5.0), "host"))
	n.Point(mkPoint(3, mkTags("host="), mkFields("value", 2.0), "host"))
	r.check(t,
		`cpu "host=b" 1s {host=b} {n=3i,value=5} dims=[host]`,
		`cpu "host=serverA" 2s {host=serverA} {n=0i,other=5,value=1} dims=[host]`,
		`cpu "host=serverA" 3s {host=serverA} {n=0i,value=2} dims=[host]`,
	)
	if n.FieldsDefaulted != 3 || n.TagsDefaulted != 2 {
		t.Errorf("defaulted %d fields and %d tags, want 3 and 2", n.FieldsDefaulted, n.TagsDefaulted)
	}
}

func TestDefaultBatch(t *testing.T) {
	n := NewDefault(nil, NodeInfo{Name: "default1"}, DefaultConfig{
		Fields: []Field{{Key: "value", Value: stdlib.Float(1)}},
		Tags:   []Tag{{Key: "dc", Value: "x"}},
	})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, mkTags("host=a"), mkBP(1, mkTags("host=a"), nil), mkBP(2, mkTags("host=a", "dc=y"), mkFields("value", 2.0))))
	// The defaulted batch tag becomes a dimension of the batch.
	r.check(t, `batch cpu "dc=x,host=a" 10s {dc=x,host=a} [1s {dc=x,host=a} {value=1}; 2s {dc=y,host=a} {value=2}]`)
	if got := r.bts[0].Dimensions.TagNames; len(got) != 2 || got[0] != "dc" {
		t.Errorf("dimensions = %v, want [dc host]", got)
	}
}

func TestDefaultConformance(t *testing.T) {
	checkStreamCase(t, "TestStream_DefaultEmptyTags", FromConfig{Measurement: "cpu"},
		NewDefault(nil, NodeInfo{}, DefaultConfig{Tags: []Tag{{Key: "host", Value: ""}}}),
		NewDefault(nil, NodeInfo{}, DefaultConfig{Tags: []Tag{{Key: "host", Value: "serverA"}}}),
		NewDefault(nil, NodeInfo{}, DefaultConfig{Tags: []Tag{{Key: "host", Value: "serverB"}}}))
}
