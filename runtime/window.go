package runtime

import (
	"errors"
	"slices"
	"time"
)

// WindowConfig configures a Window node, |window(). Either Period (a time
// window) or PeriodCount (a count window) is set; the compiler checks that
// exactly one is.
type WindowConfig struct {
	Period time.Duration // length of a time window
	// Every is how often a time window is emitted; 0 emits the window
	// (t−Period, t] on every point.
	Every      time.Duration
	Align      bool // .align(): emit times are multiples of Every
	FillPeriod bool // .fillPeriod(): the first emit waits for a full period

	PeriodCount int64 // number of points in a count window
	EveryCount  int64 // emit a count window every EveryCount points (> 0)
}

// Window buffers a stream into batches per group, over time or over a count
// of points. Emission follows data time only: a time window emits when a
// point (or barrier) at or after its emit time arrives, with the points of
// [emit−period, emit) and tmax = emit time. Windows emit empty batches when
// no point falls in them, as Kapacitor's do. A time window consumes barriers
// (it emits the window they close instead); a count window passes them on.
//
// Each group's points wait in a windowBuffer, which keeps only times and
// values while the points have one float field (see window_buffer.go). When
// the node's only child can reduce such a window from the buffer itself
// (a floatWindowReceiver), it gets the window without a Batch being built.
type Window struct {
	Base
	cfg    WindowConfig
	groups map[GroupID]*windowGroup
	recent groupCache[windowGroup] // finds groups by the identity of their id string first
	dims   sharedDims
}

// windowGroup is the window of one group. It is kept small: a task may hold
// hundreds of thousands of them.
type windowGroup struct {
	name string
	tags Tags        // the group's dimension tags
	dims *Dimensions // nil until the group's first point (a barrier may make the group)
	// nextEmit is, for a time window, the time of the next emission; for a
	// count window, the number of points still to come before it.
	nextEmit int64
	buf      windowBuffer
}

// NewWindow returns a Window node configured by cfg.
func NewWindow(t *Task, info NodeInfo, cfg WindowConfig) *Window {
	return &Window{
		Base:   Base{Task: t, Info: info},
		cfg:    cfg,
		groups: make(map[GroupID]*windowGroup),
	}
}

func (n *Window) byCount() bool { return n.cfg.Period == 0 && n.cfg.PeriodCount > 0 }

// newGroup makes the window of a group whose first message, at time t, has
// the given measurement name.
func (n *Window) newGroup(name string, t int64) *windowGroup {
	w := &windowGroup{name: name}
	if n.byCount() {
		w.nextEmit = n.cfg.EveryCount
		if n.cfg.FillPeriod {
			w.nextEmit = n.cfg.PeriodCount
		}
		return w
	}
	period, every := int64(n.cfg.Period), int64(n.cfg.Every)
	if n.cfg.FillPeriod {
		w.nextEmit = t + period
		if n.cfg.Align {
			first := w.nextEmit
			// The emit must be aligned with every and leave a full period
			// behind it, so the first points may never be emitted.
			w.nextEmit = truncateTime(w.nextEmit, n.cfg.Every)
			if w.nextEmit <= first {
				w.nextEmit += every
			}
		}
	} else {
		w.nextEmit = t + every
		if n.cfg.Align {
			w.nextEmit = truncateTime(w.nextEmit, n.cfg.Every)
		}
	}
	return w
}

// fill records the identity of group id from its first point: its name
// (unless a barrier named it), its dimension tags and its dimensions. The
// batches carry the id computed from these, which is id itself unless a
// barrier made the group.
func (n *Window) fill(w *windowGroup, id GroupID, p *Point) {
	if w.name == "" {
		w.name = p.Name
	}
	names := p.Dimensions.TagNames
	if slices.IsSorted(names) && !hasRepeats(names) {
		w.tags = make(Tags, 0, len(names))
		for _, k := range names {
			v, _ := p.Tags.Get(k)
			w.tags = append(w.tags, Tag{Key: k, Value: v})
		}
	} else {
		w.tags = make(Tags, 0, len(names))
		for _, k := range names {
			v, _ := p.Tags.Get(k)
			w.tags = w.tags.With(k, v)
		}
		names = make([]string, len(w.tags))
		for i, t := range w.tags {
			names[i] = t.Key
		}
	}
	w.dims = n.dims.get(Dimensions{ByName: p.Dimensions.ByName, TagNames: names})
	if own := NewGroupID(w.name, w.tags, *w.dims); own != id {
		w.buf.setID(own)
	}
}

// sharedDims hands out one copy of a grouping to the groups that have it,
// so that a node keeps a pointer per group rather than the grouping. It
// remembers the last grouping only: groups made in a row mostly share one.
type sharedDims struct{ last *Dimensions }

