package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func TestParseLinesTypesAndEscapes(t *testing.T) {
	body := "# a comment\n" +
		`cpu\,x,host=server\ A,type=idle value=97.1,n=3i,s="a \"q\" b",ok=true,off=F 1000` + "\n" +
		"\n" +
		`mem,b=2,a=1 v=1 2000` + "\n"
	pts, err := ParseLines([]byte(body), "db", "rp", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 {
		t.Fatalf("got %d points, want 2", len(pts))
	}
	p := pts[0]
	if p.Name != "cpu,x" || p.Database != "db" || p.RetentionPolicy != "rp" || p.Time != 1000 {
		t.Errorf("point = %+v", p)
	}
	if v, _ := p.Tags.Get("host"); v != "server A" {
		t.Errorf("host = %q, want %q", v, "server A")
	}
	checks := []struct {
		key  string
		want stdlib.Value
	}{
		{"value", stdlib.Float(97.1)},
		{"n", stdlib.Int(3)},
		{"s", stdlib.String(`a "q" b`)},
		{"ok", stdlib.Bool(true)},
		{"off", stdlib.Bool(false)},
	}
	for _, c := range checks {
		if got := p.Fields.Get(c.key); !got.Equal(c.want) || got.Type() != c.want.Type() {
			t.Errorf("field %s = %v (%v), want %v (%v)", c.key, got, got.Type(), c.want, c.want.Type())
		}
	}
	// Fields and tags come out sorted.
	var keys []string
	for _, f := range p.Fields {
		keys = append(keys, f.Key)
	}
	if got := strings.Join(keys, ","); got != "n,off,ok,s,value" {
		t.Errorf("field order %s", got)
	}
	if pts[1].Tags[0].Key != "a" || pts[1].Tags[1].Key != "b" {
		t.Errorf("tags not sorted: %v", pts[1].Tags)
	}
}

func TestParseLinesPrecision(t *testing.T) {
	cases := []struct {
		prec string
		want int64
	}{
		{"", 7}, {"n", 7}, {"u", 7e3}, {"ms", 7e6}, {"s", 7e9}, {"m", 7 * 60e9}, {"h", 7 * 3600e9},
	}
	for _, c := range cases {
		mul, err := ParsePrecision(c.prec)
		if err != nil {
			t.Fatal(err)
		}
		pts, err := ParseLines([]byte("m v=1 7"), "db", "rp", mul, 0)
		if err != nil {
			t.Fatal(err)
		}
		if pts[0].Time != c.want {
			t.Errorf("precision %q: time %d, want %d", c.prec, pts[0].Time, c.want)
		}
	}
	if _, err := ParsePrecision("d"); err == nil {
		t.Error("precision d accepted")
	}
	// Leading zeros, as in Kapacitor's recordings.
	pts, err := ParseLines([]byte("m v=1 0000000002"), "db", "rp", 1e9, 0)
	if err != nil || pts[0].Time != 2e9 {
		t.Errorf("leading zeros: %v %v", pts, err)
	}
	// No timestamp: now, truncated to the precision.
	pts, err = ParseLines([]byte("m v=1"), "db", "rp", 1e9, 5_700_000_000)
	if err != nil || pts[0].Time != 5e9 {
		t.Errorf("missing timestamp: %v %v", pts, err)
	}
	// Overflow is an error, not a wrapped time.
	if _, err := ParseLines([]byte("m v=1 9223372036854775807"), "db", "rp", 1e9, 0); err == nil {
		t.Error("overflowing timestamp accepted")
	}
}

func TestParseLinesErrors(t *testing.T) {
	body := "cpu value=1 1\ncpu value= 2\ncpu\n"
	pts, err := ParseLines([]byte(body), "db", "rp", 1, 0)
	if len(pts) != 1 {
		t.Errorf("got %d good points, want 1", len(pts))
	}
	// Every bad line is reported, one per line of the message.
	want := "unable to parse 'cpu value= 2': missing field value\nunable to parse 'cpu': missing fields"
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("first LineError = %+v, want line 2", le)
	}
}

