package stdlib

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Every implementation checks its arguments against its signatures first and
// returns a *CallError when they do not match, so a builtin never misreads a
// Value; generated code adds the argument text with WithArgText.

func float1(name string, f func(float64) float64, args []Value) (Value, error) {
	if !matchSigs(sigF_F, args) {
		return Missing, newCallError(name, sigF_F, args, nil)
	}
	return Float(f(args[0].Float())), nil
}

func float2(name string, f func(float64, float64) float64, args []Value) (Value, error) {
	if !matchSigs(sigFF_F, args) {
		return Missing, newCallError(name, sigFF_F, args, nil)
	}
	return Float(f(args[0].Float(), args[1].Float())), nil
}

func str1(name string, f func(string) string, args []Value) (Value, error) {
	if !matchSigs(sigS_S, args) {
		return Missing, newCallError(name, sigS_S, args, nil)
	}
	return String(f(args[0].Str())), nil
}

func str2(name string, sigs []Signature, args []Value, f func(s, t string) Value) (Value, error) {
	if !matchSigs(sigs, args) {
		return Missing, newCallError(name, sigs, args, nil)
	}
	return f(args[0].Str(), args[1].Str()), nil
}

// Pow10 is pow10(n int) float: math.Pow10.
func Pow10(args ...Value) (Value, error) {
	if !matchSigs(sigI_F, args) {
		return Missing, newCallError("pow10", sigI_F, args, nil)
	}
	return Float(math.Pow10(int(args[0].Int()))), nil
}

// Jn is jn(n int, x float) float: math.Jn.
func Jn(args ...Value) (Value, error) {
	if !matchSigs(sigIF_F, args) {
		return Missing, newCallError("jn", sigIF_F, args, nil)
	}
	return Float(math.Jn(int(args[0].Int()), args[1].Float())), nil
}

// Yn is yn(n int, x float) float: math.Yn.
func Yn(args ...Value) (Value, error) {
	if !matchSigs(sigIF_F, args) {
		return Missing, newCallError("yn", sigIF_F, args, nil)
	}
	return Float(math.Yn(int(args[0].Int()), args[1].Float())), nil
}

// ToBool is bool(x): a boolean as is, a string parsed by strconv.ParseBool,
// and the numbers 0 and 1; other numbers are an error.
func ToBool(args ...Value) (Value, error) {
	if !matchSigs(sigBool, args) {
		return Missing, newCallError("bool", sigBool, args, nil)
	}
	a := args[0]
	switch a.typ {
	case TypeString:
		b, err := strconv.ParseBool(a.str())
		if err != nil {
			return Missing, callFailed("bool", err)
		}
		return Bool(b), nil
	case TypeInt:
		switch a.Int() {
		case 0:
			return Bool(false), nil
		case 1:
			return Bool(true), nil
		}
		return Missing, callFailed("bool", fmt.Errorf("cannot convert %v to boolean", a.Int()))
	case TypeFloat:
		switch a.Float() {
		case 0:
			return Bool(false), nil
		case 1:
			return Bool(true), nil
		}
		return Missing, callFailed("bool", fmt.Errorf("cannot convert %v to boolean", a.Float()))
	}
	return a, nil
}

// ToInt is int(x): a float truncated toward zero, a string parsed in base 10,
// a boolean as 0 or 1.
func ToInt(args ...Value) (Value, error) {
	if !matchSigs(sigInt, args) {
		return Missing, newCallError("int", sigInt, args, nil)
	}
	a := args[0]
	switch a.typ {
	case TypeFloat:
		return Int(int64(a.Float())), nil
	case TypeString:
		i, err := strconv.ParseInt(a.str(), 10, 64)
		if err != nil {
			return Missing, callFailed("int", err)
		}
		return Int(i), nil
	case TypeBool:
		return Int(int64(a.n)), nil
	}
	return a, nil
}

// ToFloat is float(x): an int widened, a string parsed by strconv.ParseFloat,
// a boolean as 0 or 1.
func ToFloat(args ...Value) (Value, error) {
	if !matchSigs(sigFloat, args) {
		return Missing, newCallError("float", sigFloat, args, nil)
	}
	a := args[0]
	switch a.typ {
	case TypeInt:
		return Float(float64(a.Int())), nil
	case TypeString:
		f, err := strconv.ParseFloat(a.str(), 64)
		if err != nil {
			return Missing, callFailed("float", err)
		}
		return Float(f), nil
	case TypeBool:
		return Float(float64(a.n)), nil
	}
	return a, nil
}

