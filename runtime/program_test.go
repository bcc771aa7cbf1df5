package runtime

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// loopSpecs returns two stream tasks: "up" loops every cpu point back as a
// cpu2 point of database db, "down" serves the cpu2 points of dbname.
func loopSpecs(db string) []TaskSpec {
	return []TaskSpec{
		{
			Name: "up", Type: StreamTask, DBRPs: []DBRP{{"dbname", "rpname"}},
			Build: func(t *Task) error {
				t.AddMeasurement("cpu")
				t.AddMeasurement("cpu2") // sees its own loopback too, and ignores it
				t.Stream().AddChild(&pointSpy{f: func(p Point) {
					if p.Name == "cpu" {
						p.Name, p.Database = "cpu2", db
						p.Fields = p.Fields.With("looped", stdlib.Bool(true))
						t.Loopback(p)
					}
				}})
				return nil
			},
		},
		{
			Name: "down", Type: StreamTask, DBRPs: []DBRP{{"dbname", "rpname"}},
			Build: func(t *Task) error {
				t.AddMeasurement("cpu2")
				t.Stream().AddChild(NewHTTPOut(t, NodeInfo{}, HTTPOutConfig{Endpoint: "looped"}))
				return nil
			},
		},
	}
}

func TestReplayLoopback(t *testing.T) {
	in := writeFile(t, "in.srpl", "dbname\nrpname\ncpu value=1 31536000000000000\n")
	code, out, errs := replayMain(t, loopSpecs("dbname"), "replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"httpOut":{"looped":{"series":[{"name":"cpu2","columns":["time","looped","value"],"values":[["1971-01-01T00:00:00Z",true,1]]}]}},"alerts":[]}` + "\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestLoopbackForeverFails(t *testing.T) {
	spec := TaskSpec{
		Name: "self", Type: StreamTask, DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			t.Stream().AddChild(&pointSpy{f: func(p Point) { t.Loopback(p) }})
			return nil
		},
	}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Write([]Point{{Name: "m", Database: "dbname", RetentionPolicy: "rpname"}})
	if !errors.Is(err, ErrLoopback) {
		t.Errorf("got %v", err)
	}
}

func TestServingLoopback(t *testing.T) {
	p, err := NewProgram(loopSpecs("dbname"), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	if err := p.Write([]Point{{Name: "cpu", Database: "dbname", RetentionPolicy: "rpname", Time: zsec(0),
		Fields: Fields{{"value", stdlib.Float(1)}}}}); err != nil {
		t.Fatal(err)
	}
	// The looped-back point arrives asynchronously, as in Kapacitor.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := p.Task("down").HTTPOut("looped").JSON()
		if strings.Contains(string(b), `"looped"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("looped-back point never arrived: %s", b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestProgramErrors(t *testing.T) {
	if _, err := NewProgram(nil, nil, nil, nil); err == nil {
		t.Error("a program without tasks")
	}
	s := streamToOut("same")
	if _, err := NewProgram([]TaskSpec{s, s}, nil, nil, nil); err == nil || !strings.Contains(err.Error(), `two tasks are named "same"`) {
		t.Errorf("duplicate names: %v", err)
	}
	p, _ := NewProgram([]TaskSpec{s}, nil, nil, nil)
	p.Start()
	p.Stop()
	if _, err := p.Replay(ReplayOptions{Streams: []string{"x.srpl"}}); err == nil {
		t.Error("replay of a stopped program")
	}
	bad := TaskSpec{Name: "bad", Build: func(*Task) error { return errors.New("boom") }}
	if _, err := NewProgram([]TaskSpec{bad}, nil, nil, nil); err == nil || err.Error() != "task bad: boom" {
		t.Errorf("build error: %v", err)
	}
}

func TestTaskAccepts(t *testing.T) {
	task, _ := NewTask(TaskSpec{Name: "t", DBRPs: []DBRP{{"db", "rp"}, {"db", "autogen"}}}, nil, nil, nil)
	task.AddMeasurement("cpu")
	for _, c := range []struct {
		db, rp, m string
		want      bool
	}{
		{"db", "rp", "cpu", true},
		{"db", "autogen", "cpu", true},
		{"db", "rp", "mem", false},
		{"db", "other", "cpu", false},
		{"other", "rp", "cpu", false},
	} {
		if got := task.Accepts(c.db, c.rp, c.m); got != c.want {
			t.Errorf("Accepts(%s, %s, %s) = %v", c.db, c.rp, c.m, got)
		}
	}
	task.AnyMeasurement()
	if !task.Accepts("db", "rp", "mem") {
		t.Error("a from() without measurement does not select every measurement")
	}
	bt, _ := NewTask(TaskSpec{Name: "b", Type: BatchTask, DBRPs: []DBRP{{"db", "rp"}}}, nil, nil, nil)
	bt.AnyMeasurement()
	if bt.Accepts("db", "rp", "cpu") || bt.Stream() != nil || bt.Batch() == nil {
		t.Error("a batch task takes written points")
	}
}

// panicSpec is a stream task whose node panics on points of measurement "boom".
func panicSpec() TaskSpec {
	return TaskSpec{
		Name: "fragile", Type: StreamTask, DBRPs: []DBRP{{"dbname", "rpname"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			out := NewHTTPOut(t, NodeInfo{}, HTTPOutConfig{Endpoint: "out"})
			t.Stream().AddChild(&pointSpy{f: func(p Point) {
				if p.Name == "boom" {
					var m map[string]int
					m["x"] = 1 // a bug in a node
				}
			}})
			t.Stream().AddChild(out)
			return nil
		},
	}
}

func TestTaskPanicIsAnError(t *testing.T) {
	p, err := NewProgram([]TaskSpec{panicSpec()}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	pt := Point{Name: "boom", Database: "dbname", RetentionPolicy: "rpname"}
	if err := p.Write([]Point{pt}); err == nil || !strings.Contains(err.Error(), "task fragile: internal error: assignment to entry in nil map") {
		t.Errorf("panic: %v", err)
	}
	// The task goes on.
	pt.Name = "fine"
	if err := p.Write([]Point{pt}); err != nil {
		t.Errorf("after a panic: %v", err)
	}
	if b, _ := p.Task("fragile").HTTPOut("out").JSON(); !strings.Contains(string(b), `"fine"`) {
		t.Errorf("after a panic the task did not process data: %s", b)
	}

	in := writeFile(t, "in.srpl", "dbname\nrpname\nboom v=1 1\n")
	code, out, errs := replayMain(t, []TaskSpec{panicSpec()}, "replay", "--input", in, "--clock-zero", "1971-01-01T00:00:00Z")
	if code != 1 || out != "" || !strings.Contains(errs, "task fragile: internal error") {
		t.Errorf("replay: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
