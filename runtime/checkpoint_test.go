package runtime

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ckptSpec is a task cpu → derivative → httpOut('out') with a stateless
// shift in between and a stateful node behind a join input, to show that
// the walk finds every node.
func ckptSpec(name, fingerprint string) TaskSpec {
	return TaskSpec{
		Name: name, Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Fingerprint: fingerprint,
		Build: func(t *Task) error {
			t.AddMeasurement("cpu")
			from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
			shift := NewShift(t, NodeInfo{Name: "shift2"}, ShiftConfig{})
			der := NewDerivative(t, NodeInfo{Name: "derivative3"}, DerivativeConfig{Field: "value"})
			out := NewHTTPOut(t, NodeInfo{Name: "http_out4"}, HTTPOutConfig{Endpoint: "out"})
			t.Stream().AddChild(from)
			from.AddChild(shift)
			shift.AddChild(der)
			der.AddChild(out)
			return nil
		},
	}
}

func ckptPoints(from, to int) []Point {
	var pts []Point
	for i := from; i < to; i++ {
		p := hostPoint(float64(i), []string{"a", "b"}[i%2], float64(i*i))
		p.Database, p.RetentionPolicy = "db", "rp"
		pts = append(pts, p)
	}
	return pts
}

func newCkptProgram(t *testing.T, specs ...TaskSpec) *Program {
	t.Helper()
	p, err := NewProgram(specs, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func outJSON(t *testing.T, p *Program, task string) string {
	t.Helper()
	b, _ := p.Task(task).HTTPOut("out").JSON()
	return string(b)
}

// TestCheckpointProgramRestart: a program restored from a checkpoint
// continues as the uninterrupted one, task by task.
func TestCheckpointProgramRestart(t *testing.T) {
	specs := []TaskSpec{ckptSpec("a", "fp-a"), ckptSpec("b", "fp-b")}
	whole := newCkptProgram(t, specs...)
	if err := whole.Write(ckptPoints(0, 10)); err != nil {
		t.Fatal(err)
	}
	first := newCkptProgram(t, specs...)
	if err := first.Write(ckptPoints(0, 5)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), CheckpointFileName)
	size, err := first.SaveCheckpoint(file)
	if err != nil {
		t.Fatal(err)
	}
	if st := first.CheckpointStats(); st.Saved != 1 || st.Size != size || st.Failures != 0 || st.Last.IsZero() {
		t.Errorf("stats %+v, size %d", st, size)
	}
	second := newCkptProgram(t, specs...)
	if found, err := second.LoadCheckpoint(file); !found || err != nil {
		t.Fatalf("load: %v %v", found, err)
	}
	if got, want := outJSON(t, second, "a"), outJSON(t, first, "a"); got != want {
		t.Errorf("restored result %s, want %s", got, want)
	}
	if err := second.Write(ckptPoints(5, 10)); err != nil {
		t.Fatal(err)
	}
	for _, task := range []string{"a", "b"} {
		if got, want := outJSON(t, second, task), outJSON(t, whole, task); got != want || !strings.Contains(want, `"host":"b"`) {
			t.Errorf("task %s: %s, want %s", task, got, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the checkpoint", len(entries))
	}
}

// TestCheckpointMissingFile: no file is a first start.
func TestCheckpointMissingFile(t *testing.T) {
	p := newCkptProgram(t, ckptSpec("a", "fp"))
	found, err := p.LoadCheckpoint(filepath.Join(t.TempDir(), "none"))
	if found || err != nil {
		t.Errorf("got %v, %v", found, err)
	}
}

// TestCheckpointRefused: every kind of checkpoint that does not fit the
// program is refused with its reason, naming the file.
func TestCheckpointRefused(t *testing.T) {
	src := newCkptProgram(t, ckptSpec("a", "fp"))
	if err := src.Write(ckptPoints(0, 4)); err != nil {
		t.Fatal(err)
	}
	good, err := src.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := decodeCheckpoint(good)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(st []savedTask) []savedTask) []byte {
		cp := append([]savedTask(nil), saved...)
		cp[0].nodes = append([]savedNode(nil), cp[0].nodes...)
		return encodeCheckpoint(0, f(cp))
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	otherFormat := []byte(checkpointMagic + "\x07")
	otherFormat = append(otherFormat, good[len(checkpointMagic)+1:]...)

	tests := []struct {
		name string
		data []byte
		spec TaskSpec
		want string
	}{
		{"not a checkpoint", []byte("hello"), ckptSpec("a", "fp"), "not a tickc checkpoint file"},
		{"truncated", good[:len(checkpointMagic)+2], ckptSpec("a", "fp"), "truncated"},
		{"corrupt", flipped, ckptSpec("a", "fp"), "corrupt: its checksum does not match"},
		{"another format", otherFormat, ckptSpec("a", "fp"), "format 7, this program reads format 1"},
		{"changed script", good, ckptSpec("a", "fp2"), "task a was built from another script or another tickc (fingerprint fp, this program has fp2)"},
		{"other tasks", good, ckptSpec("b", "fp"), "the file holds tasks a, this program runs b"},
		{"unknown node", edit(func(st []savedTask) []savedTask {
			st[0].nodes = append(st[0].nodes, savedNode{name: "window9"})
			return st
		}), ckptSpec("a", "fp"), "task a has no stateful node window9, which the file holds"},
		{"missing node", edit(func(st []savedTask) []savedTask {
			st[0].nodes = st[0].nodes[:len(st[0].nodes)-1]
			return st
		}), ckptSpec("a", "fp"), "task a node http_out4 has no state in the file"},
		{"bytes left", edit(func(st []savedTask) []savedTask {
			n := &st[0].nodes[len(st[0].nodes)-1]
			n.state = append(append([]byte(nil), n.state...), 0)
			return st
		}), ckptSpec("a", "fp"), "task a node http_out4: cannot restore its state: state has 1 unread bytes"},
		{"bad node state", edit(func(st []savedTask) []savedTask {
			st[0].nodes[len(st[0].nodes)-1].state = []byte{5}
			return st
		}), ckptSpec("a", "fp"), "task a node http_out4: cannot restore its state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), CheckpointFileName)
			if err := os.WriteFile(file, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			p := newCkptProgram(t, tc.spec)
			_, err := p.LoadCheckpoint(file)
			var ce *CheckpointError
			if !errors.As(err, &ce) || ce.File != file {
				t.Fatalf("error %v, want a CheckpointError of %s", err, file)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "checkpoint "+file+": ") || !strings.Contains(msg, "--ignore-checkpoint") {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
		})
	}
}

// TestCheckpointAfterStart: a running program does not take a checkpoint
// in; it must be restored before it starts.
func TestCheckpointAfterStart(t *testing.T) {
	p := newCkptProgram(t, ckptSpec("a", "fp"))
	data, err := p.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	if err := p.RestoreCheckpoint(data); err == nil {
		t.Error("restored into a running program")
	}
	// A checkpoint of a running program is taken on the task goroutines.
	if err := p.Write(ckptPoints(0, 3)); err != nil {
		t.Fatal(err)
	}
	data, err = p.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	q := newCkptProgram(t, ckptSpec("a", "fp"))
	if err := q.RestoreCheckpoint(data); err != nil {
		t.Fatal(err)
	}
	if got, want := outJSON(t, q, "a"), outJSON(t, p, "a"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// restoredSpy is a stateful node that records the hook call.
type restoredSpy struct {
	Base
	loaded, restored bool
}

func (s *restoredSpy) Point(Point)                   {}
func (s *restoredSpy) Batch(Batch)                   {}
func (s *restoredSpy) Barrier(GroupID, int64)        {}
func (s *restoredSpy) DeleteGroup(GroupID)           {}
func (s *restoredSpy) Done()                         {}
func (s *restoredSpy) SaveState(*StateEncoder)       {}
func (s *restoredSpy) LoadState(*StateDecoder) error { s.loaded = true; return nil }
func (s *restoredSpy) Restored()                     { s.restored = s.loaded }

func TestCheckpointRestorerAndJoinWalk(t *testing.T) {
	var spy *restoredSpy
	spec := TaskSpec{Name: "a", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(t *Task) error {
		j := NewJoin(t, NodeInfo{Name: "join1"}, JoinConfig{As: []string{"x", "y"}})
		t.Stream().AddChild(j.Input(0))
		t.Stream().AddChild(j.Input(1))
		spy = &restoredSpy{Base: Base{Task: t, Info: NodeInfo{Name: "spy2"}}}
		j.AddChild(spy)
		return nil
	}}
	p := newCkptProgram(t, spec)
	data, err := p.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	q := newCkptProgram(t, spec)
	if err := q.RestoreCheckpoint(data); err != nil {
		t.Fatal(err)
	}
	if !spy.loaded || !spy.restored {
		t.Errorf("loaded %v restored %v", spy.loaded, spy.restored)
	}
}

// TestServeCheckpoints: a served program with a data directory saves
// checkpoints periodically and at shutdown, and the next one starts from
// the last.
func TestServeCheckpoints(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := NewConfig()
	cfg.DataDir = dir
	cfg.Checkpoint.Interval = 20 * time.Millisecond
	serve := func(write []Point, check func(p *Program)) {
		p := newCkptProgram(t, ckptSpec("a", "fp"))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- Serve(ctx, p, ln, cfg, nil) }()
		for !p.Ready() {
			time.Sleep(5 * time.Millisecond)
		}
		if check != nil {
			check(p)
		}
		if err := p.Write(write); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for p.CheckpointStats().Saved == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if p.CheckpointStats().Saved == 0 {
			t.Fatal("no periodic checkpoint")
		}
		cancel()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if !p.Task("a").Suspended() {
			t.Error("the task's input ended after the final checkpoint without the task being suspended")
		}
	}
	whole := newCkptProgram(t, ckptSpec("a", "fp"))
	if err := whole.Write(ckptPoints(0, 10)); err != nil {
		t.Fatal(err)
	}
	var middle string
	serve(ckptPoints(0, 5), nil)
	serve(ckptPoints(5, 10), func(p *Program) { middle = outJSON(t, p, "a") })
	if !strings.Contains(middle, `["1970-01-01T00:00:04Z",6]`) {
		t.Errorf("the second run did not start from the first one's state: %s", middle)
	}
	p := newCkptProgram(t, ckptSpec("a", "fp"))
	if _, err := p.LoadCheckpoint(filepath.Join(dir, CheckpointFileName)); err != nil {
		t.Fatal(err)
	}
	if got, want := outJSON(t, p, "a"), outJSON(t, whole, "a"); got != want {
		t.Errorf("final checkpoint holds %s, want %s", got, want)
	}

	// A changed script refuses to start.
	other := newCkptProgram(t, ckptSpec("a", "fp2"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), other, ln, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "fingerprint fp, this program has fp2") {
		t.Errorf("serve: %v", err)
	}
}

func TestCheckpointConfig(t *testing.T) {
	cfg, err := ParseConfig("data_dir = \"/var/lib/tickc\"\n[checkpoint]\nenabled = false\ninterval = \"1m30s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/tickc" || cfg.Checkpoint.Enabled || cfg.Checkpoint.Interval != 90*time.Second {
		t.Errorf("config %+v %+v", cfg.DataDir, cfg.Checkpoint)
	}
	env := map[string]string{"TICKC_CHECKPOINT_ENABLED": "true", "TICKC_CHECKPOINT_INTERVAL": "5s"}
	if err := cfg.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if !cfg.Checkpoint.Enabled || cfg.Checkpoint.Interval != 5*time.Second {
		t.Errorf("env: %+v", cfg.Checkpoint)
	}
	if _, err := ParseConfig("[checkpoint]\nintervall = \"1s\"\n"); err == nil || !strings.Contains(err.Error(), "checkpoint.intervall") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := ParseConfig("[checkpoint]\ninterval = \"-1s\"\n"); err == nil || !strings.Contains(err.Error(), "checkpoint.interval must not be negative") {
		t.Errorf("negative: %v", err)
	}
	if d := NewConfig().Checkpoint; !d.Enabled || d.Interval != DefaultCheckpointInterval {
		t.Errorf("defaults %+v", d)
	}
}
