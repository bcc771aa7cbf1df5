package runtime

// UnionConfig is the configuration of a union node, the properties of
// |union().
type UnionConfig struct {
	// Parents is the number of parents: the node on which union is called and
	// the nodes passed to it.
	Parents int
	// Rename, when set, renames all the data passing through.
	Rename string
}

// Union merges the data of its parents, unchanged but for an optional
// rename, in time order as Kapacitor's UnionNode does: each parent's data is
// buffered, and data is released up to the oldest time every parent has
// reached. Barriers are merged the same way; group deletions pass at once.
//
// Union has one input per parent: link parent i with
// parent.AddChild(u.Input(i)). Done reaches the node once per parent; it
// releases everything buffered and passes Done on only when every parent is
// done.
type Union struct {
	Base
	cfg     UnionConfig
	inputs  []*unionInput
	queues  [][]unionItem // buffered data, per parent
	marks   []int64       // each parent's latest time
	hasMark []bool
	done    int
}

// unionItem is a buffered point, batch or barrier.
type unionItem struct {
	kind  uint8 // unionPoint, unionBatch or unionBarrier
	p     Point
	b     Batch
	group GroupID // of a barrier
	t     int64
}

const (
	unionPoint uint8 = iota
	unionBatch
	unionBarrier
)

// NewUnion returns a union node with cfg.Parents inputs.
func NewUnion(t *Task, info NodeInfo, cfg UnionConfig) *Union {
	n := max(cfg.Parents, 0)
	u := &Union{
		Base:    Base{Task: t, Info: info},
		cfg:     cfg,
		inputs:  make([]*unionInput, n),
		queues:  make([][]unionItem, n),
		marks:   make([]int64, n),
		hasMark: make([]bool, n),
	}
	for i := range u.inputs {
		u.inputs[i] = &unionInput{u: u, src: i}
	}
	return u
}

// Input returns the receiver of parent i, 0 <= i < cfg.Parents.
func (u *Union) Input(i int) Receiver { return u.inputs[i] }

// Buffered returns the number of points, batches and barriers held back.
func (u *Union) Buffered() int {
	n := 0
	for _, q := range u.queues {
		n += len(q)
	}
	return n
}

type unionInput struct {
	u   *Union
	src int
}

func (in *unionInput) Point(p Point) {
	u := in.u
	u.PointsIn++
	if u.cfg.Rename != "" {
		p.Name = u.cfg.Rename
		p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	}
	u.queues[in.src] = append(u.queues[in.src], unionItem{kind: unionPoint, p: p, t: p.Time})
	u.emitReady(false)
}

func (in *unionInput) Batch(b Batch) {
	u := in.u
	u.PointsIn++
	if u.cfg.Rename != "" {
		b.Name = u.cfg.Rename
		b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
	}
	u.queues[in.src] = append(u.queues[in.src], unionItem{kind: unionBatch, b: b, t: b.TMax})
	u.emitReady(false)
}

func (in *unionInput) Barrier(g GroupID, t int64) {
	u := in.u
	u.queues[in.src] = append(u.queues[in.src], unionItem{kind: unionBarrier, group: g, t: t})
	u.emitReady(false)
}

func (in *unionInput) DeleteGroup(g GroupID) { in.u.EmitDeleteGroup(g) }

func (in *unionInput) Done() {
	u := in.u
	u.done++
	if u.done < len(u.inputs) {
		return
	}
	if !u.Task.Suspended() { // else the held data is in the checkpoint
		u.emitReady(true)
	}
	u.EmitDone()
}

// emitReady releases buffered data up to the low-water mark: the oldest of
// the parents' latest times, once every parent has sent something. When
// draining, the mark is the oldest buffered time, until nothing is left.
func (u *Union) emitReady(drain bool) {
	for emitted := true; emitted; {
		emitted = false
		var mark int64
		hasMark := false
		valid := 0
		for i, q := range u.queues {
			if len(q) > 0 {
				t := q[0].t
				if !hasMark || t < mark {
					mark, hasMark = t, true
				}
				u.marks[i], u.hasMark[i] = t, true
			}
			if u.hasMark[i] {
				valid++
				if !drain && (!hasMark || u.marks[i] < mark) {
					mark, hasMark = u.marks[i], true
				}
			}
		}
		if !drain && valid != len(u.queues) {
			// Wait until every parent has sent something.
			return
		}
		for i, q := range u.queues {
			j := 0
			for ; j < len(q) && q[j].t <= mark; j++ {
				u.emit(q[j])
				emitted = true
			}
			u.queues[i] = q[j:]
		}
	}
}

func (u *Union) emit(it unionItem) {
	switch it.kind {
	case unionPoint:
		u.EmitPoint(it.p)
	case unionBatch:
		u.EmitBatch(it.b)
	default:
		u.EmitBarrier(it.group, it.t)
	}
}