// TestParseLineInfluxDBReasons checks the reasons against those InfluxDB
// 1.x's parser gives for the same lines (Kapacitor answers writes with them).
func TestParseLineInfluxDBReasons(t *testing.T) {
	cases := []struct{ line, reason string }{
		{"cpu", "missing fields"},
		{"cpu value", "invalid field format"},
		{"cpu value=", "missing field value"},
		{"cpu value= 1", "missing field value"},
		{"cpu ,a=1 v=1", "invalid field format"},
		{",a=1 v=1", "missing measurement"},
		{"cpu,a v=1", "missing tag value"},
		{"cpu,a= v=1", "missing tag value"},
		{"cpu,=1 v=1", "missing tag key"},
		{"cpu, v=1", "missing tag key"},
		{"cpu,a=1, v=1", "missing tag key"},
		{"cpu,a=1,a=2 v=1", "duplicate tags"},
		{"cpu =1", "missing field key"},
		{"cpu v=1,", "invalid field format"},
		{"cpu v=1,,w=2", "invalid field format"},
		{"cpu v=1,w=", "missing field value"},
		{"cpu v=1x", "invalid number"},
		{"cpu v=1i2", "invalid number"},
		{"cpu v=1u", "invalid number"},
		{"cpu v=NaN", "invalid number"},
		{"cpu v=1e999", "invalid float"},
		{"cpu v=tru", "invalid boolean"},
		{"cpu v=abc", "invalid boolean"},
		{`cpu v="abc`, "unbalanced quotes"},
		{"cpu v=1 abc", "bad timestamp"},
		{"cpu v=1 1a", "bad timestamp"},
		{"cpu v=1 1 2", "point is invalid"},
		{"cpu v=1 99999999999999999999", `strconv.ParseInt: parsing "99999999999999999999": value out of range`},
		{"cpu v=1 9223372036854775807", "time outside range -9223372036854775806 - 9223372036854775806"},
	}
	for _, c := range cases {
		_, err := ParseLine([]byte(c.line), 1, 0)
		want := "unable to parse '" + c.line + "': " + c.reason
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", c.line, err, want)
		}
	}
	if _, err := ParseLine([]byte("cpu v=1 9223372036854775"), 1e9, 0); err == nil ||
		!strings.HasSuffix(err.Error(), "time outside range -9223372036854775806 - 9223372036854775806") {
		t.Errorf("seconds overflow: %v", err)
	}
}

func TestParseLinesDuplicateFieldsLastWins(t *testing.T) {
	pts, err := ParseLines([]byte("m,t=1 v=1,v=2 1"), "db", "rp", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts[0].Fields) != 1 || pts[0].Fields[0].Value.Float() != 2 {
		t.Errorf("fields = %v", pts[0].Fields)
	}
}

