package runtime

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// logTask returns a task whose logger writes text lines to buf, without the
// record's own time (the data times, all in 1970 here, stay).
func logTask(buf *bytes.Buffer) *Task {
	h := slog.NewTextHandler(buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Time().Year() > 1970 {
				return slog.Attr{}
			}
			return a
		},
	})
	return &Task{Name: "t", Log: slog.New(h)}
}

func TestLogNode(t *testing.T) {
	var buf bytes.Buffer
	n := NewLogNode(logTask(&buf), NodeInfo{Name: "log1"}, LogNodeConfig{Level: "error", Prefix: "P"})
	r := &sink{}
	n.AddChild(r)
	p := mkPoint(1, mkTags("host=a"), mkFields("v", 1.5, "s", "x"), "host")
	n.Point(p)
	n.Batch(mkBatch(10, mkTags("host=a"), mkBP(2, mkTags("host=a"), mkFields("n", 3))))
	n.Barrier("host=a", secs(11))
	n.Done()
	want := strings.Join([]string{
		`level=ERROR msg=point node=log1 prefix=P name=cpu db=db rp=rp group="host=a" dimension=[host] tag.host=a field.s=x field.v=1.5 time=1970-01-01T00:00:01.000Z`,
		`level=ERROR msg="begin batch" node=log1 prefix=P name=cpu group="host=a" tag.host=a time=1970-01-01T00:00:10.000Z`,
		`level=ERROR msg="batch point" node=log1 prefix=P name=cpu group="host=a" tag.host=a field.n=3 time=1970-01-01T00:00:02.000Z`,
		`level=ERROR msg="end batch" node=log1 prefix=P name=cpu group="host=a" tag.host=a time=1970-01-01T00:00:10.000Z`,
	}, "\n") + "\n"
	if buf.String() != want {
		t.Errorf("logged:\n%s\nwant:\n%s", buf.String(), want)
	}
	r.check(t,
		`cpu "host=a" 1s {host=a} {s="x",v=1.5} dims=[host]`,
		`batch cpu "host=a" 10s {host=a} [2s {host=a} {n=3i}]`,
		`barrier "host=a" 11s`,
		"done",
	)
}

func TestLogNodeLevels(t *testing.T) {
	for level, want := range map[string]string{"": "INFO", "DEBUG": "DEBUG", "Info": "INFO", "warn": "INFO", "ERROR": "ERROR"} {
		var buf bytes.Buffer
		n := NewLogNode(logTask(&buf), NodeInfo{Name: "log1"}, LogNodeConfig{Level: level})
		n.Point(mkPoint(1, nil, nil))
		if !strings.HasPrefix(buf.String(), "level="+want+" ") {
			t.Errorf("level %q logged %q, want level %s", level, buf.String(), want)
		}
	}
	// Without a logger the node still passes data on.
	n := NewLogNode(nil, NodeInfo{Name: "log1"}, LogNodeConfig{})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, nil, nil))
	r.check(t, `cpu "" 1s {} {}`)
}
