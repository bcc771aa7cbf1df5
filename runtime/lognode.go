package runtime

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// LogNodeConfig configures a LogNode, |log().
type LogNodeConfig struct {
	Level  string // DEBUG, INFO, WARN or ERROR, any case; empty means INFO
	Prefix string // .prefix(s): added to every line
}

// LogNode writes every point, and every batch with its points, to the task's
// logger, each line naming the node, and passes the data on unchanged. As in
// Kapacitor, DEBUG and ERROR log at those levels and every other level, WARN
// included, at INFO.
type LogNode struct {
	Base
	level  slog.Level
	prefix string
}

// NewLogNode returns a LogNode configured by cfg.
func NewLogNode(t *Task, info NodeInfo, cfg LogNodeConfig) *LogNode {
	level := slog.LevelInfo
	switch strings.ToUpper(cfg.Level) {
	case "DEBUG":
		level = slog.LevelDebug
	case "ERROR":
		level = slog.LevelError
	}
	return &LogNode{Base: Base{Task: t, Info: info}, level: level, prefix: cfg.Prefix}
}

func (n *LogNode) log(msg string, attrs ...slog.Attr) {
	if n.Task == nil || n.Task.Log == nil {
		return
	}
	n.Task.Log.LogAttrs(context.Background(), n.level, msg, append([]slog.Attr{slog.String("node", n.Info.Name)}, attrs...)...)
}

// Point logs p and passes it on.
func (n *LogNode) Point(p Point) {
	n.PointsIn++
	n.log("point",
		slog.String("prefix", n.prefix),
		slog.String("name", p.Name),
		slog.String("db", p.Database),
		slog.String("rp", p.RetentionPolicy),
		slog.String("group", string(p.Group)),
		slog.Any("dimension", p.Dimensions.TagNames),
		tagsAttr(p.Tags),
		fieldsAttr(p.Fields),
		timeAttr(p.Time),
	)
	n.EmitPoint(p)
}

// Batch logs b, one line to begin, one per point and one to end, and passes
// it on.
func (n *LogNode) Batch(b Batch) {
	n.PointsIn++
	head := []slog.Attr{
		slog.String("prefix", n.prefix),
		slog.String("name", b.Name),
		slog.String("group", string(b.Group)),
	}
	n.log("begin batch", append(head[:3:3], tagsAttr(b.Tags), timeAttr(b.TMax))...)
	for _, bp := range b.Points {
		n.log("batch point", append(head[:3:3], tagsAttr(bp.Tags), fieldsAttr(bp.Fields), timeAttr(bp.Time))...)
	}
	n.log("end batch", append(head[:3:3], tagsAttr(b.Tags), timeAttr(b.TMax))...)
	n.EmitBatch(b)
}

func tagsAttr(ts Tags) slog.Attr {
	attrs := make([]any, len(ts))
	for i, t := range ts {
		attrs[i] = slog.String(t.Key, t.Value)
	}
	return slog.Group("tag", attrs...)
}

func fieldsAttr(fs Fields) slog.Attr {
	attrs := make([]any, len(fs))
	for i, f := range fs {
		attrs[i] = slog.Attr{Key: f.Key, Value: slogValue(f.Value)}
	}
	return slog.Group("field", attrs...)
}

// slogValue converts a field value for the logger.
func slogValue(v stdlib.Value) slog.Value {
	switch v.Type() {
	case stdlib.TypeFloat:
		return slog.Float64Value(v.Float())
	case stdlib.TypeInt:
		return slog.Int64Value(v.Int())
	case stdlib.TypeString:
		return slog.StringValue(v.Str())
	case stdlib.TypeBool:
		return slog.BoolValue(v.Bool())
	case stdlib.TypeDuration:
		return slog.DurationValue(v.Duration())
	case stdlib.TypeTime:
		return slog.TimeValue(time.Unix(0, v.UnixNano()).UTC())
	case stdlib.TypeRegex:
		return slog.StringValue(v.Regex().String())
	default:
		return slog.StringValue("<missing>")
	}
}

func timeAttr(t int64) slog.Attr { return slog.Time("time", time.Unix(0, t).UTC()) }

// Barrier passes the barrier on.
func (n *LogNode) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *LogNode) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *LogNode) Done() { n.EmitDone() }
