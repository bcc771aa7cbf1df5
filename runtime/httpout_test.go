package runtime

import (
	"math"
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func coreNaN() float64 { return math.NaN() }

// coreRecorder is a test Receiver that counts what reaches it.
type coreRecorder struct {
	points, batches, barriers, deletes, dones int
}

func (r *coreRecorder) Point(Point)            { r.points++ }
func (r *coreRecorder) Batch(Batch)            { r.batches++ }
func (r *coreRecorder) Barrier(GroupID, int64) { r.barriers++ }
func (r *coreRecorder) DeleteGroup(GroupID)    { r.deletes++ }
func (r *coreRecorder) Done()                  { r.dones++ }
func coreHostPoint(host string, t, v float64) Point {
	tags := Tags{{"host", host}}
	dims := Dimensions{TagNames: []string{"host"}}
	return Point{
		Name: "cpu", Time: zsec(t), Tags: tags, Dimensions: dims,
		Group:  NewGroupID("cpu", tags, dims),
		Fields: Fields{{"value", stdlib.Float(v)}},
	}
}

func coreOutJSON(t *testing.T, o *HTTPOut) string {
	t.Helper()
	b, ok := o.JSON()
	if !ok {
		t.Fatalf("encoding failed: %s", b)
	}
	return string(b)
}

func TestHTTPOutGroupsInCreationOrder(t *testing.T) {
	task, err := NewTask(TaskSpec{Name: "t"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := NewHTTPOut(task, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"})
	rec := &coreRecorder{}
	o.AddChild(rec)
	if got := coreOutJSON(t, o); got != `{"series":null}` {
		t.Errorf("before data: %s", got)
	}
	o.Point(coreHostPoint("b", 0, 1))
	o.Point(coreHostPoint("a", 1, 2))
	o.Point(coreHostPoint("b", 2, 3)) // replaces b's row, keeps its place
	want := `{"series":[` +
		`{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"values":[["1971-01-01T00:00:02Z",3]]},` +
		`{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"values":[["1971-01-01T00:00:01Z",2]]}]}`
	if got := coreOutJSON(t, o); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if task.HTTPOut("out") != o {
		t.Error("endpoint not registered with the task")
	}

	// Deleting b removes its row; b's next point comes back last.
	o.DeleteGroup(coreHostPoint("b", 0, 0).Group)
	want = `{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"values":[["1971-01-01T00:00:01Z",2]]}]}`
	if got := coreOutJSON(t, o); got != want {
		t.Errorf("after delete got\n%s\nwant\n%s", got, want)
	}
	o.Point(coreHostPoint("b", 3, 4))
	o.Point(coreHostPoint("a", 4, 5))
	want = `{"series":[` +
		`{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"values":[["1971-01-01T00:00:04Z",5]]},` +
		`{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"values":[["1971-01-01T00:00:03Z",4]]}]}`
	if got := coreOutJSON(t, o); got != want {
		t.Errorf("after re-creation got\n%s\nwant\n%s", got, want)
	}
	// Deleting an unknown group changes nothing but is passed on.
	o.DeleteGroup("host=zzz")
	if got := coreOutJSON(t, o); got != want {
		t.Errorf("unknown delete changed the result: %s", got)
	}
	o.Done()
	if rec.points != 5 || rec.deletes != 2 || rec.dones != 1 {
		t.Errorf("pass-through: %+v", rec)
	}
}

func TestHTTPOutBarrierMakesEmptySlot(t *testing.T) {
	o := NewHTTPOut(nil, NodeInfo{}, HTTPOutConfig{Endpoint: "out"})
	o.Barrier("host=a", zsec(1))
	if got := coreOutJSON(t, o); got != `{"series":[null]}` {
		t.Errorf("got %s", got)
	}
	o.Batch(Batch{Name: "cpu", Group: "host=a", Tags: Tags{{"host", "a"}}})
	if got, want := coreOutJSON(t, o), `{"series":[{"name":"cpu","tags":{"host":"a"}}]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestHTTPOutNaNServesError(t *testing.T) {
	o := NewHTTPOut(nil, NodeInfo{}, HTTPOutConfig{Endpoint: "out"})
	o.Point(Point{Name: "m", Fields: Fields{{"v", stdlib.Float(coreNaN())}}})
	b, ok := o.JSON()
	if ok || string(b) != `{"error":"json: unsupported value: NaN"}` {
		t.Errorf("got %s %v", b, ok)
	}
}