// ToString is string(x): see FormatValue.
func ToString(args ...Value) (Value, error) {
	if !matchSigs(sigString, args) {
		return Missing, newCallError("string", sigString, args, nil)
	}
	return String(FormatValue(args[0])), nil
}

// FormatValue formats a value as string() does: ints in base 10, floats in
// the shortest 'f' form (1, 0.1, 1000000, -0), booleans as true/false,
// durations in InfluxQL notation (FormatDuration), strings as they are.
// A time is written in RFC 3339, a regex as its source, Missing as "".
func FormatValue(v Value) string {
	switch v.typ {
	case TypeInt:
		return strconv.FormatInt(v.Int(), 10)
	case TypeFloat:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case TypeBool:
		return strconv.FormatBool(v.Bool())
	case TypeDuration:
		return FormatDuration(v.Duration())
	case TypeString:
		return v.str()
	case TypeTime:
		return time.Unix(0, v.UnixNano()).UTC().Format(time.RFC3339Nano)
	case TypeRegex:
		return v.Literal()
	}
	return ""
}

// ToDuration is duration(x[, unit]): a duration as is; an int or a float
// times unit; a string parsed as an InfluxQL duration (the unit is required
// by the signature but not used).
func ToDuration(args ...Value) (Value, error) {
	if !matchSigs(sigDuration, args) {
		return Missing, newCallError("duration", sigDuration, args, nil)
	}
	a := args[0]
	switch a.typ {
	case TypeInt:
		return Duration(time.Duration(a.Int()) * args[1].Duration()), nil
	case TypeFloat:
		return Duration(time.Duration(a.Float() * float64(args[1].Duration()))), nil
	case TypeString:
		d, err := ParseDuration(a.str())
		if err != nil {
			return Missing, callFailed("duration", fmt.Errorf("invalid duration string %q", a.str()))
		}
		return Duration(d), nil
	}
	return a, nil
}

// StrLength is strLength(s string) int: the length in bytes.
func StrLength(args ...Value) (Value, error) {
	if !matchSigs(sigS_I, args) {
		return Missing, newCallError("strLength", sigS_I, args, nil)
	}
	return Int(int64(len(args[0].str()))), nil
}

// StrReplace is strReplace(s, old, new string, n int) string: strings.Replace;
// n < 0 replaces all.
func StrReplace(args ...Value) (Value, error) {
	if !matchSigs(sigSSSI_S, args) {
		return Missing, newCallError("strReplace", sigSSSI_S, args, nil)
	}
	return String(strings.Replace(args[0].str(), args[1].str(), args[2].str(), int(args[3].Int()))), nil
}

// StrSubstring is strSubstring(s string, start, stop int) string: the bytes
// s[start:stop]. Negative indexes are errors and, as in Kapacitor, so is a
// stop at or past the end of s.
func StrSubstring(args ...Value) (Value, error) {
	if !matchSigs(sigSII_S, args) {
		return Missing, newCallError("strSubstring", sigSII_S, args, nil)
	}
	s, start, stop := args[0].str(), args[1].Int(), args[2].Int()
	switch {
	case start < 0:
		return Missing, callFailed("strSubstring", fmt.Errorf("found negative index for strSubstring: %d", start))
	case stop < 0:
		return Missing, callFailed("strSubstring", fmt.Errorf("found negative index for strSubstring: %d", stop))
	case stop >= int64(len(s)):
		return Missing, callFailed("strSubstring", fmt.Errorf("stop index too large for string in strSubstring: %d", stop))
	case start > stop:
		return Missing, runtimeError(fmt.Sprintf("runtime error: slice bounds out of range [%d:%d]", start, stop))
	}
	return String(s[start:stop]), nil
}

// RegexReplace is regexReplace(re regex, src, repl string) string:
// re.ReplaceAllString, so $1 in repl expands.
func RegexReplace(args ...Value) (Value, error) {
	if !matchSigs(sigRSS_S, args) || args[0].Regex() == nil {
		return Missing, newCallError("regexReplace", sigRSS_S, args, nil)
	}
	return String(args[0].Regex().ReplaceAllString(args[1].str(), args[2].str())), nil
}

// IsPresent is isPresent(x) bool: false for a missing reference, true for a
// boolean, string, int or float. It is the only builtin that takes Missing.
func IsPresent(args ...Value) (Value, error) {
	if !matchSigs(sigIsPresent, args) {
		return Missing, newCallError("isPresent", sigIsPresent, args, nil)
	}
	return Bool(!args[0].IsMissing()), nil
}

