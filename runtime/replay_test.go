package runtime

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadStreamRecording(t *testing.T) {
	in := "dbname\nrpname\ncpu,type=idle,host=serverA value=97.1 31536000000000000\n" +
		"dbname\r\nrpname\r\nmem v=1i 31536001000000000\r\n"
	pts, err := ReadStreamRecording(strings.NewReader(in), "in.srpl", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 {
		t.Fatalf("got %d points", len(pts))
	}
	if p := pts[0]; p.Database != "dbname" || p.RetentionPolicy != "rpname" || p.Name != "cpu" ||
		p.Time != zsec(0) || p.Fields.Get("value").Float() != 97.1 || p.Group != "" {
		t.Errorf("point 0 = %+v", p)
	}
	if p := pts[1]; p.Name != "mem" || p.Time != zsec(1) || p.Fields.Get("v").Int() != 1 {
		t.Errorf("point 1 = %+v", p)
	}
}

func TestReadStreamRecordingErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"db\nrp\ncpu value=1 1\ndb\nrp\n", "in.srpl:5: invalid replay file format, expected another line"},
		{"db\n", "in.srpl:1: invalid replay file format, expected another line"},
		{"db\nrp\ncpu value=1 1\ndb\nrp\ncpu value=x 2\n", "in.srpl:6: unable to parse 'cpu value=x 2': "},
		{"\nrp\ncpu value=1 1\n", "in.srpl:1: invalid replay file format, empty database line"},
	}
	for _, c := range cases {
		_, err := ReadStreamRecording(strings.NewReader(c.in), "in.srpl", 0)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want prefix %q", c.in, err, c.want)
		}
	}
}

func TestReadBatchRecording(t *testing.T) {
	in := `{"name":"cpu","tmax":"1971-01-01T00:00:08Z","tags":{"cpu":"cpu0"},"points":[
	  {"fields":{"mean":83.5,"n":2,"s":"x","b":true},"time":"1971-01-01T00:00:00Z"},
	  {"fields":{"mean":80},"tags":{"cpu":"cpu0","host":"h"},"time":"1971-01-01T00:00:02Z"}]}
{"name":"cpu","tags":{"cpu":"cpu1"},"points":[]}
{"name":"cpu","byname":true,"tags":{"cpu":"cpu1"},"points":[{"fields":{"mean":1},"time":"1971-01-01T00:00:04Z"}]}
{"name":"cpu","tmax":"2015-10-30T00:00:10Z","points":[{"fields":{"mean":1},"time":"1971-01-01T00:00:04Z"}]}
`
	bs, err := ReadBatchRecording(strings.NewReader(in), "in.brpl")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 3 {
		t.Fatalf("got %d batches, want 3 (the empty one skipped)", len(bs))
	}
	b := bs[0]
	if b.Name != "cpu" || b.Group != "cpu=cpu0" || b.TMax != zsec(8) || len(b.Points) != 2 {
		t.Errorf("batch 0 = %+v", b)
	}
	if v, _ := b.Points[0].Tags.Get("cpu"); v != "cpu0" || len(b.Points[0].Tags) != 1 {
		t.Errorf("point without tags does not inherit the batch tags: %v", b.Points[0].Tags)
	}
	if len(b.Points[1].Tags) != 2 {
		t.Errorf("point tags: %v", b.Points[1].Tags)
	}
	f := b.Points[0].Fields
	if f.Get("n").Type().String() != "float" || f.Get("s").Str() != "x" || !f.Get("b").Bool() {
		t.Errorf("fields: %v", f)
	}
	// tmax absent: the last point's time; byname groups by name too.
	if b := bs[1]; b.TMax != zsec(4) || b.Group != "cpu\ncpu=cpu1" || !b.Dimensions.ByName {
		t.Errorf("batch 1 = %+v", b)
	}
	// A tmax later than the points is kept as it is.
	if got := TimeValue(bs[2].TMax).Format("2006-01-02T15:04:05Z"); got != "2015-10-30T00:00:10Z" || bs[2].Group != "" {
		t.Errorf("batch 2 tmax %s group %q", got, bs[2].Group)
	}
}

func TestReadBatchRecordingErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"name":"cpu","points":[{"fields":{"v":1},"time":"1971-01-01T00:00:00Z"}]}` + "\n{\"name\":", "in.brpl:2: invalid batch"},
		{"\n\n" + `{"name":"cpu","points":[{"fields":{"v":1},"time":"yesterday"}]}`, `in.brpl:3: invalid batch: invalid time "yesterday"`},
		{`{"name":"cpu","points":[{"fields":{"v":[1]},"time":"1971-01-01T00:00:00Z"}]}`, `in.brpl:1: point 0: field "v"`},
		{`{"name":"cpu","tags":{"a":1},"points":[]}`, `in.brpl:1: invalid batch: tags: unexpected JSON number`},
	}
	for _, c := range cases {
		_, err := ReadBatchRecording(strings.NewReader(c.in), "in.brpl")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want prefix %q", c.in, err, c.want)
		}
	}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// streamToOut is a hand-built stream task: stream -> httpOut('out'), selecting cpu.
func streamToOut(name string) TaskSpec {
	return TaskSpec{
		Name:  name,
		Type:  StreamTask,
		DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			t.AddMeasurement("cpu")
			t.Stream().AddChild(NewHTTPOut(t, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"}))
			return nil
		},
	}
}

func replayMain(t *testing.T, specs []TaskSpec, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(t.Context(), append([]string{"bin"}, args...), &stdout, &stderr, specs...)
	return code, stdout.String(), stderr.String()
}

func TestReplayStreamCommand(t *testing.T) {
	in := writeFile(t, "in.srpl",
		"dbname\nrpname\ncpu,host=a value=1 31536000000000000\n"+
			"dbname\nrpname\nmem,host=a value=2 31536001000000000\n"+ // another measurement: not routed
			"other\nrpname\ncpu,host=a value=3 31536002000000000\n"+ // another database: not routed
			"dbname\nrpname\ncpu,host=b value=4 31536003000000000\n")
	code, out, errs := replayMain(t, []TaskSpec{streamToOut("task1")},
		"replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "10s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Ungrouped points share the single group: the last one is served.
	want := `{"httpOut":{"out":{"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"values":[["1971-01-01T00:00:03Z",4]]}]}},"alerts":[]}` + "\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestReplayBatchCommandMergesFilesByTime(t *testing.T) {
	b0 := writeFile(t, "in.0.brpl",
		`{"name":"a","points":[{"fields":{"v":1},"time":"1971-01-01T00:00:00Z"}]}`+"\n"+
			`{"name":"a","points":[{"fields":{"v":2},"time":"1971-01-01T00:00:05Z"}]}`+"\n")
	b1 := writeFile(t, "in.1.brpl",
		`{"name":"b","points":[{"fields":{"v":3},"time":"1971-01-01T00:00:02Z"}]}`+"\n"+
			`{"name":"b","points":[{"fields":{"v":4},"time":"1971-01-01T00:00:05Z"}]}`+"\n")
	var order []string
	var clocks []int64
	spec := TaskSpec{
		Name: "batch1", Type: BatchTask, DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			for i := 0; i < 2; i++ {
				q := t.NewQuery(NodeInfo{Name: "query"}, QueryConfig{})
				q.AddChild(&batchSpy{f: func(b Batch) {
					order = append(order, fmt.Sprint(b.Name, b.Points[0].Fields.Get("v").Float()))
					clocks = append(clocks, t.Now())
				}})
				q.AddChild(NewHTTPOut(t, NodeInfo{}, HTTPOutConfig{Endpoint: "out" + string(rune('0'+i))}))
			}
			return nil
		},
	}
	code, out, errs := replayMain(t, []TaskSpec{spec},
		"replay", "--batch", b0, "--batch", b1, "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "30s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if got := strings.Join(order, " "); got != "a1 b3 a2 b4" {
		t.Errorf("delivery order %s, want a1 b3 a2 b4", got)
	}
	if clocks[1] != zsec(2) || clocks[3] != zsec(5) {
		t.Errorf("task clock at deliveries: %v", clocks)
	}
	want := `{"httpOut":{"out0":{"series":[{"name":"a","columns":["time","v"],"values":[["1971-01-01T00:00:05Z",2]]}]},` +
		`"out1":{"series":[{"name":"b","columns":["time","v"],"values":[["1971-01-01T00:00:05Z",4]]}]}},"alerts":[]}` + "\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// batchSpy is a test node that calls f for each batch.
type batchSpy struct{ f func(Batch) }

func (s *batchSpy) Point(Point)            {}
func (s *batchSpy) Batch(b Batch)          { s.f(b) }
func (s *batchSpy) Barrier(GroupID, int64) {}
func (s *batchSpy) DeleteGroup(GroupID)    {}
func (s *batchSpy) Done()                  {}

func TestReplayAlertsAndErrors(t *testing.T) {
	in := writeFile(t, "in.srpl", "dbname\nrpname\ncpu value=1 31536000000000000\n")
	spec := TaskSpec{
		Name: "t", Type: StreamTask, DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			t.Stream().AddChild(&pointSpy{f: func(p Point) {
				t.RecordAlert([]byte(`{"id":"x","level":"CRITICAL"}` + "\n"))
				t.RecordAlert([]byte("plain text"))
			}})
			return nil
		},
	}
	code, out, errs := replayMain(t, []TaskSpec{spec}, "replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := `{"httpOut":{},"alerts":[{"id":"x","level":"CRITICAL"},"plain text"]}` + "\n"; out != want {
		t.Errorf("got %s want %s", out, want)
	}

	bad := writeFile(t, "bad.srpl", "dbname\nrpname\ncpu value= 1\n")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"replay", "--input", bad, "--clock-zero", "1971-01-01T00:00:00Z"}, 1, "bad.srpl:3: unable to parse 'cpu value= 1'"},
		{[]string{"replay", "--input", in}, 2, "--clock-zero is required"},
		{[]string{"replay", "--input", in, "--clock-zero", "yesterday"}, 2, "not an RFC3339 time"},
		{[]string{"replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z", "--task", "nope"}, 1, `no task named "nope"`},
		{[]string{"replay", "--batch", in, "--clock-zero", "1971-01-01T00:00:00Z"}, 1, "no batch task to replay batch recordings into (tasks: t)"},
		{[]string{"replay", "--input", filepath.Join(t.TempDir(), "none.srpl"), "--clock-zero", "1971-01-01T00:00:00Z"}, 1, "no such file"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	} {
		code, out, errs := replayMain(t, []TaskSpec{spec}, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and %q", c.args, code, errs, out, c.code, c.msg)
		}
	}
}

// pointSpy is a test node that calls f for each point.
type pointSpy struct{ f func(Point) }

func (s *pointSpy) Point(p Point)          { s.f(p) }
func (s *pointSpy) Batch(Batch)            {}
func (s *pointSpy) Barrier(GroupID, int64) {}
func (s *pointSpy) DeleteGroup(GroupID)    {}
func (s *pointSpy) Done()                  {}

// TestReadConformanceRecordings reads every recording of the conformance
// corpus, when it is present next to the repository.
func TestReadConformanceRecordings(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "conformance", "cases")
	if _, err := os.Stat(root); err != nil {
		t.Skip("conformance corpus not found at ../shared/conformance next to the repository")
	}
	files, _ := filepath.Glob(filepath.Join(root, "*", "*", "input*"))
	if len(files) == 0 {
		t.Fatal("no recordings in the corpus")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".srpl") {
			pts, err := ReadStreamRecording(bytes.NewReader(data), f, 0)
			if err != nil || len(pts) == 0 {
				t.Errorf("%s: %d points, %v", f, len(pts), err)
			}
		} else {
			bs, err := ReadBatchRecording(bytes.NewReader(data), f)
			if err != nil {
				t.Errorf("%s: %v", f, err)
			}
			for _, b := range bs {
				if b.TMax < b.Points[len(b.Points)-1].Time {
					t.Errorf("%s: tmax before the last point", f)
				}
			}
		}
	}
}

