package ir

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// A tiny builder for expressions, so these tests do not depend on the parser.
func lit(v stdlib.Value) Expr               { return &Literal{Value: v} }
func flt(f float64) Expr                    { return lit(stdlib.Float(f)) }
func num(i int64) Expr                      { return lit(stdlib.Int(i)) }
func str(s string) Expr                     { return lit(stdlib.String(s)) }
func boolean(b bool) Expr                   { return lit(stdlib.Bool(b)) }
func ref(name string) Expr                  { return &Ref{Name: name} }
func bin(x Expr, op stdlib.Op, y Expr) Expr { return NewBinary(Pos{}, op, x, y) }
func un(op stdlib.Op, x Expr) Expr          { return NewUnary(Pos{}, op, x) }
func fn(name string, args ...Expr) Expr     { return NewFuncCall(Pos{}, name, args) }

func fields(kv ...any) map[string]stdlib.Value {
	m := map[string]stdlib.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(stdlib.Value)
	}
	return m
}

func TestEvalExpr(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()
	p := Point{
		Time:   time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC).UnixNano(),
		Fields: fields("usage", stdlib.Float(92.5), "n", stdlib.Int(3), "ok", stdlib.Bool(false)),
		Tags:   map[string]string{"host": "srv1"},
	}
	tests := []struct {
		name string
		e    Expr
		want stdlib.Value
	}{
		{"field comparison", bin(ref("usage"), stdlib.OpGt, flt(90)), stdlib.Bool(true)},
		{"tag equality", bin(ref("host"), stdlib.OpEq, str("srv1")), stdlib.Bool(true)},
		{"int and float compare", bin(ref("n"), stdlib.OpLt, flt(3.5)), stdlib.Bool(true)},
		{"time function", fn("hour", &TimeRef{}), stdlib.Int(7)},
		{"regex", bin(ref("host"), stdlib.OpRegexMatch, lit(stdlib.Regex(regexp.MustCompile(`^srv\d$`)))), stdlib.Bool(true)},
		{"AND short-circuits", bin(ref("ok"), stdlib.OpAnd, bin(ref("nope"), stdlib.OpGt, flt(1))), stdlib.Bool(false)},
		{"OR short-circuits", bin(un(stdlib.OpNot, ref("ok")), stdlib.OpOr, bin(ref("nope"), stdlib.OpGt, flt(1))), stdlib.Bool(true)},
		{"isPresent", fn("isPresent", ref("nope")), stdlib.Bool(false)},
		{"if", fn("if", ref("ok"), str("a"), str("b")), stdlib.String("b")},
		{"nested math", bin(bin(ref("n"), stdlib.OpMul, num(2)), stdlib.OpAdd, num(1)), stdlib.Int(7)},
		{"negation", un(stdlib.OpNeg, ref("usage")), stdlib.Float(-92.5)},
	}
	for _, tt := range tests {
		got, err := EvalExpr(tt.e, p)
		if err != nil {
			t.Errorf("%s: %s: %v", tt.name, tt.e, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("%s: %s = %v, want %v", tt.name, tt.e, got, tt.want)
		}
	}
}

func TestEvalExprErrors(t *testing.T) {
	p := Point{
		Fields: fields("b", stdlib.Bool(false), "host", stdlib.String("x"), "v", stdlib.Int(1)),
		Tags:   map[string]string{"host": "srv1"},
	}
	tests := []struct {
		name string
		e    Expr
		want string
	}{
		{"missing reference checked before short-circuit", bin(ref("b"), stdlib.OpAnd, ref("nope")), `right reference value "nope" is missing value`},
		{"field and tag clash", bin(ref("host"), stdlib.OpEq, str("a")), `cannot have field and tags with same name "host"`},
		{"clash even in a skipped branch", bin(ref("b"), stdlib.OpAnd, bin(ref("host"), stdlib.OpEq, str("a"))), `cannot have field and tags with same name "host"`},
		{"int division by zero", bin(ref("v"), stdlib.OpDiv, num(0)), "runtime error: integer divide by zero"},
		{"signature with argument text", fn("sqrt", ref("v")), `Cannot call function "sqrt" with args ("v": int)`},
		{"undefined function", fn("nope"), `undefined function: "nope"`},
		{"mixed arithmetic", bin(ref("v"), stdlib.OpAdd, flt(1)), "mismatched type to binary operator. got int + float"},
	}
	for _, tt := range tests {
		_, err := EvalExpr(tt.e, p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %s: error %v, want %q", tt.name, tt.e, err, tt.want)
		}
	}
}