// If is if(cond bool, a T, b T) T: a when cond holds, else b. Both branches
// are evaluated before the call and must have the same type.
func If(args ...Value) (Value, error) {
	if !matchSigs(sigIf, args) {
		return Missing, newCallError("if", sigIf, args, nil)
	}
	if args[0].Bool() {
		return args[1], nil
	}
	return args[2], nil
}

// localTime returns the time of a time Value in the local time zone, read at
// each call as Kapacitor reads "time" in the server's zone.
func localTime(v Value) time.Time { return time.Unix(0, v.UnixNano()).In(time.Local) }

func timeFunc(name string, args []Value, f func(time.Time) int64) (Value, error) {
	if !matchSigs(sigT_I, args) {
		return Missing, newCallError(name, sigT_I, args, nil)
	}
	return Int(f(localTime(args[0]))), nil
}

// UnixNano is unixNano(t time) int: nanoseconds since the Unix epoch.
func UnixNano(args ...Value) (Value, error) {
	return timeFunc("unixNano", args, func(t time.Time) int64 { return t.UnixNano() })
}

// Minute is minute(t time) int: the minute of the hour, 0–59, in local time.
func Minute(args ...Value) (Value, error) {
	return timeFunc("minute", args, func(t time.Time) int64 { return int64(t.Minute()) })
}

// Hour is hour(t time) int: the hour of the day, 0–23, in local time.
func Hour(args ...Value) (Value, error) {
	return timeFunc("hour", args, func(t time.Time) int64 { return int64(t.Hour()) })
}

// Weekday is weekday(t time) int: the day of the week, 0 (Sunday)–6, in local time.
func Weekday(args ...Value) (Value, error) {
	return timeFunc("weekday", args, func(t time.Time) int64 { return int64(t.Weekday()) })
}

// Day is day(t time) int: the day of the month, 1–31, in local time.
func Day(args ...Value) (Value, error) {
	return timeFunc("day", args, func(t time.Time) int64 { return int64(t.Day()) })
}

// Month is month(t time) int: the month, 1–12, in local time.
func Month(args ...Value) (Value, error) {
	return timeFunc("month", args, func(t time.Time) int64 { return int64(t.Month()) })
}

// Year is year(t time) int: the year in local time.
func Year(args ...Value) (Value, error) {
	return timeFunc("year", args, func(t time.Time) int64 { return int64(t.Year()) })
}

// Now is now() time: the wall clock.
func Now(args ...Value) (Value, error) {
	if !matchSigs(sig_T, args) {
		return Missing, newCallError("now", sig_T, args, nil)
	}
	return Time(time.Now().UnixNano()), nil
}

// HumanBytes is humanBytes(n float|int) string: n bytes in SI units
// ("82 kB"), see FormatBytes. A float is converted to an unsigned integer
// first, as Go converts it.
func HumanBytes(args ...Value) (Value, error) {
	if !matchSigs(sigHumanBytes, args) {
		return Missing, newCallError("humanBytes", sigHumanBytes, args, nil)
	}
	if args[0].typ == TypeFloat {
		return String(FormatBytes(uint64(args[0].Float()))), nil
	}
	return String(FormatBytes(uint64(args[0].Int()))), nil
}

// SigmaState is the state of sigma(x float) float: a running mean and
// variance (Welford). Each call adds x and returns |x − mean| / stddev, or 0
// while fewer than two values were seen or the variance is 0.
type SigmaState struct {
	mean, m2, n float64
}

// NewSigmaState returns an empty sigma state.
func NewSigmaState() *SigmaState { return &SigmaState{} }

// MarshalBinary implements encoding.BinaryMarshaler: the mean, the sum of
// squared deviations and the count, bit for bit.
func (s *SigmaState) MarshalBinary() ([]byte, error) {
	return appendFloats(nil, s.mean, s.m2, s.n), nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *SigmaState) UnmarshalBinary(data []byte) error {
	return readFloats("sigma", data, &s.mean, &s.m2, &s.n)
}

// Call implements State.
func (s *SigmaState) Call(args ...Value) (Value, error) {
	if !matchSigs(sigF_F, args) {
		return Missing, newCallError("sigma", sigF_F, args, nil)
	}
	x := args[0].Float()
	s.n++
	delta := x - s.mean
	s.mean += delta / s.n
	s.m2 += delta * (x - s.mean)
	variance := s.m2 / (s.n - 1)
	if s.n < 2 || variance == 0 {
		return Float(0), nil
	}
	return Float(math.Abs(x-s.mean) / math.Sqrt(variance)), nil
}