// get returns a shared copy of d.
func (c *sharedDims) get(d Dimensions) *Dimensions {
	if c.last == nil || c.last.ByName != d.ByName || !slices.Equal(c.last.TagNames, d.TagNames) {
		c.last = &Dimensions{ByName: d.ByName, TagNames: d.TagNames}
	}
	return c.last
}

// value returns the grouping d points to, or no grouping for nil.
func (c *sharedDims) value(d *Dimensions) Dimensions {
	if d == nil {
		return Dimensions{}
	}
	return *d
}

// hasRepeats reports whether a sorted list has a repeated element.
func hasRepeats(sorted []string) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}

// Point adds p to its group's window and emits the window when p reaches
// the emit time.
func (n *Window) Point(p Point) {
	n.PointsIn++
	w := n.recent.get(p.Group)
	if w == nil {
		var ok bool
		if w, ok = n.groups[p.Group]; !ok {
			w = n.newGroup(p.Name, p.Time)
			n.groups[p.Group] = w
		}
		n.recent.put(p.Group, w, len(n.groups))
	}
	if w.dims == nil {
		n.fill(w, p.Group, &p)
	}
	if n.byCount() {
		n.pointByCount(w, &p)
		return
	}
	if n.cfg.Every == 0 {
		w.buf.add(&p, w.tags)
		if p.Time >= w.nextEmit {
			// A right-closed window (t−period, t]: it includes p.
			w.buf.purge(p.Time-int64(n.cfg.Period), false)
			n.emit(w, p.Group, p.Time)
			w.nextEmit = p.Time
		}
		return
	}
	if p.Time >= w.nextEmit {
		n.closeWindow(w, p.Group, p.Time)
	}
	w.buf.add(&p, w.tags)
}

// closeWindow emits the left-closed window [nextEmit−period, nextEmit) and
// sets the next emit time from now, the time of the point or barrier that
// closed it.
func (n *Window) closeWindow(w *windowGroup, id GroupID, now int64) {
	w.buf.purge(w.nextEmit-int64(n.cfg.Period), true)
	n.emit(w, id, w.nextEmit)
	w.nextEmit = now + int64(n.cfg.Every)
	if n.cfg.Align {
		w.nextEmit = truncateTime(w.nextEmit, n.cfg.Every)
	}
}

// pointByCount adds p to a count window, which holds the last PeriodCount
// points, and emits it every EveryCount points with the time of the last.
func (n *Window) pointByCount(w *windowGroup, p *Point) {
	if int64(w.buf.len()) >= n.cfg.PeriodCount {
		w.buf.dropFirst()
	}
	w.buf.add(p, w.tags)
	w.nextEmit--
	if w.nextEmit > 0 {
		return
	}
	w.nextEmit = n.cfg.EveryCount
	n.emit(w, p.Group, p.Time)
}

// emit emits the buffered points as the window of group id with time tmax:
// straight from the buffer to a child that can take it so, else as a Batch.
func (n *Window) emit(w *windowGroup, id GroupID, tmax int64) {
	if own := w.buf.ownID(); own != "" {
		id = own
	}
	dims := n.dims.value(w.dims)
	if len(n.Children) == 1 && !w.buf.general {
		if c, ok := n.Children[0].(floatWindowReceiver); ok {
			fw := floatWindow{
				name: w.name, tmax: tmax, group: id, dims: dims, tags: w.tags,
				pointTags: w.buf.tags, key: w.buf.key, points: w.buf.floats[w.buf.head:],
			}
			if c.floatWindow(fw) {
				n.PointsOut++
				return
			}
		}
	}
	n.EmitBatch(Batch{
		Name:       w.name,
		TMax:       tmax,
		Group:      id,
		Dimensions: dims,
		Tags:       w.tags,
		Points:     w.buf.batchPoints(),
	})
}

// Batch reports an error: windows read streams only.
func (n *Window) Batch(Batch) {
	n.PointsIn++
	n.Error(errors.New("window does not support batch data"))
}

// Barrier emits the group's window if the barrier reaches its emit time. A
// barrier for a group the window has not seen starts that group's window,
// as in Kapacitor (its batches are then named "barrier").
func (n *Window) Barrier(g GroupID, t int64) {
	w, ok := n.groups[g]
	if !ok {
		w = n.newGroup("barrier", t)
		n.groups[g] = w
	}
	if n.byCount() {
		n.EmitBarrier(g, t)
		return
	}
	if t < w.nextEmit {
		return
	}
	if n.cfg.Every == 0 {
		w.buf.purge(t-int64(n.cfg.Period), false)
		n.emit(w, g, t)
		w.nextEmit = t
		return
	}
	n.closeWindow(w, g, t)
}

// DeleteGroup drops the group's window, unemitted points included, and
// passes the deletion on.
func (n *Window) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; ok {
		delete(n.groups, g)
		n.recent.forget()
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on; windows not yet due are not emitted.
func (n *Window) Done() { n.EmitDone() }
