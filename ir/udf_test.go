package ir_test

import (
	"strings"
	"testing"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

func TestApplyUDFInfo(t *testing.T) {
	src := `dbrp "db"."rp"
stream
    |from()
    @tTest()
        .field('hotend')
        .size(3600)
        .alpha(1)
        .extra('x')
    |window()
        .period(1m)
        .every(1m)
    |httpOut('x')
`
	p, err := lowerSource([]byte(src), ir.LowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ir.UDFNames(p); len(got) != 1 || got[0] != "tTest" {
		t.Fatalf("UDFNames = %v", got)
	}
	info := ir.UDFInfo{Wants: ir.StreamEdge, Provides: ir.BatchEdge, Options: map[string][]stdlib.Type{
		"field": {stdlib.TypeString},
		"size":  {stdlib.TypeInt},
		"alpha": {stdlib.TypeFloat},
	}}
	err = ir.ApplyUDFInfo(p, "tTest", info)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`in.tick:7:10: invalid value type for arg 1 of option alpha: got int expected float`,
		`in.tick:8:10: no option "extra" on UDF @tTest`,
		`in.tick:9:6: cannot add child mismatched edges: batch -> stream`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
	var udf *ir.Node
	for _, n := range p.Nodes {
		if n.Kind == ir.KindUDF {
			udf = n
		}
	}
	if udf.Wants != ir.StreamEdge || udf.Provides != ir.BatchEdge {
		t.Errorf("edges %s -> %s", udf.Wants, udf.Provides)
	}
}

func TestLowerWithUDFInfo(t *testing.T) {
	src := `dbrp "printer"."autogen"
var data = stream
    |from()
        .measurement('temperatures')
    |window()
        .period(5m)
        .every(5m)
data
    @tTest()
        .field('hotend')
    |alert()
        .crit(lambda: "pvalue" < 0.001)
stream
    |from()
    @tTest()
`
	info := ir.UDFInfo{Wants: ir.BatchEdge, Provides: ir.StreamEdge, Options: map[string][]stdlib.Type{"field": {stdlib.TypeString}}}
	_, err := lowerSource([]byte(src), ir.LowerOptions{UDFs: map[string]ir.UDFInfo{"tTest": info}})
	want := "in.tick:15:6: cannot add UDF @tTest to from: it wants a batch edge, got a stream edge"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	p, err := lowerSource([]byte(src[:strings.Index(src, "stream\n    |from()\n    @")]), ir.LowerOptions{UDFs: map[string]ir.UDFInfo{"tTest": info}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.ApplyUDFInfo(p, "tTest", info); err != nil {
		t.Fatal(err)
	}
	for _, n := range p.Nodes {
		switch n.Kind {
		case ir.KindUDF:
			if n.Wants != ir.BatchEdge || n.Provides != ir.StreamEdge {
				t.Errorf("UDF edges %s -> %s, want batch -> stream", n.Wants, n.Provides)
			}
		case ir.KindAlert:
			if n.Wants != ir.StreamEdge {
				t.Errorf("the alert below the UDF wants a %s edge, want stream", n.Wants)
			}
		}
	}
}
