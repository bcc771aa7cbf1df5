package runtime

import (
	"errors"
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
type Window struct {
	Base
	cfg    WindowConfig
	groups map[GroupID]*windowGroup
}

// windowGroup is the window of one group.
type windowGroup struct {
	name   string
	group  GroupID
	tags   Tags // the group's dimension tags
	dims   Dimensions
	filled bool // name, group, tags and dims are known (false when a barrier made the group)

	// time windows
	nextEmit int64
	buf      []BatchPoint // points in arrival order from head on
	head     int

	// count windows
	ring  []BatchPoint // the last PeriodCount points, oldest at start once full
	start int
	count int64 // points received
	next  int64 // the count at which to emit next
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
func (n *Window) newGroup(g GroupID, name string, t int64) *windowGroup {
	w := &windowGroup{name: name, group: g}
	if n.byCount() {
		w.next = n.cfg.EveryCount
		if n.cfg.FillPeriod {
			w.next = n.cfg.PeriodCount
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

// fill records the group's identity from its first point.
func (w *windowGroup) fill(p *Point) {
	w.filled = true
	if w.name == "" {
		w.name = p.Name
	}
	w.dims = Dimensions{ByName: p.Dimensions.ByName, TagNames: p.Dimensions.TagNames}
	w.tags = make(Tags, 0, len(p.Dimensions.TagNames))
	for _, k := range p.Dimensions.TagNames {
		v, _ := p.Tags.Get(k)
		w.tags = w.tags.With(k, v)
	}
	w.dims.TagNames = make([]string, len(w.tags))
	for i, t := range w.tags {
		w.dims.TagNames[i] = t.Key
	}
	w.group = NewGroupID(w.name, w.tags, w.dims)
}

// Point adds p to its group's window and emits the window when p reaches
// the emit time.
func (n *Window) Point(p Point) {
	n.PointsIn++
	w, ok := n.groups[p.Group]
	if !ok {
		w = n.newGroup(p.Group, p.Name, p.Time)
		n.groups[p.Group] = w
	}
	if !w.filled {
		w.fill(&p)
	}
	bp := BatchPoint{Time: p.Time, Fields: p.Fields, Tags: p.Tags}
	if n.byCount() {
		n.pointByCount(w, bp)
		return
	}
	if n.cfg.Every == 0 {
		w.insert(bp)
		if p.Time >= w.nextEmit {
			// A right-closed window (t−period, t]: it includes p.
			w.purge(p.Time-int64(n.cfg.Period), false)
			n.emitTime(w, p.Time)
			w.nextEmit = p.Time
		}
		return
	}
	if p.Time >= w.nextEmit {
		n.closeWindow(w, p.Time)
	}
	w.insert(bp)
}

// closeWindow emits the left-closed window [nextEmit−period, nextEmit) and
// sets the next emit time from now, the time of the point or barrier that
// closed it.
func (n *Window) closeWindow(w *windowGroup, now int64) {
	w.purge(w.nextEmit-int64(n.cfg.Period), true)
	n.emitTime(w, w.nextEmit)
	w.nextEmit = now + int64(n.cfg.Every)
	if n.cfg.Align {
		w.nextEmit = truncateTime(w.nextEmit, n.cfg.Every)
	}
}

func (n *Window) pointByCount(w *windowGroup, bp BatchPoint) {
	// The ring grows to PeriodCount points, then overwrites the oldest.
	if int64(len(w.ring)) < n.cfg.PeriodCount {
		w.ring = append(w.ring, bp)
	} else {
		w.ring[w.start] = bp
		w.start = (w.start + 1) % len(w.ring)
	}
	w.count++
	if w.count != w.next {
		return
	}
	w.next += n.cfg.EveryCount
	pts := make([]BatchPoint, 0, len(w.ring))
	pts = append(pts, w.ring[w.start:]...)
	pts = append(pts, w.ring[:w.start]...)
	n.EmitBatch(w.batch(pts[len(pts)-1].Time, pts))
}

// insert appends bp to the time buffer.
func (w *windowGroup) insert(bp BatchPoint) {
	if w.head > 0 && len(w.buf) == cap(w.buf) {
		// Reuse the purged front instead of growing.
		k := copy(w.buf, w.buf[w.head:])
		clear(w.buf[k:])
		w.buf = w.buf[:k]
		w.head = 0
	}
	w.buf = append(w.buf, bp)
}

// purge drops buffered points from the front while they are older than
// oldest (or at oldest, unless inclusive), stopping at the first point that
// stays, as Kapacitor does: buffered points are in arrival order.
func (w *windowGroup) purge(oldest int64, inclusive bool) {
	for w.head < len(w.buf) {
		t := w.buf[w.head].Time
		if t > oldest || (inclusive && t == oldest) {
			break
		}
		w.buf[w.head] = BatchPoint{}
		w.head++
	}
	if w.head == len(w.buf) {
		w.buf = w.buf[:0]
		w.head = 0
	}
}

// emitTime emits the buffered points as a batch with time tmax.
func (n *Window) emitTime(w *windowGroup, tmax int64) {
	var pts []BatchPoint
	if k := len(w.buf) - w.head; k > 0 {
		pts = make([]BatchPoint, k)
		copy(pts, w.buf[w.head:])
	}
	n.EmitBatch(w.batch(tmax, pts))
}

func (w *windowGroup) batch(tmax int64, pts []BatchPoint) Batch {
	return Batch{
		Name:       w.name,
		TMax:       tmax,
		Group:      w.group,
		Dimensions: w.dims,
		Tags:       w.tags,
		Points:     pts,
	}
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
		w = n.newGroup(g, "barrier", t)
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
		w.purge(t-int64(n.cfg.Period), false)
		n.emitTime(w, t)
		w.nextEmit = t
		return
	}
	n.closeWindow(w, t)
}

// DeleteGroup drops the group's window, unemitted points included, and
// passes the deletion on.
func (n *Window) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; ok {
		delete(n.groups, g)
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on; windows not yet due are not emitted.
func (n *Window) Done() { n.EmitDone() }
