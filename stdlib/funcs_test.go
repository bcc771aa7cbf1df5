package stdlib

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// call calls the builtin name through the table, with a fresh state for a
// stateful one.
func call(t *testing.T, name string, args ...Value) (Value, error) {
	t.Helper()
	f := Lookup(name)
	if f == nil {
		t.Fatalf("Lookup(%q) = nil", name)
	}
	if f.Stateful {
		return f.NewState().Call(args...)
	}
	return f.Impl(args...)
}

func TestFuncTable(t *testing.T) {
	all := Funcs()
	if len(all) != 83 {
		t.Errorf("%d functions, want 83", len(all))
	}
	stateful := 0
	for _, f := range all {
		if f.Stateful {
			stateful++
			if f.NewState == nil || f.Impl != nil || f.Pure {
				t.Errorf("%s: stateful entry must have NewState only and not be pure", f.Name)
			}
		} else if f.Impl == nil {
			t.Errorf("%s: no implementation", f.Name)
		}
		if f.GoName == "" || len(f.Sigs) == 0 {
			t.Errorf("%s: GoName %q, %d signatures", f.Name, f.GoName, len(f.Sigs))
		}
		if Lookup(f.Name) != f {
			t.Errorf("Lookup(%q) does not return the table entry", f.Name)
		}
	}
	if stateful != 4 {
		t.Errorf("%d stateful functions, want 4", stateful)
	}
	if Lookup("now").Pure {
		t.Error("now() must not be pure")
	}
	if Lookup("nope") != nil {
		t.Error(`Lookup("nope") != nil`)
	}
}

