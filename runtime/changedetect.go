package runtime

import "fmt"

// ChangeDetectConfig configures a ChangeDetect node, |changeDetect(fields…).
type ChangeDetectConfig struct {
	Fields []string // the fields watched for changes
}

// ChangeDetect passes on a point only when one of the watched fields differs
// (in type or value) from the last point it passed on in the group; the
// first point of a group, or of each batch, always passes. A watched field
// missing from a point is reported as an error and skipped.
type ChangeDetect struct {
	Base
	cfg    ChangeDetectConfig
	groups map[GroupID]*changeDetectGroup
}

type changeDetectGroup struct {
	has  bool
	prev Fields
}

// NewChangeDetect returns a ChangeDetect node configured by cfg.
func NewChangeDetect(t *Task, info NodeInfo, cfg ChangeDetectConfig) *ChangeDetect {
	return &ChangeDetect{
		Base:   Base{Task: t, Info: info},
		cfg:    cfg,
		groups: make(map[GroupID]*changeDetectGroup),
	}
}

func (n *ChangeDetect) group(g GroupID) *changeDetectGroup {
	s, ok := n.groups[g]
	if !ok {
		s = &changeDetectGroup{}
		n.groups[g] = s
	}
	return s
}

// Point passes p on if it changed.
func (n *ChangeDetect) Point(p Point) {
	n.PointsIn++
	if n.changed(n.group(p.Group), p.Fields) {
		n.EmitPoint(p)
	}
}

// Batch passes b on with the points that changed; each batch starts afresh.
func (n *ChangeDetect) Batch(b Batch) {
	n.PointsIn++
	s := n.group(b.Group)
	*s = changeDetectGroup{}
	out := make([]BatchPoint, 0, len(b.Points))
	for _, bp := range b.Points {
		if n.changed(s, bp.Fields) {
			out = append(out, bp)
		}
	}
	b.Points = out
	n.EmitBatch(b)
}

// changed reports whether fields differ from the group's previous point in
// a watched field, and if so makes them the previous point.
func (n *ChangeDetect) changed(s *changeDetectGroup, fields Fields) bool {
	for _, f := range n.cfg.Fields {
		v := fields.Get(f)
		if v.IsMissing() {
			n.Error(fmt.Errorf("invalid field in change detect: expected field %s not found", f))
			continue
		}
		if !s.has || !s.prev.Get(f).Equal(v) {
			s.has, s.prev = true, fields
			return true
		}
	}
	return false
}

// Barrier passes the barrier on.
func (n *ChangeDetect) Barrier(g GroupID, t int64) {
	n.group(g)
	n.EmitBarrier(g, t)
}

// DeleteGroup forgets the group's previous point and passes the deletion on.
func (n *ChangeDetect) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; ok {
		delete(n.groups, g)
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *ChangeDetect) Done() { n.EmitDone() }
