package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// zsec returns the Unix nanoseconds of 1971-01-01T00:00:00Z plus s seconds,
// the clock zero of Kapacitor's integration tests.
func zsec(s float64) int64 { return 31536000000000000 + int64(s*1e9) }

func coreResultJSON(t *testing.T, r Result) string {
	t.Helper()
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestResultJSONEmpty(t *testing.T) {
	if got := coreResultJSON(t, Result{}); got != `{"series":null}` {
		t.Errorf("got %s", got)
	}
}

func TestPointRowJSON(t *testing.T) {
	p := Point{
		Name: "cpu",
		Time: zsec(0),
		Tags: Tags{{"host", "serverA"}, {"type", "idle"}},
		Fields: Fields{
			{"count", stdlib.Int(10)},
			{"mean", stdlib.Float(96)},
			{"ratio", stdlib.Float(0.5)},
			{"big", stdlib.Float(3.15533e17)},
			{"s", stdlib.String("a&b<c")},
			{"up", stdlib.Bool(true)},
		},
	}
	// Fields must be sorted in a Point: sort them as the data model requires.
	p.Fields = dedupFields(p.Fields)
	want := `{"series":[{"name":"cpu","tags":{"host":"serverA","type":"idle"},` +
		`"columns":["time","big","count","mean","ratio","s","up"],` +
		`"values":[["1971-01-01T00:00:00Z",315533000000000000,10,96,0.5,"a\u0026b\u003cc",true]]}]}`
	if got := coreResultJSON(t, PointResult(p)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Go writes large float64 values with an exponent.
	p.Fields = Fields{{"v", stdlib.Float(3.15533e21)}}
	want = `{"series":[{"name":"cpu","tags":{"host":"serverA","type":"idle"},"columns":["time","v"],"values":[["1971-01-01T00:00:00Z",3.15533e+21]]}]}`
	if got := coreResultJSON(t, PointResult(p)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestBatchRowJSON(t *testing.T) {
	// Taken from the shape of TestStream_Window: no batch tags, point tags
	// become columns; a value missing from a later point is null.
	b := Batch{
		Name: "cpu",
		TMax: zsec(10),
		Points: []BatchPoint{
			{Time: zsec(0), Tags: Tags{{"host", "serverA"}, {"type", "idle"}}, Fields: Fields{{"value", stdlib.Float(97.1)}}},
			{Time: zsec(1.5), Tags: Tags{{"host", "serverA"}}, Fields: Fields{{"other", stdlib.Int(1)}}},
		},
	}
	want := `{"series":[{"name":"cpu","columns":["time","host","type","value"],"values":[` +
		`["1971-01-01T00:00:00Z","serverA","idle",97.1],` +
		`["1971-01-01T00:00:01.5Z","serverA",null,null]]}]}`
	if got := coreResultJSON(t, BatchResult(b)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Batch tags are row tags, not columns.
	b.Tags = Tags{{"host", "serverA"}}
	want = `{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","type","value"],"values":[` +
		`["1971-01-01T00:00:00Z","idle",97.1],` +
		`["1971-01-01T00:00:01.5Z",null,null]]}]}`
	if got := coreResultJSON(t, BatchResult(b)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// An empty batch keeps only its name and tags.
	b.Points = nil
	if got, want := coreResultJSON(t, BatchResult(b)), `{"series":[{"name":"cpu","tags":{"host":"serverA"}}]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRowValueKinds(t *testing.T) {
	if v := RowValue(stdlib.Duration(2 * time.Second)); v != int64(2e9) {
		t.Errorf("duration: %v", v)
	}
	if v := RowValue(stdlib.Missing); v != nil {
		t.Errorf("missing: %v", v)
	}
	if v, ok := RowValue(stdlib.Time(zsec(0))).(time.Time); !ok || v.Location() != time.UTC {
		t.Errorf("time: %v", v)
	}
}

func TestResultJSONNaNFails(t *testing.T) {
	p := Point{Name: "m", Fields: Fields{{"v", stdlib.Float(coreNaN())}}}
	if _, err := PointResult(p).JSON(); err == nil {
		t.Error("NaN encoded")
	}
}