func TestExprInstanceState(t *testing.T) {
	// count() + count() shares one counter: 1 + 2 on the first point, 3 + 4 on
	// the second.
	e := bin(fn("count"), stdlib.OpAdd, fn("count"))
	in := NewExprInstance(e)
	var got stdlib.Value
	for i := 0; i < 2; i++ {
		got, _ = in.Eval(Point{})
	}
	if got.Int() != 7 {
		t.Errorf("count() + count() on the second point = %v, want 7", got)
	}
	if len(StatefulFuncs(e)) != 1 {
		t.Errorf("StatefulFuncs = %v, want one", StatefulFuncs(e))
	}

	// A type error leaves the state alone: Kapacitor checks types first.
	e = bin(fn("count"), stdlib.OpAdd, ref("n"))
	in = NewExprInstance(e)
	in.Eval(Point{Fields: fields("n", stdlib.Int(0))})
	if _, err := in.Eval(Point{Fields: fields("n", stdlib.Float(0))}); err == nil {
		t.Fatal("count() + float: no error")
	}
	got, err := in.Eval(Point{Fields: fields("n", stdlib.Int(0))})
	if err != nil || got.Int() != 2 {
		t.Errorf("count() after a failed point = %v, %v; want 2", got, err)
	}

	// Two instances keep separate state.
	a, b := NewExprInstance(fn("count")), NewExprInstance(fn("count"))
	a.Eval(Point{})
	a.Eval(Point{})
	if v, _ := b.Eval(Point{}); v.Int() != 1 {
		t.Errorf("fresh instance count() = %v, want 1", v)
	}
}

func TestFoldExpr(t *testing.T) {
	tests := []struct {
		e    Expr
		want string
	}{
		{bin(flt(1), stdlib.OpAdd, flt(2)), "3.0"},
		{bin(ref("x"), stdlib.OpGt, bin(num(5), stdlib.OpMul, num(2))), `"x" > 10`},
		{fn("string", bin(lit(stdlib.Duration(time.Hour)), stdlib.OpAdd, lit(stdlib.Duration(30*time.Minute)))), "'90m'"},
		{fn("sigma", flt(1)), "sigma(1.0)"},
		{bin(fn("rand", num(5)), stdlib.OpAdd, num(1)), "rand(5) + 1"},
		{fn("hour", fn("now")), "hour(now())"},
		{bin(num(1), stdlib.OpDiv, num(0)), "1 / 0"},
		{un(stdlib.OpNot, boolean(true)), "FALSE"},
		{bin(ref("x"), stdlib.OpAnd, bin(flt(1), stdlib.OpLt, flt(2))), `"x" AND TRUE`},
	}
	for _, tt := range tests {
		if got := FoldExpr(tt.e).String(); got != tt.want {
			t.Errorf("FoldExpr(%s) = %s, want %s", tt.e, got, tt.want)
		}
	}
	at := Pos{Line: 3, Column: 7}
	folded := FoldExpr(NewBinary(at, stdlib.OpAdd, num(1), num(2)))
	if folded.Pos() != at {
		t.Errorf("folded position %v, want %v", folded.Pos(), at)
	}
}

func TestExprString(t *testing.T) {
	tests := []struct {
		e    Expr
		want string
	}{
		{bin(bin(num(1), stdlib.OpAdd, num(2)), stdlib.OpMul, num(3)), "(1 + 2) * 3"},
		{bin(num(1), stdlib.OpSub, bin(num(2), stdlib.OpSub, num(3))), "1 - (2 - 3)"},
		{bin(bin(num(1), stdlib.OpSub, num(2)), stdlib.OpSub, num(3)), "1 - 2 - 3"},
		{un(stdlib.OpNeg, bin(ref("a"), stdlib.OpAdd, flt(1.5))), `-("a" + 1.5)`},
		{fn("strContains", str("it's"), lit(stdlib.Regex(regexp.MustCompile(`a/b`)))), `strContains('it\'s', /a\/b/)`},
		{lit(stdlib.Duration(90 * time.Second)), "90s"},
		{lit(stdlib.Duration(1500)), "(1500u / 1000)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
	if got := ArgText(bin(lit(stdlib.Duration(15*time.Microsecond)), stdlib.OpDiv, num(1000))); got != "15µs / 1000" {
		t.Errorf("ArgText = %q", got)
	}
}

func TestEvalExprArgumentErrors(t *testing.T) {
	p := Point{Fields: fields("z", stdlib.Int(0), "s", stdlib.String("abc"))}
	tests := []struct {
		e    Expr
		want string
	}{
		{fn("abs", bin(ref("nope"), stdlib.OpAdd, flt(1))), "Failed to handle 1 argument: invalid math operator + for type missing"},
		{fn("string", bin(num(1), stdlib.OpDiv, ref("z"))), "runtime error: integer divide by zero"},
		{fn("strLength", fn("strSubstring", ref("s"), num(0), num(9))),
			`Failed to handle 1 argument: error calling "strSubstring": stop index too large for string in strSubstring: 9`},
		{fn("abs", un(stdlib.OpNeg, ref("nope"))), `Cannot call function "abs" argument -"nope" is missing`},
	}
	for _, tt := range tests {
		_, err := EvalExpr(tt.e, p)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.e, err, tt.want)
		}
	}
}