// TestParseLinesSharedBlocks parses more tags and fields than one block
// holds, with bad lines in between: every point keeps its own sorted tags
// and fields, and appending to one point's slices never changes another's.
func TestParseLinesSharedBlocks(t *testing.T) {
	var body strings.Builder
	const n = 3 * blockLen
	for i := range n {
		fmt.Fprintf(&body, "m,z=%d,a=x%d f=%di,b=\"s%d\" %d\n", i, i%7, i, i, i)
		if i%100 == 0 {
			body.WriteString("m,a=1,a=2 f=1 1\nm,t=1 f= 1\n")
		}
	}
	pts, err := ParseLines([]byte(body.String()), "db", "rp", 1, 0)
	if err == nil {
		t.Fatal("bad lines accepted")
	}
	if len(pts) != n {
		t.Fatalf("%d points, want %d", len(pts), n)
	}
	grown := pts[0].Tags.With("b", "new")
	_ = append(pts[1].Fields, Field{"zz", stdlib.Int(1)})
	for i, p := range pts {
		want := Tags{{"a", fmt.Sprintf("x%d", i%7)}, {"z", fmt.Sprint(i)}}
		if !slices.Equal(p.Tags, want) {
			t.Fatalf("point %d tags %v, want %v", i, p.Tags, want)
		}
		if len(p.Fields) != 2 || p.Fields[0].Key != "b" || p.Fields[0].Value.Str() != fmt.Sprintf("s%d", i) ||
			p.Fields[1].Key != "f" || p.Fields[1].Value.Int() != int64(i) {
			t.Fatalf("point %d fields %v", i, p.Fields)
		}
		if p.Time != int64(i) || p.Name != "m" {
			t.Fatalf("point %d: name %q time %d", i, p.Name, p.Time)
		}
	}
	if len(grown) != 3 {
		t.Errorf("With gave %v", grown)
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, s := range []string{"0", "7", "-7", "+7", "0000000002", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", "", "-", "1a", "000000000000000000000042"} {
		want, werr := strconv.ParseInt(s, 10, 64)
		got, ok := parseTimestamp([]byte(s))
		if ok && (werr != nil || got != want) {
			t.Errorf("parseTimestamp(%q) = %d, ParseInt gives %d, %v", s, got, want, werr)
		}
		if !ok && werr == nil && len(s) <= 19 {
			t.Errorf("parseTimestamp(%q) refused what ParseInt reads", s)
		}
	}
}

// TestParseTimestampDigits checks parseTimestamp against strconv.ParseInt
// on numbers of every length with one byte changed, so that each position
// of the eight-digit steps meets a byte that is not a digit.
func TestParseTimestampDigits(t *testing.T) {
	x := uint64(0x2545f4914f6cdd1d)
	for i := 0; i < 20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b := []byte(strconv.FormatUint(x, 10) + strconv.FormatUint(x>>7, 10))
		b = b[:1+int(x>>40)%len(b)]
		if x&3 == 0 {
			b[int(x>>50)%len(b)] = byte(x >> 32) // any byte: digit, sign, '/', ':', 0xb0, ...
		}
		if x&4 != 0 {
			b = append([]byte{"-+"[x>>3&1]}, b...)
		}
		want, werr := strconv.ParseInt(string(b), 10, 64)
		got, ok := parseTimestamp(b)
		if ok && (werr != nil || got != want) {
			t.Fatalf("parseTimestamp(%q) = %d, ParseInt gives %d, %v", b, got, want, werr)
		}
		if !ok && werr == nil && len(strings.TrimLeft(string(b), "+-")) <= 19 {
			t.Fatalf("parseTimestamp(%q) refused what ParseInt reads", b)
		}
	}
	for _, s := range []string{"12345678", "99999999", "00000000", "1234567/", "1234567:", "/2345678", ":2345678", "1234\x005678", "9999999999999999999"} {
		want, werr := strconv.ParseInt(s, 10, 64)
		if got, ok := parseTimestamp([]byte(s)); ok != (werr == nil) || ok && got != want {
			t.Errorf("parseTimestamp(%q) = %d, %v; ParseInt gives %d, %v", s, got, ok, want, werr)
		}
	}
}

