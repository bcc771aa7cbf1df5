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
