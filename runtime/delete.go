package runtime

// DeleteConfig configures a Delete node, |delete().
type DeleteConfig struct {
	Fields []string // .field(name): fields to remove
	Tags   []string // .tag(name): tags to remove
}

// Delete removes fields and tags. A deleted tag also leaves the point's
// dimensions; on a batch it leaves the batch's tags and dimensions.
type Delete struct {
	Base
	cfg DeleteConfig

	FieldsDeleted uint64 // fields removed
	TagsDeleted   uint64 // tags removed
}

// NewDelete returns a Delete node configured by cfg.
func NewDelete(t *Task, info NodeInfo, cfg DeleteConfig) *Delete {
	return &Delete{Base: Base{Task: t, Info: info}, cfg: cfg}
}

// Point emits p without the deleted fields and tags.
func (n *Delete) Point(p Point) {
	n.PointsIn++
	p.Fields = n.fields(p.Fields)
	tags, changed := n.tags(p.Tags)
	if n.deletesDimension(p.Dimensions.TagNames) {
		names := make([]string, 0, len(p.Dimensions.TagNames))
		for _, k := range p.Dimensions.TagNames {
			if !containsString(n.cfg.Tags, k) {
				names = append(names, k)
			}
		}
		p.Dimensions = Dimensions{ByName: p.Dimensions.ByName, TagNames: names}
		changed = true
	}
	if changed {
		p.Tags = tags
		regroup(&p)
	}
	n.EmitPoint(p)
}

func (n *Delete) deletesDimension(names []string) bool {
	for _, k := range names {
		if containsString(n.cfg.Tags, k) {
			return true
		}
	}
	return false
}

// Batch emits b without the deleted fields and tags.
func (n *Delete) Batch(b Batch) {
	n.PointsIn++
	n.EmitBatch(editBatch(b, n.fields, n.tags))
}

func (n *Delete) fields(fs Fields) Fields {
	for _, k := range n.cfg.Fields {
		if !fs.Get(k).IsMissing() {
			fs = fs.Without(k)
			n.FieldsDeleted++
		}
	}
	return fs
}

func (n *Delete) tags(ts Tags) (Tags, bool) {
	changed := false
	for _, k := range n.cfg.Tags {
		if _, ok := ts.Get(k); ok {
			ts = ts.Without(k)
			n.TagsDeleted++
			changed = true
		}
	}
	return ts, changed
}

// Barrier passes the barrier on.
func (n *Delete) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *Delete) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *Delete) Done() { n.EmitDone() }
