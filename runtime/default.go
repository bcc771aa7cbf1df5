package runtime

// DefaultConfig configures a Default node, |default().
type DefaultConfig struct {
	Fields []Field // .field(name, value): set when the point lacks the field
	Tags   []Tag   // .tag(name, value): set when the tag is absent or empty
}

// Default fills in missing fields and tags. On a batch the tag defaults also
// apply to the batch's own tags, which then become its dimensions.
type Default struct {
	Base
	cfg DefaultConfig

	FieldsDefaulted uint64 // fields filled in
	TagsDefaulted   uint64 // tags filled in
}

// NewDefault returns a Default node configured by cfg.
func NewDefault(t *Task, info NodeInfo, cfg DefaultConfig) *Default {
	return &Default{Base: Base{Task: t, Info: info}, cfg: cfg}
}

// Point emits p with its defaults set.
func (n *Default) Point(p Point) {
	n.PointsIn++
	p.Fields = n.fields(p.Fields)
	if tags, changed := n.tags(p.Tags); changed {
		p.Tags = tags
		regroup(&p)
	}
	n.EmitPoint(p)
}

// Batch emits b with the defaults set on its tags and on its points.
func (n *Default) Batch(b Batch) {
	n.PointsIn++
	n.EmitBatch(editBatch(b, n.fields, n.tags))
}

func (n *Default) fields(fs Fields) Fields {
	for _, d := range n.cfg.Fields {
		if fs.Get(d.Key).IsMissing() {
			fs = fs.With(d.Key, d.Value)
			n.FieldsDefaulted++
		}
	}
	return fs
}

func (n *Default) tags(ts Tags) (Tags, bool) {
	changed := false
	for _, d := range n.cfg.Tags {
		if v, _ := ts.Get(d.Key); v == "" {
			ts = ts.With(d.Key, d.Value)
			n.TagsDefaulted++
			changed = true
		}
	}
	return ts, changed
}

// Barrier passes the barrier on.
func (n *Default) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *Default) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *Default) Done() { n.EmitDone() }

// editBatch returns b with its group tags and every point's tags passed
// through tags and every point's fields through fields (the edits of the
// default and delete nodes). The points are copied: b's are shared.
func editBatch(b Batch, fields func(Fields) Fields, tags func(Tags) (Tags, bool)) Batch {
	bt, _ := tags(b.Tags)
	setBatchTags(&b, bt)
	pts := make([]BatchPoint, len(b.Points))
	for i, bp := range b.Points {
		bp.Fields = fields(bp.Fields)
		bp.Tags, _ = tags(bp.Tags)
		pts[i] = bp
	}
	b.Points = pts
	return b
}

// setBatchTags gives b new group tags; as in Kapacitor the batch's
// dimensions become exactly those tags and its group is recomputed.
func setBatchTags(b *Batch, tags Tags) {
	b.Tags = tags
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Key
	}
	b.Dimensions = Dimensions{ByName: b.Dimensions.ByName, TagNames: names}
	b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
}
