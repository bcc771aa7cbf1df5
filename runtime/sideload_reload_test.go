package runtime

import (
	"syscall"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestSideloadReloadsOnSIGHUPWhileServing(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"hosts/a.yml": "threshold: 5\n"})
	task, err := NewTask(TaskSpec{Name: "test", Type: StreamTask}, nil, WallClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSideload(task, NodeInfo{Name: "sideload2"}, SideloadConfig{
		Source: "file://" + dir,
		Order:  []string{"hosts/{{.host}}.yml"},
		Fields: Fields{{"threshold", stdlib.Float(0)}},
	})
	out := &sink{}
	s.AddChild(out)
	defer s.Done()
	p := Point{Name: "m", Time: sec(0), Tags: Tags{{"host", "a"}}, Fields: Fields{{"value", stdlib.Float(1)}}}
	s.Point(p)

	writeFiles(t, dir, map[string]string{"hosts/a.yml": "threshold: 9\n"})
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.Point(p)
		last := out.pts[len(out.pts)-1]
		if last.Fields.Get("threshold") == stdlib.Float(9) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("threshold = %v after SIGHUP, want 9", last.Fields.Get("threshold"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := out.pts[0].Fields.Get("threshold"); got != stdlib.Float(5) {
		t.Errorf("threshold before the reload = %v, want 5", got)
	}
}

func TestSideloadOfAReplayIgnoresSIGHUP(t *testing.T) {
	s := NewSideload(replayTask(t), NodeInfo{Name: "sideload2"}, SideloadConfig{Source: "file://" + t.TempDir()})
	sideloadReloads.mu.Lock()
	_, watched := sideloadReloads.nodes[s]
	sideloadReloads.mu.Unlock()
	if watched {
		t.Error("a replayed sideload is reloaded on SIGHUP")
	}
}
