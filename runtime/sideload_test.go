package runtime

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tickc/tickc/stdlib"
)

// writeFiles creates files (path relative to dir: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sideloadPoint(tags ...string) Point {
	p := Point{Name: "m", Time: sec(0), Fields: Fields{{"value", stdlib.Float(1)}}}
	for i := 0; i+1 < len(tags); i += 2 {
		p.Tags = p.Tags.With(tags[i], tags[i+1])
	}
	return groupBy(p, "t0", "t1", "t2")
}

func TestSideloadHierarchy(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"t0/b.yml":  "f1: 3\n",
		"t0/c.yml":  "f1: 13\n",
		"t1/n.yml":  "f2: 4.5\n",
		"t1/o.yml":  "f1: 99\nf2: 14.5\n",
		"t2/y.json": `{"t3": "why", "other": 56}`,
		"t2/z.yml":  "t3: 7\nf2: not-a-number\n",
		"README":    "ignored: not values",
	})
	s := NewSideload(nil, NodeInfo{Name: "sideload2"}, SideloadConfig{
		Source: "file://" + dir,
		Order:  []string{"t0/{{.t0}}.yml", "t1/{{.t1}}.yml", "t2/{{.t2}}.json", "t2/{{.t2}}.yml"},
		Fields: Fields{{"f1", stdlib.Int(0)}, {"f2", stdlib.Float(0)}},
		Tags:   Tags{{"t3", "one"}},
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	out := &capture{}
	s.AddChild(out)
	s.Point(sideloadPoint("t0", "a", "t1", "m", "t2", "x"))
	s.Point(sideloadPoint("t0", "b", "t1", "n", "t2", "y"))
	s.Point(sideloadPoint("t0", "c", "t1", "o", "t2", "y"))
	s.Point(sideloadPoint("t0", "d", "t1", "q", "t2", "z")) // f2 does not convert: default, one error
	s.Point(sideloadPoint("t1", "o"))                       // no t0 tag: "<no value>.yml", then t1/o.yml
	var got []string
	for _, p := range out.points {
		got = append(got, describePoint(p))
	}
	want := []string{
		"m{t0=a,t1=m,t2=x}@0s [t0=a t1=m t2=x t3=one] f1=0 f2=0 value=1",
		"m{t0=b,t1=n,t2=y}@0s [t0=b t1=n t2=y t3=why] f1=3 f2=4.5 value=1",
		"m{t0=c,t1=o,t2=y}@0s [t0=c t1=o t2=y t3=why] f1=13 f2=14.5 value=1",
		"m{t0=d,t1=q,t2=z}@0s [t0=d t1=q t2=z t3=7] f1=0 f2=0 value=1",
		"m{t0=,t1=o,t2=}@0s [t1=o t3=one] f1=99 f2=14.5 value=1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Errors != 1 {
		t.Errorf("%d errors, want 1", s.Errors)
	}
	if f1 := out.points[1].Fields.Get("f1"); f1.Type() != stdlib.TypeInt {
		t.Errorf("f1 has type %s, want int like its default", f1.Type())
	}
}

func TestSideloadReload(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"hosts/a.yaml": "cpus: 2\n"})
	s := NewSideload(nil, NodeInfo{}, SideloadConfig{
		Source: "file://" + dir, Order: []string{"hosts/{{.host}}.yaml"}, Fields: Fields{{"cpus", stdlib.Float(1)}},
	})
	out := &capture{}
	s.AddChild(out)
	pt := Point{Name: "m", Tags: Tags{{"host", "a"}}}
	s.Point(pt)
	writeFiles(t, dir, map[string]string{"hosts/a.yaml": "cpus: 8\n"})
	s.Point(pt) // not reloaded yet
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	s.Point(pt)
	writeFiles(t, dir, map[string]string{"hosts/a.yaml": "cpus: [unclosed\n"})
	if err := s.Reload(); err == nil {
		t.Fatal("reload of a bad file succeeded")
	}
	s.Point(pt) // the previous values stay
	var got []float64
	for _, p := range out.points {
		got = append(got, p.Fields.Get("cpus").Float())
	}
	if want := []float64{2, 2, 8, 8}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("cpus %v, want %v", got, want)
	}
}

func TestSideloadBatchAndHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"hosts/a.yml": {"rack": 12, "up": "true"}, "default.yml": {"rack": 1, "up": false}}`))
	}))
	defer srv.Close()
	s := NewSideload(nil, NodeInfo{}, SideloadConfig{
		Source: srv.URL,
		Order:  []string{"hosts/{{.host}}.yml", "default.yml"},
		Fields: Fields{{"up", stdlib.Bool(false)}},
		Tags:   Tags{{"rack", "none"}},
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	out := &capture{}
	s.AddChild(out)
	s.Batch(Batch{Name: "m", TMax: sec(1), Points: []BatchPoint{
		{Time: sec(0), Tags: Tags{{"host", "a"}}},
		{Time: sec(1), Tags: Tags{{"host", "b"}}},
	}})
	if len(out.batches) != 1 {
		t.Fatalf("got %d batches", len(out.batches))
	}
	var got []string
	for _, bp := range out.batches[0].Points {
		got = append(got, describePoint(Point{Name: "m", Time: bp.Time, Tags: bp.Tags, Fields: bp.Fields}))
	}
	want := []string{"m{}@0s [host=a rack=12] up=true", "m{}@1s [host=b rack=1] up=false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSideloadBadSource(t *testing.T) {
	for _, src := range []string{"file://relative/dir", "ftp://host/x", "mysource", "file:///does/not/exist"} {
		s := NewSideload(nil, NodeInfo{}, SideloadConfig{Source: src, Fields: Fields{{"f", stdlib.Int(5)}}})
		if s.Err() == nil {
			t.Errorf("%s: no error", src)
		}
		out := &capture{}
		s.AddChild(out)
		s.Point(Point{Name: "m"})
		if len(out.points) != 1 || out.points[0].Fields.Get("f").Int() != 5 {
			t.Errorf("%s: got %+v, want the default", src, out.points)
		}
	}
	s := NewSideload(nil, NodeInfo{}, SideloadConfig{Source: "file:///", Order: []string{"{{.x"}})
	if s.Err() == nil {
		t.Error("bad template: no error")
	}
}

func TestSideloadConvert(t *testing.T) {
	tests := []struct {
		src  any
		dflt stdlib.Value
		want string // valueOf, or "error"
	}{
		{2.0, stdlib.Int(0), "2"},
		{2.5, stdlib.Int(0), "error"},
		{"17", stdlib.Int(0), "17"},
		{"x", stdlib.Int(0), "error"},
		{true, stdlib.Int(0), "error"},
		{"1.5", stdlib.Float(0), "1.5"},
		{3.0, stdlib.Float(0), "3"},
		{"t", stdlib.Bool(false), "true"},
		{1.0, stdlib.Bool(false), "error"},
		{0.000001, stdlib.String(""), "0.000001"},
		{false, stdlib.String(""), "false"},
		{map[string]any{}, stdlib.String(""), "error"},
	}
	for _, tc := range tests {
		v, err := sideloadConvert(tc.src, tc.dflt)
		got := "error"
		if err == nil {
			got = fmt.Sprint(valueOf(v))
		}
		if got != tc.want {
			t.Errorf("convert %v to %s: got %s, want %s", tc.src, tc.dflt.Type(), got, tc.want)
		}
		if err == nil && v.Type() != tc.dflt.Type() {
			t.Errorf("convert %v: type %s, want %s", tc.src, v.Type(), tc.dflt.Type())
		}
	}
}