func TestReplayKapacitorRecordings(t *testing.T) {
	// A gzipped stream recording with Kapacitor's recorded times, shifted.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "dbname\nrpname\ncpu,host=a value=1 1000000000000\ndbname\nrpname\ncpu,host=a value=2 1002000000000\n")
	zw.Close()
	in := writeFile(t, "rec.srpl", gz.String())
	code, out, errs := replayMain(t, []TaskSpec{streamToOut("task1")},
		"replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z", "--shift")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"values":[["1971-01-01T00:00:02Z",2]]`) {
		t.Errorf("shifted gzip recording: %s", out)
	}

	// A zip archive with one entry per query node; each entry shifted on its own,
	// tmax kept unless before the last shifted point.
	var zb bytes.Buffer
	arch := zip.NewWriter(&zb)
	for i, rec := range []string{
		`{"name":"a","tmax":"2015-10-30T00:00:10Z","points":[{"fields":{"v":1},"time":"2015-10-30T00:00:00Z"}]}`,
		`{"name":"b","points":[{"fields":{"v":2},"time":"2020-01-01T00:00:00Z"},{"fields":{"v":3},"time":"2020-01-01T00:00:04Z"}]}`,
	} {
		w, _ := arch.Create(fmt.Sprint(i))
		io.WriteString(w, rec)
	}
	arch.Close()
	bz := writeFile(t, "rec.brpl", zb.String())
	var tmax []int64
	spec := TaskSpec{
		Name: "b", Type: BatchTask, DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			for i := 0; i < 2; i++ {
				q := t.NewQuery(NodeInfo{}, QueryConfig{})
				q.AddChild(&batchSpy{f: func(b Batch) { tmax = append(tmax, b.TMax) }})
				q.AddChild(NewHTTPOut(t, NodeInfo{}, HTTPOutConfig{Endpoint: fmt.Sprint("q", i)}))
			}
			return nil
		},
	}
	code, out, errs = replayMain(t, []TaskSpec{spec}, "replay", "--batch", bz, "--clock-zero", "1971-01-01T00:00:00Z", "--shift")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"httpOut":{"q0":{"series":[{"name":"a","columns":["time","v"],"values":[["1971-01-01T00:00:00Z",1]]}]},` +
		`"q1":{"series":[{"name":"b","columns":["time","v"],"values":[["1971-01-01T00:00:00Z",2],["1971-01-01T00:00:04Z",3]]}]}},"alerts":[]}` + "\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// The recorded 2015 tmax is after the shifted point: kept as it is.
	if len(tmax) != 2 || TimeValue(tmax[0]).Year() != 2015 || tmax[1] != zsec(4) {
		t.Errorf("tmax %v", tmax)
	}
	// An archive with the wrong number of entries.
	code, _, errs = replayMain(t, []TaskSpec{spec}, "replay", "--batch", bz, "--batch", bz, "--clock-zero", "1971-01-01T00:00:00Z")
	if code != 1 || !strings.Contains(errs, "task b has 2 query nodes but 4 batch recordings were given") {
		t.Errorf("count mismatch: exit %d %q", code, errs)
	}
}

