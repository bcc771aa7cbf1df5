package runtime

import (
	"bytes"
	"maps"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestStateCodecRoundTrip(t *testing.T) {
	p := Point{
		Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: -42,
		Group:      "host=a",
		Dimensions: Dimensions{ByName: true, TagNames: []string{"host"}},
		Tags:       Tags{{"host", "a"}},
		Fields: Fields{
			{"b", stdlib.Bool(true)},
			{"d", stdlib.Duration(3 * time.Second)},
			{"f", stdlib.Float(math.Inf(-1))},
			{"i", stdlib.Int(-7)},
			{"m", stdlib.Missing},
			{"r", stdlib.Regex(regexp.MustCompile(`^a.*b$`))},
			{"s", stdlib.String("x\x00y")},
			{"t", stdlib.Time(1e18)},
		},
	}
	b := Batch{Name: "cpu", TMax: 10, Group: "g", Tags: Tags{{"k", "v"}},
		Points: []BatchPoint{{Time: 1, Fields: Fields{{"v", stdlib.Float(0.5)}}}, {Time: 2}}}

	var e StateEncoder
	e.Point(p)
	e.Batch(b)
	e.Uint(math.MaxUint64)
	e.Float(math.NaN())
	e.ByteSlice([]byte{1, 2, 3})

	d := NewStateDecoder(e.Bytes())
	gotP, gotB := d.Point(), d.Batch()
	u, f, bs := d.Uint(), d.Float(), d.ByteSlice()
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	// Regexes compare by pattern.
	if gotP.Fields[5].Value.Regex().String() != `^a.*b$` {
		t.Errorf("regex = %v", gotP.Fields[5].Value)
	}
	gotP.Fields[5].Value, p.Fields[5].Value = stdlib.Missing, stdlib.Missing
	if !identicalPoints(gotP, p) {
		t.Errorf("point:\n got %#v\nwant %#v", gotP, p)
	}
	if !identicalBatches(gotB, b) {
		t.Errorf("batch:\n got %#v\nwant %#v", gotB, b)
	}
	if u != math.MaxUint64 || !math.IsNaN(f) || !reflect.DeepEqual(bs, []byte{1, 2, 3}) {
		t.Errorf("scalars: %d %v %v", u, f, bs)
	}
}

func TestStateDecoderRejectsMalformed(t *testing.T) {
	var e StateEncoder
	e.Point(Point{Name: "cpu", Tags: Tags{{"a", "b"}}, Fields: Fields{{"v", stdlib.Float(1)}}})
	full := e.Bytes()
	// Every strict prefix fails cleanly, without a panic.
	for i := 0; i < len(full); i++ {
		d := NewStateDecoder(full[:i])
		d.Point()
		if d.Err() == nil {
			t.Errorf("prefix %d of %d decoded without error", i, len(full))
		}
	}
	// A huge length is refused before allocating.
	var big StateEncoder
	big.Uint(1 << 40)
	d := NewStateDecoder(big.Bytes())
	if d.Tags() != nil || d.Err() == nil || !strings.Contains(d.Err().Error(), "exceeds") {
		t.Errorf("huge length: err = %v", d.Err())
	}
	// Left-over bytes are an error.
	d = NewStateDecoder(append(append([]byte(nil), full...), 0))
	d.Point()
	if err := d.Finish(); err == nil {
		t.Error("left-over byte not reported")
	}
	// An unknown value type is an error.
	d = NewStateDecoder([]byte{200})
	d.Value()
	if d.Err() == nil {
		t.Error("unknown value type not reported")
	}
}

func TestGroupSetRoundTrip(t *testing.T) {
	set := map[GroupID]bool{"host=b": true, "": true, "host=a": true}
	var e, same StateEncoder
	e.GroupSet(set)
	// The size, then the ids in order.
	same.Len(3)
	for _, g := range []GroupID{"", "host=a", "host=b"} {
		same.Group(g)
	}
	if !bytes.Equal(e.Bytes(), same.Bytes()) {
		t.Errorf("GroupSet wrote %q, want %q", e.Bytes(), same.Bytes())
	}
	d := NewStateDecoder(e.Bytes())
	got := d.GroupSet()
	if err := d.Finish(); err != nil || !maps.Equal(got, set) {
		t.Errorf("read %v (%v), want %v", got, err, set)
	}
}