func TestFuncResults(t *testing.T) {
	re := Regex(regexp.MustCompile(`(\w+)@(\w+)`))
	// 2021-03-04T05:06:07Z, a Thursday.
	tm := Time(time.Date(2021, 3, 4, 5, 6, 7, 8, time.UTC).UnixNano())
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()

	tests := []struct {
		name string
		args []Value
		want Value
	}{
		{"bool", []Value{Bool(true)}, Bool(true)},
		{"bool", []Value{String("F")}, Bool(false)},
		{"bool", []Value{Int(1)}, Bool(true)},
		{"bool", []Value{Float(0)}, Bool(false)},
		{"int", []Value{Float(-2.9)}, Int(-2)},
		{"int", []Value{String("-42")}, Int(-42)},
		{"int", []Value{Bool(true)}, Int(1)},
		{"int", []Value{Int(7)}, Int(7)},
		{"float", []Value{Int(3)}, Float(3)},
		{"float", []Value{String("2.5")}, Float(2.5)},
		{"float", []Value{Bool(false)}, Float(0)},
		{"string", []Value{Float(1)}, String("1")},
		{"string", []Value{Float(1000000)}, String("1000000")},
		{"string", []Value{Float(0.1)}, String("0.1")},
		{"string", []Value{Int(-42)}, String("-42")},
		{"string", []Value{Bool(false)}, String("false")},
		{"string", []Value{Duration(90 * time.Minute)}, String("90m")},
		{"string", []Value{String("x")}, String("x")},
		{"duration", []Value{Duration(time.Hour)}, Duration(time.Hour)},
		{"duration", []Value{Int(5), Duration(time.Minute)}, Duration(5 * time.Minute)},
		{"duration", []Value{Float(1.5), Duration(time.Second)}, Duration(1500 * time.Millisecond)},
		{"duration", []Value{String("5m"), Duration(time.Second)}, Duration(5 * time.Minute)},
		{"abs", []Value{Float(-2)}, Float(2)},
		{"acos", []Value{Float(1)}, Float(0)},
		{"acosh", []Value{Float(1)}, Float(0)},
		{"asin", []Value{Float(0)}, Float(0)},
		{"asinh", []Value{Float(0)}, Float(0)},
		{"atan", []Value{Float(0)}, Float(0)},
		{"atanh", []Value{Float(0)}, Float(0)},
		{"cbrt", []Value{Float(27)}, Float(3)},
		{"ceil", []Value{Float(1.2)}, Float(2)},
		{"cos", []Value{Float(0)}, Float(1)},
		{"cosh", []Value{Float(0)}, Float(1)},
		{"erf", []Value{Float(0)}, Float(0)},
		{"erfc", []Value{Float(0)}, Float(1)},
		{"exp", []Value{Float(0)}, Float(1)},
		{"exp2", []Value{Float(3)}, Float(8)},
		{"expm1", []Value{Float(0)}, Float(0)},
		{"floor", []Value{Float(-1.5)}, Float(-2)},
		{"gamma", []Value{Float(5)}, Float(24)},
		{"j0", []Value{Float(0)}, Float(1)},
		{"j1", []Value{Float(0)}, Float(0)},
		{"log", []Value{Float(1)}, Float(0)},
		{"log10", []Value{Float(1000)}, Float(3)},
		{"log1p", []Value{Float(0)}, Float(0)},
		{"log2", []Value{Float(8)}, Float(3)},
		{"logb", []Value{Float(8)}, Float(3)},
		{"sin", []Value{Float(0)}, Float(0)},
		{"sinh", []Value{Float(0)}, Float(0)},
		{"sqrt", []Value{Float(16)}, Float(4)},
		{"tan", []Value{Float(0)}, Float(0)},
		{"tanh", []Value{Float(0)}, Float(0)},
		{"trunc", []Value{Float(-1.7)}, Float(-1)},
		{"y0", []Value{Float(1)}, Float(math.Y0(1))},
		{"y1", []Value{Float(1)}, Float(math.Y1(1))},
		{"atan2", []Value{Float(0), Float(1)}, Float(0)},
		{"hypot", []Value{Float(3), Float(4)}, Float(5)},
		{"max", []Value{Float(3), Float(4)}, Float(4)},
		{"min", []Value{Float(3), Float(4)}, Float(3)},
		{"mod", []Value{Float(7), Float(4)}, Float(3)},
		{"pow", []Value{Float(2), Float(10)}, Float(1024)},
		{"pow10", []Value{Int(3)}, Float(1000)},
		{"jn", []Value{Int(0), Float(0)}, Float(1)},
		{"yn", []Value{Int(1), Float(1)}, Float(math.Yn(1, 1))},
		{"strContains", []Value{String("abc"), String("b")}, Bool(true)},
		{"strContainsAny", []Value{String("abc"), String("xyc")}, Bool(true)},
		{"strHasPrefix", []Value{String("abc"), String("ab")}, Bool(true)},
		{"strHasSuffix", []Value{String("abc"), String("ab")}, Bool(false)},
		{"strCount", []Value{String("cheese"), String("e")}, Int(3)},
		{"strIndex", []Value{String("chicken"), String("ken")}, Int(4)},
		{"strIndexAny", []Value{String("golang"), String("ny")}, Int(4)},
		{"strLastIndex", []Value{String("go gopher"), String("go")}, Int(3)},
		{"strLastIndexAny", []Value{String("go gopher"), String("go")}, Int(4)},
		{"strTrim", []Value{String("xxhixx"), String("x")}, String("hi")},
		{"strTrimLeft", []Value{String("xxhixx"), String("x")}, String("hixx")},
		{"strTrimRight", []Value{String("xxhixx"), String("x")}, String("xxhi")},
		{"strTrimPrefix", []Value{String("xxhi"), String("x")}, String("xhi")},
		{"strTrimSuffix", []Value{String("hi.go"), String(".go")}, String("hi")},
		{"strToLower", []Value{String("HeLLo")}, String("hello")},
		{"strToUpper", []Value{String("HeLLo")}, String("HELLO")},
		{"strTrimSpace", []Value{String("  a b \n")}, String("a b")},
		{"strLength", []Value{String("héllo")}, Int(6)},
		{"strReplace", []Value{String("aaaa"), String("a"), String("b"), Int(2)}, String("bbaa")},
		{"strReplace", []Value{String("aaaa"), String("a"), String("b"), Int(-1)}, String("bbbb")},
		{"strSubstring", []Value{String("abcdef"), Int(1), Int(3)}, String("bc")},
		{"regexReplace", []Value{re, String("joe@example"), String("$2:$1")}, String("example:joe")},
		{"isPresent", []Value{MissingRef("x")}, Bool(false)},
		{"isPresent", []Value{Float(1)}, Bool(true)},
		{"if", []Value{Bool(true), Int(1), Int(2)}, Int(1)},
		{"if", []Value{Bool(false), String("a"), String("b")}, String("b")},
		{"unixNano", []Value{tm}, Int(tm.UnixNano())},
		{"minute", []Value{tm}, Int(6)},
		{"hour", []Value{tm}, Int(5)},
		{"weekday", []Value{tm}, Int(4)},
		{"day", []Value{tm}, Int(4)},
		{"month", []Value{tm}, Int(3)},
		{"year", []Value{tm}, Int(2021)},
		{"humanBytes", []Value{Float(1024)}, String("1.0 kB")},
		{"humanBytes", []Value{Int(82854982)}, String("83 MB")},
		{"sigma", []Value{Float(3)}, Float(0)},
		{"count", nil, Int(1)},
		{"spread", []Value{Float(3)}, Float(0)},
	}
	for _, tt := range tests {
		got, err := call(t, tt.name, tt.args...)
		if err != nil {
			t.Errorf("%s%v: %v", tt.name, tt.args, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.args, got, tt.want)
		}
	}
}