// TestReadStreamRecordingInPieces reads a recording longer than a block of
// records, with a line longer than the reading buffer, through a reader that
// returns one byte at a time: the points are those of the whole file, and
// a bad record past the first block is reported with its line.
func TestReadStreamRecordingInPieces(t *testing.T) {
	var in strings.Builder
	const n = recordBlock + 100
	long := strings.Repeat("x", readChunk+10)
	for i := range n {
		if i == 7 {
			fmt.Fprintf(&in, "db\nrp\ncpu,long=%s v=%d %d\r\n", long, i, i)
			continue
		}
		fmt.Fprintf(&in, "db\nrp\ncpu,host=h%d v=%d.5 %d\n", i%10, i, i)
	}
	whole, err := ReadStreamRecording(strings.NewReader(in.String()), "in.srpl", 0)
	if err != nil {
		t.Fatal(err)
	}
	pieces, err := ReadStreamRecording(iotest.OneByteReader(strings.NewReader(in.String())), "in.srpl", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != n || len(pieces) != n {
		t.Fatalf("%d and %d points, want %d", len(whole), len(pieces), n)
	}
	for i := range whole {
		if !samePoint(whole[i], pieces[i]) || whole[i].Time != int64(i) || whole[i].Database != "db" {
			t.Fatalf("point %d: %+v and %+v", i, whole[i], pieces[i])
		}
	}
	if v, _ := whole[7].Tags.Get("long"); v != long {
		t.Errorf("the long line's tag has %d bytes, want %d", len(v), len(long))
	}

	bad := in.String() + "db\nrp\ncpu v=1x 1\n"
	_, err = ReadStreamRecording(iotest.OneByteReader(strings.NewReader(bad)), "in.srpl", 0)
	want := fmt.Sprintf("in.srpl:%d: unable to parse 'cpu v=1x 1': invalid number", 3*n+3)
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	_, err = ReadStreamRecording(iotest.TimeoutReader(strings.NewReader(in.String())), "in.srpl", 0)
	if err == nil || !strings.HasPrefix(err.Error(), "in.srpl: read replay file failed: timeout") {
		t.Errorf("read error %v", err)
	}
}

// TestReplayErrorOrder checks that a replay reports the error it reported
// when it read every stream recording before running: a bad record of an
// earlier recording comes before a later file's or the setup's failure,
// and a bad record found while replaying stops the replay with its line.
func TestReplayErrorOrder(t *testing.T) {
	good := writeFile(t, "good.srpl", "dbname\nrpname\ncpu value=1 1\n")
	bad := writeFile(t, "bad.srpl", "dbname\nrpname\ncpu value=1 1\ndbname\nrpname\ncpu value= 2\n")
	missing := filepath.Join(t.TempDir(), "missing.srpl")
	brpl := writeFile(t, "b.brpl", `{"name":"cpu","points":[{"fields":{"v":1},"time":"1971-01-01T00:00:00Z"}]}`)
	badMsg := bad + ":6: unable to parse 'cpu value= 2': missing field value"
	cases := []struct {
		specs   []TaskSpec
		streams []string
		batches []string
		want    string
	}{
		{[]TaskSpec{streamToOut("s")}, []string{bad, missing}, nil, badMsg},
		{[]TaskSpec{streamToOut("s")}, []string{good, missing}, nil, "open " + missing + ": no such file or directory"},
		{[]TaskSpec{streamToOut("s")}, []string{bad}, []string{brpl}, badMsg},
		{[]TaskSpec{streamToOut("s")}, []string{good}, []string{brpl}, "no batch task to replay batch recordings into (tasks: s)"},
		{[]TaskSpec{streamToOut("s")}, []string{good, bad}, nil, badMsg},
	}
	for i, c := range cases {
		p, err := NewProgram(c.specs, nil, func() Clock { return NewReplayClock(0) }, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Replay(ReplayOptions{Streams: c.streams, Batches: c.batches})
		if err == nil || err.Error() != c.want {
			t.Errorf("case %d: error %v, want %s", i, err, c.want)
		}
	}
}

// TestReadStreamRecordingHeads checks the reading of records whose
// database and retention policy lines repeat the previous record's, or
// almost: every point gets the database and retention policy of its own
// record, and errors name the same lines as when every line is read.
func TestReadStreamRecordingHeads(t *testing.T) {
	heads := []string{"db\nrp\n", "db\nrp\n", "db\r\nrp\n", "db\nrp\r\n", "db\nrp2\n", "db2\nrp\n", "d\nrp\n", "db\nr\n", "db\nrp\n"}
	var in strings.Builder
	var want [][2]string
	for i := range 200 {
		h := heads[(i*i/3)%len(heads)]
		in.WriteString(h)
		fmt.Fprintf(&in, "cpu,host=h%d v=%d %d\n", i%3, i, i)
		lines := strings.Split(strings.ReplaceAll(h, "\r", ""), "\n")
		want = append(want, [2]string{lines[0], lines[1]})
	}
	for _, r := range []func(string) io.Reader{
		func(s string) io.Reader { return strings.NewReader(s) },
		func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
	} {
		pts, err := ReadStreamRecording(r(in.String()), "in.srpl", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) != len(want) {
			t.Fatalf("%d points, want %d", len(pts), len(want))
		}
		for i, p := range pts {
			if p.Database != want[i][0] || p.RetentionPolicy != want[i][1] || p.Time != int64(i) {
				t.Fatalf("point %d: %q %q at %d, want %q", i, p.Database, p.RetentionPolicy, p.Time, want[i])
			}
		}
		for _, c := range []struct{ tail, want string }{
			{"db\nrp\ncpu v=1x 1\n", "in.srpl:606: unable to parse 'cpu v=1x 1': invalid number"},
			{"\nrp\ncpu v=1 1\n", "in.srpl:604: invalid replay file format, empty database line"},
			{"db\nrp\n", "in.srpl:605: invalid replay file format, expected another line"},
			{"db\nrp", "in.srpl:605: invalid replay file format, expected another line"},
			{"db\n", "in.srpl:604: invalid replay file format, expected another line"},
		} {
			_, err := ReadStreamRecording(r(in.String()+"db\nrp\ncpu v=1 1\n"+c.tail), "in.srpl", 0)
			if err == nil || err.Error() != c.want {
				t.Errorf("tail %q: error %v, want %s", c.tail, err, c.want)
			}
		}
	}
}
