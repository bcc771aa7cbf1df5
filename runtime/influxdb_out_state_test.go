package runtime

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// TestInfluxDBOutStateRoundTrip checks that the points an influxDBOut node
// accepted but could not write before a checkpoint are written by the node
// restored from it, ahead of the points it receives afterwards.
func TestInfluxDBOutStateRoundTrip(t *testing.T) {
	f := &fakeInflux{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg := InfluxDBOutConfig{Database: "db", RetentionPolicy: "rp", Measurement: "out", Buffer: 2, FlushInterval: time.Hour}
	pt := func(i int) Point {
		return Point{Name: "in", Time: int64(i) * 1e9, Tags: Tags{{"host", "a"}}, Fields: Fields{{"v", stdlib.Int(int64(i))}}}
	}

	// InfluxDB cannot be reached: the first two points wait in a write
	// being retried, the third in the batch being filled.
	down := influxTask(t, `[[influxdb]]
urls = ["http://127.0.0.1:1"]
retry-interval = "1h"
`, nil)
	n := NewInfluxDBOut(down, NodeInfo{Name: "influxdb_out2"}, cfg)
	for i := 1; i <= 3; i++ {
		n.Point(pt(i))
	}
	// A batch point fills the second write.
	n.Batch(Batch{Name: "in", TMax: 4e9, Points: []BatchPoint{{Time: 4e9, Fields: Fields{{"v", stdlib.Int(4)}}}}})
	var e StateEncoder
	n.SaveState(&e)
	// The program is killed: nothing of its buffer is written.
	n.w.cancel()
	n.Done()

	up := influxTask(t, `[[influxdb]]
urls = ["`+srv.URL+`"]
`, nil)
	n2 := NewInfluxDBOut(up, NodeInfo{Name: "influxdb_out2"}, cfg)
	d := NewStateDecoder(e.Bytes())
	if err := n2.LoadState(d); err != nil {
		t.Fatal(err)
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	var again StateEncoder
	n2.SaveState(&again)
	if string(again.Bytes()) != string(e.Bytes()) {
		t.Error("the restored node saves other bytes than it loaded")
	}
	n2.Restored()
	n2.Point(pt(5))
	n2.Done()

	bodies, _, _ := f.snapshot()
	got := strings.TrimSpace(strings.Join(bodies, ""))
	want := strings.Join([]string{
		"out,host=a v=1i 1000000000",
		"out,host=a v=2i 2000000000",
		"out,host=a v=3i 3000000000",
		"out v=4i 4000000000",
		"out,host=a v=5i 5000000000",
	}, "\n")
	if got != want {
		t.Errorf("written:\n%s\nwant:\n%s", got, want)
	}
	if s := n2.Stats(); s.PointsWritten.Load() != 5 || s.Dropped.Load() != 0 {
		t.Errorf("written %d, dropped %d; want 5 and 0", s.PointsWritten.Load(), s.Dropped.Load())
	}
}

// TestInfluxDBOutStateWithoutInfluxDB checks the node that cannot write:
// it saves nothing, and drops and counts the points of a checkpoint.
func TestInfluxDBOutStateWithoutInfluxDB(t *testing.T) {
	task := influxTask(t, "", NewReplayClock(0))
	n := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out1"}, InfluxDBOutConfig{Database: "db"})
	n.Point(Point{Name: "m", Time: 1, Fields: Fields{{"v", stdlib.Float(1)}}})
	var e StateEncoder
	n.SaveState(&e)
	if len(n.Written()) != 1 || string(e.Bytes()) != "\x00" {
		t.Errorf("recorded %d, state %q; want 1 point and an empty state", len(n.Written()), e.Bytes())
	}
	var full StateEncoder
	full.Len(1)
	full.String("db")
	full.String("")
	full.String("")
	full.Len(2)
	full.ByteSlice([]byte("m v=1 1\nm v=2 2\n"))
	if err := n.LoadState(NewStateDecoder(full.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := n.Stats().Dropped.Load(); got != 2 {
		t.Errorf("dropped %d, want 2", got)
	}
	var empty StateEncoder
	empty.Len(1)
	empty.String("db")
	empty.String("")
	empty.String("")
	empty.Len(0)
	empty.ByteSlice(nil)
	if err := n.LoadState(NewStateDecoder(empty.Bytes())); err == nil {
		t.Error("an empty write loaded without error")
	}
}