func TestFuncErrors(t *testing.T) {
	tests := []struct {
		name string
		args []Value
		want string
	}{
		{"abs", []Value{Int(-1)}, `Cannot call function "abs" with args (-1: int), available signatures are [(float)].`},
		{"sqrt", nil, `Cannot call function "sqrt" with args ()`},
		{"sqrt", []Value{MissingRef("nope")}, `Cannot call function "sqrt" argument "nope" is missing`},
		{"hypot", []Value{MissingRef("a"), MissingRef("b")}, `Cannot call function "hypot" arguments "a", "b" are missing`},
		{"sigma", []Value{Bool(true)}, `Cannot call function "sigma" with args (true: boolean)`},
		{"count", []Value{Int(1)}, `Cannot call function "count" with args (1: int)`},
		{"duration", []Value{String("5m")}, `Cannot call function "duration" with args (5m: string)`},
		{"duration", []Value{Int(1), Duration(time.Second), Int(1)}, `Cannot call function "duration" with args (1: int,1s: duration,1: int)`},
		{"if", []Value{Bool(true), Int(1), Float(1)}, `Cannot call function "if" with args (true: boolean,1: int,1: float)`},
		{"bool", []Value{Int(2)}, `error calling "bool": cannot convert 2 to boolean`},
		{"bool", []Value{Float(0.5)}, `error calling "bool": cannot convert 0.5 to boolean`},
		{"bool", []Value{String("yes")}, `error calling "bool": strconv.ParseBool: parsing "yes": invalid syntax`},
		{"int", []Value{String("2.5")}, `error calling "int": strconv.ParseInt: parsing "2.5": invalid syntax`},
		{"float", []Value{String("abc")}, `error calling "float": strconv.ParseFloat: parsing "abc": invalid syntax`},
		{"duration", []Value{String("bad"), Duration(time.Second)}, `error calling "duration": invalid duration string "bad"`},
		{"strSubstring", []Value{String("abc"), Int(-1), Int(1)}, `error calling "strSubstring": found negative index for strSubstring: -1`},
		{"strSubstring", []Value{String("abc"), Int(0), Int(3)}, `error calling "strSubstring": stop index too large for string in strSubstring: 3`},
		{"strSubstring", []Value{String("abcdef"), Int(3), Int(2)}, `runtime error: slice bounds out of range [3:2]`},
		{"isPresent", []Value{Duration(time.Second)}, `Cannot call function "isPresent" with args (1s: duration)`},
		{"rand", []Value{Float(1)}, `Cannot call function "rand" with args (1: float)`},
	}
	for _, tt := range tests {
		_, err := call(t, tt.name, tt.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s%v: error %v, want %q", tt.name, tt.args, err, tt.want)
		}
	}
}