// CountState is the state of count() int: each call returns how many calls
// there have been, 1 on the first.
type CountState struct {
	n int64
}

// NewCountState returns a count state that has seen no call.
func NewCountState() *CountState { return &CountState{} }

// MarshalBinary implements encoding.BinaryMarshaler: the number of calls.
func (s *CountState) MarshalBinary() ([]byte, error) {
	return binary.LittleEndian.AppendUint64(nil, uint64(s.n)), nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *CountState) UnmarshalBinary(data []byte) error {
	if len(data) != 8 {
		return stateLenError("count", len(data), 8)
	}
	s.n = int64(binary.LittleEndian.Uint64(data))
	return nil
}

// Call implements State.
func (s *CountState) Call(args ...Value) (Value, error) {
	if !matchSigs(sig_I, args) {
		return Missing, newCallError("count", sig_I, args, nil)
	}
	s.n++
	return Int(s.n), nil
}

// SpreadState is the state of spread(x float) float: each call adds x and
// returns the running max − min.
type SpreadState struct {
	min, max float64
}

// NewSpreadState returns a spread state that has seen no value.
func NewSpreadState() *SpreadState { return &SpreadState{min: math.Inf(1), max: math.Inf(-1)} }

// MarshalBinary implements encoding.BinaryMarshaler: the least and the
// greatest value seen, bit for bit.
func (s *SpreadState) MarshalBinary() ([]byte, error) {
	return appendFloats(nil, s.min, s.max), nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *SpreadState) UnmarshalBinary(data []byte) error {
	return readFloats("spread", data, &s.min, &s.max)
}

// appendFloats appends the IEEE bits of each float, little endian.
func appendFloats(b []byte, fs ...float64) []byte {
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return b
}

// readFloats reads what appendFloats wrote into dst; the state of function
// fn is left as it was when data has the wrong length.
func readFloats(fn string, data []byte, dst ...*float64) error {
	if len(data) != 8*len(dst) {
		return stateLenError(fn, len(data), 8*len(dst))
	}
	for i, d := range dst {
		*d = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return nil
}

// stateLenError is the error of a saved function state of the wrong size.
func stateLenError(fn string, got, want int) error {
	return fmt.Errorf("%s state: %d bytes, want %d", fn, got, want)
}

// Call implements State.
func (s *SpreadState) Call(args ...Value) (Value, error) {
	if !matchSigs(sigF_F, args) {
		return Missing, newCallError("spread", sigF_F, args, nil)
	}
	x := args[0].Float()
	if x < s.min {
		s.min = x
	}
	if x > s.max {
		s.max = x
	}
	return Float(s.max - s.min), nil
}

// RandState is the state of rand([n int]) int: a pseudo-random generator.
// rand() returns a non-negative int64; rand(n) one in [0, n) for n > 0.
type RandState struct {
	src *rand.PCG // the generator's source, the whole of its state
	r   *rand.Rand
}

// NewRandState returns a generator with a random seed.
func NewRandState() *RandState {
	return newRandState(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}

// NewRandStateSeed returns a generator with a fixed seed, for tests.
func NewRandStateSeed(seed uint64) *RandState {
	return newRandState(rand.NewPCG(seed, seed))
}

func newRandState(src *rand.PCG) *RandState {
	return &RandState{src: src, r: rand.New(src)}
}

// MarshalBinary implements encoding.BinaryMarshaler: the state of the
// generator's PCG source, from which it goes on with the same numbers.
func (s *RandState) MarshalBinary() ([]byte, error) { return s.src.MarshalBinary() }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *RandState) UnmarshalBinary(data []byte) error {
	src := rand.NewPCG(0, 0)
	if err := src.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("rand state: %w", err)
	}
	*s = *newRandState(src)
	return nil
}

// Call implements State. As in Kapacitor, the bound is read as an unsigned
// number and the result masked to be non-negative; a bound of 0 gives 0.
func (s *RandState) Call(args ...Value) (Value, error) {
	if !matchSigs(sigRand, args) {
		return Missing, newCallError("rand", sigRand, args, nil)
	}
	const mask = 1<<63 - 1
	if len(args) == 0 {
		return Int(int64(s.r.Uint64() & mask)), nil
	}
	n := uint64(args[0].Int())
	if n == 0 {
		return Int(0), nil
	}
	return Int(int64(s.r.Uint64N(n) & mask)), nil
}
