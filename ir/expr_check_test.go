package ir

import (
	"errors"
	"strings"
	"testing"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// lowerSrc parses and lowers src as a lambda body in a file named l.tick.
func lowerSrc(t *testing.T, src string, scope Scope) (Expr, error) {
	t.Helper()
	x, file, err := parser.ParseExprFile("l.tick", []byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return LowerExpr(x, file, scope)
}

func TestCheckExprErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // "" for no compile error
	}{
		{`5.0 % 2.0`, "l.tick:1:5: invalid math operator % for type float"},
		{`1 + 1.0`, "l.tick:1:3: mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"},
		{`TRUE AND 1`, "l.tick:1:6: mismatched type to binary operator. got boolean AND int"},
		{`"a" > 5 AND 3`, "l.tick:1:9: mismatched type to binary operator. got boolean AND int"},
		{`'x' + 1`, "l.tick:1:5: mismatched type to binary operator. got string + int"},
		{`1h % 7m`, "l.tick:1:4: invalid math operator % for type duration"},
		{`!"x" OR 5`, "l.tick:1:6: mismatched type to binary operator. got boolean OR int"},
		{`(5u / 1000) OR 5`, "invalid logical operator OR for type duration"},
		{`"x" + 1`, ""},
		{`sigma(5)`, ""},
		{`!5`, ""},
		{`-'a'`, ""},
		{`sqrt("x") + 1`, ""},
		{`-"x" + 1.0`, ""},
		{`"a" > 5 AND "b" < 3`, ""},
	}
	for _, tt := range tests {
		e, err := lowerSrc(t, tt.src, nil)
		if err != nil {
			t.Errorf("%s: lower: %v", tt.src, err)
			continue
		}
		errs, _ := CheckExpr(e)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%s: unexpected error %v", tt.src, errs)
		case tt.want != "" && (len(errs) == 0 || !strings.Contains(errs.Error(), tt.want)):
			t.Errorf("%s: errors %v, want %q", tt.src, errs, tt.want)
		}
	}
}

func TestCheckExprWarnings(t *testing.T) {
	tests := []struct {
		src  string
		want string // "" for no warning
	}{
		{`sigma(5)`, `l.tick:1:1: Cannot call function "sigma" with args (5: int)`},
		{`strLength(1 + 2)`, `Cannot call function "strLength" with args (1 + 2: int)`},
		{`!5`, "TypeGuard: expression returned unexpected type int, expected boolean"},
		{`TRUE AND sqrt(2.0)`, "mismatched type to binary operator. got boolean AND float"},
		{`yosi()`, `undefined function: "yosi"`},
		{`sqrt("a", "b")`, `cannot call function "sqrt" with args ("a": dynamic,"b": dynamic), available signatures are [(float)]`},
		{`if("b", 1, 2.0)`, `cannot call function "if" with args ("b": dynamic,1: int,2: float)`},
		{`sqrt("x")`, ""},
		{`hour("time") == 3`, ""},
		{`if("b", 1, 2) > 1`, ""},
	}
	for _, tt := range tests {
		e, err := lowerSrc(t, tt.src, nil)
		if err != nil {
			t.Errorf("%s: lower: %v", tt.src, err)
			continue
		}
		_, warns := CheckExpr(e)
		switch {
		case tt.want == "" && len(warns) > 0:
			t.Errorf("%s: unexpected warning %v", tt.src, warns)
		case tt.want != "" && (len(warns) == 0 || !strings.Contains(warns.Error(), tt.want)):
			t.Errorf("%s: warnings %v, want %q", tt.src, warns, tt.want)
		}
	}
}

func TestLowerExprScope(t *testing.T) {
	body, err := lowerSrc(t, `"usage" > 90.0`, nil)
	if err != nil {
		t.Fatal(err)
	}
	scope := func(name string) (Expr, bool, error) {
		switch name {
		case "t":
			return &Literal{Value: stdlib.Float(5)}, true, nil
		case "hot":
			return body, true, nil
		case "hosts":
			return nil, true, errors.New(`cannot use list var "hosts" in an expression`)
		}
		return nil, false, nil
	}

	e, err := lowerSrc(t, `"v" > t`, scope)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.String(); got != `"v" > 5.0` {
		t.Errorf("substituted: %s", got)
	}
	if p := e.(*Binary).Y.Pos(); p.Line != 1 || p.Column != 7 {
		t.Errorf("substituted literal at %v, want the identifier's position 1:7", p)
	}

	e, err = lowerSrc(t, `hot AND "ok"`, scope)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.String(); got != `"usage" > 90.0 AND "ok"` {
		t.Errorf("lambda var: %s", got)
	}

	_, err = lowerSrc(t, `"v" > u + hosts`, scope)
	var list parser.ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("errors = %v, want two", err)
	}
	if got := list[0].Error(); got != `l.tick:1:7: name "u" is undefined` {
		t.Errorf("first error %q", got)
	}
	if got := list[1].Error(); got != `l.tick:1:11: cannot use list var "hosts" in an expression` {
		t.Errorf("second error %q", got)
	}
}

func TestLowerExprNodes(t *testing.T) {
	e, err := lowerSrc(t, `-("x" + 1) < 2 AND "time" != "time" OR !isPresent("y") AND "s" =~ /a\/b/`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	Walk(e, func(x Expr) {
		switch x := x.(type) {
		case *Binary:
			kinds = append(kinds, x.Op.String())
		case *Unary:
			kinds = append(kinds, "unary"+x.Op.String())
		case *Ref:
			kinds = append(kinds, "ref:"+x.Name)
		case *TimeRef:
			kinds = append(kinds, "time")
		case *FuncCall:
			kinds = append(kinds, "call:"+x.Name)
		case *Literal:
			kinds = append(kinds, x.Value.Type().String())
		}
	})
	want := "OR AND < unary- + ref:x int int != time time AND unary! call:isPresent ref:y =~ ref:s regex"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("tree:\n got %s\nwant %s", got, want)
	}
	if e.Type() != stdlib.TypeBool {
		t.Errorf("type %v, want boolean", e.Type())
	}
	if got := Refs(e); strings.Join(got, ",") != "x,y,s" {
		t.Errorf("Refs = %v", got)
	}
	c := e.(*Binary).Y.(*Binary).X.(*Unary).X.(*FuncCall)
	if c.Func != stdlib.Lookup("isPresent") || c.Type() != stdlib.TypeBool {
		t.Errorf("isPresent resolved to %v of type %v", c.Func, c.Type())
	}
}
