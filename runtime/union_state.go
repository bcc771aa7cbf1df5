package runtime

import "fmt"

// SaveState appends the union's state: how many parents are done and, per
// parent, its latest time and the points, batches and barriers it holds
// back until every parent has reached their time.
func (u *Union) SaveState(e *StateEncoder) {
	e.Len(u.done)
	for i, q := range u.queues {
		e.Bool(u.hasMark[i])
		e.Int(u.marks[i])
		e.Len(len(q))
		for _, it := range q {
			e.Uint(uint64(it.kind))
			switch it.kind {
			case unionPoint:
				e.Point(it.p)
			case unionBatch:
				e.Batch(it.b)
			default:
				e.Group(it.group)
				e.Int(it.t)
			}
		}
	}
}

// LoadState restores what SaveState wrote into a union with as many
// parents.
func (u *Union) LoadState(d *StateDecoder) error {
	u.done = d.Len()
	if u.done > len(u.inputs) {
		d.Fail(fmt.Errorf("union state has %d parents done of %d", u.done, len(u.inputs)))
	}
	for i := range u.queues {
		u.hasMark[i] = d.Bool()
		u.marks[i] = d.Int()
		n := d.Len()
		q := make([]unionItem, 0, n)
		for ; n > 0 && d.Err() == nil; n-- {
			it := unionItem{kind: uint8(d.Uint())}
			switch it.kind {
			case unionPoint:
				it.p = d.Point()
				it.t = it.p.Time
			case unionBatch:
				it.b = d.Batch()
				it.t = it.b.TMax
			case unionBarrier:
				it.group = d.Group()
				it.t = d.Int()
			default:
				d.Fail(fmt.Errorf("union state has an item of unknown kind %d", it.kind))
			}
			q = append(q, it)
		}
		u.queues[i] = q
	}
	return d.Err()
}