// fastPathBodies are bodies for the check that the whole-body decoder
// agrees with the line-by-line one.
var fastPathBodies = []string{
	"cpu,host=a value=1 1\ncpu,host=b value=2i 2\n",
	"cpu value=1 1\r\ncpu value=2 2\r\n",
	"cpu value=1 1\r\n",
	"cpu value=1 1\r",
	"cpu value=1\rcpu value=2\n",
	"  cpu value=1 1\n\t\n# c\n  # c2\n\n",
	"cpu value=1 1 \n",
	"cpu value=1 1\t\n",
	"cpu  value=1  1\n",
	"cpu value=1,value=2 1\n",
	"cpu,b=1,a=2 z=1,y=t,x=F 5\n",
	"cpu,a=1,a=2 v=1 1\n",
	"cpu\n", "cpu \n", "cpu v=\n", "cpu v=1 x\n", ",a=1 v=1\n", "cpu,a v=1\n",
	"cpu v=1u 1\n", "cpu v=1 99999999999999999999\n", "cpu v=1 -1\n", "cpu v=1 +1\n",
	"# \x00\ncpu v=1\n", "cpu v=1\n\x00\n", "cpu v=1,\n", "cpu, v=1\n", "cpu v=1 1 2\n",
	"cpu\rx v=1\n", "cpu v=1\n\r\n",
	// Numbers at the edges of the fast float and integer paths.
	"m v=9007199254740992,w=9007199254740993,x=0.1,y=-0,z=123456789012345678901234567890.5 1\n",
	"m v=1.0000000000000000000001,w=0.30000000000000004,x=-0.000,y=00012.50,z=1.7976931348623157 1\n",
	"m v=9223372036854775807i,w=-9223372036854775808i,y=-0i,z=007i 1\n", "m x=9223372036854775808i 1\n",
	"m v=1.,w=.5,x=-.5,y=1e5,z=1E-5 1\n", "m v=+1 1\n", "m v=+1i 1\n", "m v=- 1\n", "m v=-i 1\n",
	"m v=t,w=T,x=true,y=True,z=TRUE,a=f,b=F,c=false,d=False,e=FALSE 1\n", "m v=tRUE 1\n", "m v=ti 1\n",
	"m v=1 -9223372036854775806\n", "m v=1 -9223372036854775807\n", "m v=1 9223372036854775806\n",
	"m,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10 a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10 1\n",
	"m,b=1,a=2 v=1 1\nm,a=3,b=4 v=2 2\nm,b=1,a=2 v=1 1\n", "#m v=1 1\n", "m#x,a#=b# c#=1 1\n",
	// Tag sections repeated, reordered, extended and cut short.
	"m,b=1,a=2 v=1 1\nm,b=1,a=2 v=1x 2\nm,b=1,a=2 w=2 3\nn,b=1,a=2 v=t\nm,b=1,a=2,c=3 v=1\nm,b=1 v=1\nm,b=1,a=2 v=1\n",
	"m,a=1,a=1 v=1\nm,a=1 v=1\nm,a=1,a=1 v=1\nm,a=1, v=1\nm,a=1\tv=1\nm,a=1  v=1\nm,a=\\1 v=1\nm,a=1 v=1\n",
	"m,a=é v=1 1\n", "m\x7f v=1 1\n", "m v=1\x00 1\n", "m=x v=1 1\n",
}

// checkFastPath checks that every line the fast decoder accepts is decoded
// by the general decoder to the same point, bit for bit, and that a body
// the fast decoder reads whole gives the points of the general decoder.
// Lines are decoded with the tag-set table warm (each line twice, and the
// body after its lines), cold (a new parser), and emptied before every new
// section.
func checkFastPath(t *testing.T, body []byte) {
	t.Helper()
	lp := &lineParser{strs: map[string]string{}}
	emptying := &lineParser{strs: map[string]string{}}
	slowLP := &lineParser{strs: map[string]string{}}
	for _, line := range bytes.Split(body, []byte{'\n'}) {
		for _, prec := range []int64{1, 1e9} {
			fast, ok := lp.parseFast(line, prec, 1e18)
			if emptying.tagSets != nil {
				emptying.tagSets.blocks = maxTagSetBlocks
			}
			fast2, ok2 := emptying.parseFast(line, prec, 1e18)
			if ok != ok2 || ok && !samePoint(fast, fast2) {
				t.Fatalf("%q (precision %d): %+v, %v with the table warm, %+v, %v with it emptied", line, prec, fast, ok, fast2, ok2)
			}
			if !ok {
				continue
			}
			slow, reason := slowLP.parse(line, prec, 1e18)
			if reason != "" {
				t.Fatalf("%q (precision %d): the fast decoder accepts it, the general one says %s", line, prec, reason)
			}
			if !samePoint(fast, slow) {
				t.Fatalf("%q (precision %d): %+v from the fast decoder, %+v from the general one", line, prec, fast, slow)
			}
		}
	}
	twice := append(append(slices.Clip(body), '\n'), body...)
	for _, b := range [][]byte{body, twice} {
		for _, fastLP := range []*lineParser{lp, {strs: map[string]string{}}} {
			checkBody(t, fastLP, slowLP, b)
		}
	}
}