func TestWithArgText(t *testing.T) {
	_, err := Abs(Int(3))
	err = WithArgText(err, `"x"`)
	if !strings.HasPrefix(err.Error(), `Cannot call function "abs" with args ("x": int)`) {
		t.Errorf("got %v", err)
	}
	_, err = ToBool(Int(2))
	if got := WithArgText(err, "2"); got != err {
		t.Errorf("WithArgText changed a non-signature error: %v", got)
	}
	err = Lookup("strLength").Check([]string{"1 + 1"}, Int(2))
	if err == nil || !strings.HasPrefix(err.Error(), `Cannot call function "strLength" with args (1 + 1: int)`) {
		t.Errorf("Check: %v", err)
	}
}

func TestStaticType(t *testing.T) {
	tests := []struct {
		name string
		args []Type
		want Type
		ok   bool
	}{
		{"sqrt", []Type{TypeFloat}, TypeFloat, true},
		{"sqrt", []Type{TypeInt}, 0, false},
		{"sqrt", []Type{TypeDynamic}, TypeFloat, true},
		{"if", []Type{TypeDynamic, TypeInt, TypeInt}, TypeInt, true},
		{"if", []Type{TypeBool, TypeDynamic, TypeDynamic}, TypeDynamic, true},
		{"if", []Type{TypeBool, TypeInt, TypeFloat}, 0, false},
		{"isPresent", []Type{TypeDynamic}, TypeBool, true},
		{"rand", nil, TypeInt, true},
		{"count", []Type{TypeInt}, 0, false},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.name).StaticType(tt.args)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("%s%v = %v, %v; want %v, %v", tt.name, tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStatefulFuncs(t *testing.T) {
	s := NewSigmaState()
	var got Value
	for _, x := range []float64{1, 2, 3, 10} {
		got, _ = s.Call(Float(x))
	}
	// After 1, 2, 3, 10: mean 4, sample variance 50/3.
	if want := 6 / math.Sqrt(50.0/3); math.Abs(got.Float()-want) > 1e-12 {
		t.Errorf("sigma = %v, want %v", got.Float(), want)
	}
	same := NewSigmaState()
	same.Call(Float(5))
	if v, _ := same.Call(Float(5)); v.Float() != 0 {
		t.Errorf("sigma with zero variance = %v, want 0", v)
	}

	c := NewCountState()
	c.Call()
	c.Call()
	if v, _ := c.Call(); v.Int() != 3 {
		t.Errorf("third count() = %v", v)
	}

	sp := NewSpreadState()
	for _, x := range []float64{5, -1, 3} {
		got, _ = sp.Call(Float(x))
	}
	if got.Float() != 6 {
		t.Errorf("spread = %v, want 6", got)
	}

	r := NewRandStateSeed(1)
	for i := 0; i < 100; i++ {
		v, err := r.Call(Int(10))
		if err != nil || v.Int() < 0 || v.Int() >= 10 {
			t.Fatalf("rand(10) = %v, %v", v, err)
		}
		v, _ = r.Call()
		if v.Int() < 0 {
			t.Fatalf("rand() = %v, want non-negative", v)
		}
	}
	if v, err := r.Call(Int(0)); err != nil || v.Int() != 0 {
		t.Errorf("rand(0) = %v, %v", v, err)
	}
}

func TestNowIsWallClock(t *testing.T) {
	before := time.Now().UnixNano()
	v, err := Now()
	if err != nil || v.Type() != TypeTime || v.UnixNano() < before {
		t.Errorf("now() = %v, %v", v, err)
	}
}

func TestHourReadsLocalTime(t *testing.T) {
	saved := time.Local
	defer func() { time.Local = saved }()
	time.Local = time.FixedZone("UTC+2", 2*3600)
	v, _ := Hour(Time(time.Date(2021, 1, 1, 23, 0, 0, 0, time.UTC).UnixNano()))
	if v.Int() != 1 {
		t.Errorf("hour in UTC+2 = %v, want 1", v)
	}
}