// checkBody checks that the points of body read whole by the fast decoder
// with fastLP, if it reads it, are those of the general decoder.
func checkBody(t *testing.T, fastLP, slowLP *lineParser, body []byte) {
	t.Helper()
	fast, ok := fastLP.parseBody(body, "db", "rp", 1, 1e18, nil)
	if !ok {
		return
	}
	slow, err := slowLP.parseEachLine(body, "db", "rp", 1, 1e18, nil)
	if err != nil {
		t.Fatalf("%q: the fast decoder accepts it, line by line: %v", body, err)
	}
	if len(fast) != len(slow) {
		t.Fatalf("%q: %d points from the fast decoder, %d line by line", body, len(fast), len(slow))
	}
	for i := range fast {
		if !samePoint(fast[i], slow[i]) {
			t.Fatalf("%q: point %d is %+v from the fast decoder, %+v line by line", body, i, fast[i], slow[i])
		}
	}
}

// parseFast is decodeFast returning the point.
func (lp *lineParser) parseFast(line []byte, precision, now int64) (Point, bool) {
	var p Point
	ok := lp.decodeFast(&p, line, "", "", precision, now)
	return p, ok
}

// samePoint compares the decoded parts of two points; float fields compare
// by their bits (Value holds them as bits).
func samePoint(a, b Point) bool {
	return a.Name == b.Name && a.Time == b.Time && a.Database == b.Database && a.RetentionPolicy == b.RetentionPolicy &&
		slices.Equal(a.Tags, b.Tags) && sameFields(a.Fields, b.Fields)
}

func TestParseLinesFastPathAgrees(t *testing.T) {
	for _, b := range fastPathBodies {
		checkFastPath(t, []byte(b))
	}
}

// FuzzParseLinesFastPath checks that whatever the whole-body decoder
// accepts, the line-by-line decoder accepts too, with the same points.
func FuzzParseLinesFastPath(f *testing.F) {
	for _, b := range fastPathBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(checkFastPath)
}

// TestParseFastFloat checks the fast float path against strconv.ParseFloat
// bit for bit on decimals of every length up to 25 digits.
func TestParseFastFloat(t *testing.T) {
	var nums []string
	for _, s := range []string{"0", "-0", "0.0", "1", "-1", "0.1", "0.2", "0.3", "2.5", "123.456", "9007199254740991",
		"9007199254740992", "9007199254740993", "18014398509481985", "4.35", "1.7976931348623157", "0.000000000000000000001",
		"0.0000000000000000000001", "1234567890123456789", "12345678901234567890", "99999999999999999999.99"} {
		nums = append(nums, s)
	}
	x := uint64(88172645463325252)
	for i := 0; i < 20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		digits := strconv.FormatUint(x, 10)
		digits = digits[:1+int(x%uint64(len(digits)))]
		point := int(x>>20) % (len(digits) + 1)
		s := digits
		if point > 0 && point < len(digits) {
			s = digits[:point] + "." + digits[point:]
		}
		if x&1 == 1 {
			s = "-" + s
		}
		nums = append(nums, s)
	}
	for _, s := range nums {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseFastFloat([]byte(s))
		if !ok {
			if err == nil {
				t.Errorf("parseFastFloat(%q) refused what ParseFloat reads", s)
			}
			continue
		}
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("parseFastFloat(%q) = %v (%#x), ParseFloat gives %v (%#x), %v", s, got, math.Float64bits(got), want, math.Float64bits(want), err)
		}
	}
	for _, s := range []string{"", "-", ".5", "5.", "1.2.3", "1e5", "+1", "NaN", "Inf", "1_0", "0x10"} {
		if _, ok := parseFastFloat([]byte(s)); ok {
			t.Errorf("parseFastFloat(%q) accepted", s)
		}
	}
}
