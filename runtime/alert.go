package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	html "html/template"
	"io"
	"sync"
	text "text/template"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// The defaults of an alert's templates and history, Kapacitor's.
const (
	DefaultAlertID      = "{{ .Name }}:{{ .Group }}"
	DefaultAlertMessage = "{{ .ID }} is {{ .Level }}"
	DefaultAlertDetails = "{{ json . }}"
	DefaultAlertHistory = 21
)

// AlertConfig is the configuration of an alert node, the properties of
// |alert(). The templates are used as they are (an empty details template
// gives empty details), so a configuration written by hand sets all three;
// see the DefaultAlert constants.
type AlertConfig struct {
	ID      string // text/template of the event ID
	Message string // text/template of the message
	Details string // html/template of the details; has the functions json and jsonCompact

	Category string // .category(): the category .inhibit() of other alerts matches
	Topic    string // .topic(): a named topic whose event state the node keeps too

	// The level expressions; nil when unset. Each is one instance shared by
	// every group, as in Kapacitor, so the state of stateful functions such
	// as sigma() spans groups.
	Info, Warn, Crit Lambda
	// The reset expressions of the levels; nil when unset.
	InfoReset, WarnReset, CritReset Lambda

	// History is the number of levels kept for flapping detection; 0 means
	// DefaultAlertHistory, and values below 2 mean 2.
	History int64

	LevelTag      string // tag set to the level on the output
	LevelField    string // field set to the level
	MessageField  string // field set to the message
	DurationField string // field set to the duration, in nanoseconds
	IDTag         string // tag set to the ID
	IDField       string // field set to the ID

	All          bool // .all(): a batch's level is the lowest of its points
	NoRecoveries bool // .noRecoveries(): OK events are not sent

	StateChangesOnly         bool          // only level changes produce events
	StateChangesOnlyDuration time.Duration // with StateChangesOnly: an unchanged level is sent again after this long

	Flapping bool    // .flapping(low, high)
	FlapLow  float64 // leave flapping below this weighted fraction of changes
	FlapHigh float64 // enter flapping above it

	Inhibitors []AlertInhibitor // .inhibit() calls

	// Handlers receive every event that is not inhibited, in this order.
	Handlers []AlertHandler
}

// AlertInhibitor is one .inhibit(category, equalTags…): while the alert is
// not OK, events of alerts in Category whose EqualTags have the values of the
// group are dropped.
type AlertInhibitor struct {
	Category  string
	EqualTags []string
}

// Alert is the alert node. For every point (or batch) it determines a level
// from its expressions, keeps per group the history of levels, and produces
// an event when the level is not OK or has just become OK, unless flapping,
// stateChangesOnly or noRecoveries suppress it, exactly as Kapacitor's
// AlertNode does. An event goes to the handlers (unless an inhibitor drops
// it), is recorded with the task (Task.RecordAlert), and the point or batch
// that produced it goes downstream with the tags and fields the node adds.
// Data that produces no event is not passed on.
//
// Templates are executed only for events (and, when the node keeps topic
// state, once when a group appears): an ID template that fails makes the
// event fail, logged, after the group's state was updated.
type Alert struct {
	Base
	cfg     AlertConfig
	levels  [AlertCritical + 1]Lambda
	resets  [AlertCritical + 1]Lambda
	history int

	idTmpl      *text.Template
	messageTmpl *text.Template
	detailsTmpl *html.Template
	err         error

	service *alertService
	events  *topicState // the last event of each ID the node sent: its previousLevel
	anon    bool        // the node has handlers, hence Kapacitor's anonymous topic (events restore groups)
	named   *topicState // the topic's events; nil without a topic

	groups     map[GroupID]*alertGroup
	inhibitors []*alertInhibitor // every inhibitor the node registered
	buf        bytes.Buffer

	AlertsTriggered uint64 // events sent (not inhibited)
	OKsTriggered    uint64
	InfosTriggered  uint64
	WarnsTriggered  uint64
	CritsTriggered  uint64
	AlertsInhibited uint64 // events dropped by an inhibitor
	EventsDropped   uint64 // events that failed to render or encode
}

// NewAlert returns an alert node of task t. A template that does not parse,
// flapping thresholds above 1 or a handler's own configuration error are
// reported by Err (Kapacitor refuses such a task); the node then still runs,
// producing no events.
func NewAlert(t *Task, info NodeInfo, cfg AlertConfig) *Alert {
	cfg = WithGlobalHandlers(t, cfg)
	n := &Alert{Base: Base{Task: t, Info: info}, cfg: cfg, groups: map[GroupID]*alertGroup{}}
	n.levels = [...]Lambda{nil, cfg.Info, cfg.Warn, cfg.Crit}
	n.resets = [...]Lambda{nil, cfg.InfoReset, cfg.WarnReset, cfg.CritReset}
	n.history = int(cfg.History)
	switch {
	case cfg.History == 0:
		n.history = DefaultAlertHistory
	case cfg.History < 2:
		n.history = 2
	}
	var errs []error
	var err error
	if n.idTmpl, err = text.New("id").Parse(cfg.ID); err != nil {
		errs = append(errs, fmt.Errorf("alert id template: %w", err))
	}
	if n.messageTmpl, err = text.New("message").Parse(cfg.Message); err != nil {
		errs = append(errs, fmt.Errorf("alert message template: %w", err))
	}
	if n.detailsTmpl, err = html.New("details").Funcs(detailsFuncs).Parse(cfg.Details); err != nil {
		errs = append(errs, fmt.Errorf("alert details template: %w", err))
	}
	if cfg.Flapping && (cfg.FlapLow > 1 || cfg.FlapHigh > 1) {
		errs = append(errs, errors.New("alert flap thresholds are percentages and should be between 0 and 1"))
	}
	for _, h := range cfg.Handlers {
		if h == nil {
			errs = append(errs, errors.New("alert handler is nil"))
			continue
		}
		if e, ok := h.(interface{ Err() error }); ok && e.Err() != nil {
			errs = append(errs, e.Err())
		}
		if a, ok := h.(interface{ attach(NodeInfo) }); ok {
			a.attach(info)
		}
	}
	n.err = errors.Join(errs...)
	if n.err != nil {
		n.Error(n.err)
	}
	if s := alertSettings(t); s != nil {
		n.service = s.service
	} else {
		n.service = newAlertService()
	}
	n.events = newTopicState()
	n.anon = hasTaskHandlers(cfg.Handlers)
	if cfg.Topic != "" {
		n.named = n.service.topic(cfg.Topic)
	}
	return n
}

// Err returns the node's configuration error, or nil.
func (n *Alert) Err() error { return n.err }

// detailsFuncs are the functions of the details template: json writes its
// argument as JSON followed by a newline, jsonCompact without it.
var detailsFuncs = html.FuncMap{
	"json": func(v any) html.JS {
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(v)
		return html.JS(b.String())
	},
	"jsonCompact": func(v any) html.JS {
		var b, c bytes.Buffer
		_ = json.NewEncoder(&b).Encode(v)
		_ = json.Compact(&c, b.Bytes())
		return html.JS(c.String())
	},
}

// alertGroup is the state of one group: Kapacitor's alertState.
type alertGroup struct {
	tags       Tags // the group's tags, for its inhibitors
	history    []AlertLevel
	idx        int
	flapping   bool
	changed    bool
	expired    bool
	first      int64 // when the alert last left OK
	last       int64 // when it last produced an event
	firstSet   bool  // first is set
	everSent   bool  // last is set
	inhibitors []*alertInhibitor
}

func (g *alertGroup) current() AlertLevel { return g.history[g.idx] }

// addEvent appends level to the history and updates changed, flapping and
// expired.
func (g *alertGroup) addEvent(n *Alert, t int64, level AlertLevel) {
	g.changed = g.history[g.idx] != level
	g.idx = (g.idx + 1) % len(g.history)
	g.history[g.idx] = level
	if n.cfg.Flapping {
		p := g.percentChange()
		if g.flapping && p < n.cfg.FlapLow {
			g.flapping = false
		} else if !g.flapping && p > n.cfg.FlapHigh {
			g.flapping = true
		}
	}
	d := n.cfg.StateChangesOnlyDuration
	// Before any event, last is Kapacitor's zero time: any interval has passed.
	g.expired = !g.changed && d != 0 && (!g.everSent || time.Duration(t-g.last) >= d)
}

// The weights of flapping detection: the newest change weighs
// flapMaxWeight, flapWeightDiff times the oldest.
const (
	flapWeightDiff = 1.5
	flapMaxWeight  = 1.2
)

// percentChange is the weighted fraction of level changes in the history,
// Nagios style.
func (g *alertGroup) percentChange() float64 {
	l := len(g.history)
	changes := 0.0
	weight := flapMaxWeight / flapWeightDiff
	step := (flapMaxWeight - weight) / float64(l-1)
	for i := 0; i < l-1; i++ {
		c := (i + g.idx) % l
		p := c - 1
		if p < 0 {
			p = l - 1
		}
		if g.history[c] != g.history[p] {
			changes += weight
		}
		weight += step
	}
	return changes / float64(l-1)
}

// triggered records that the group produced an event at t.
func (g *alertGroup) triggered(t int64) {
	g.last, g.everSent = t, true
	p := g.idx - 1
	if p < 0 {
		p = len(g.history) - 1
	}
	if g.history[p] == AlertOK {
		g.first, g.firstSet = t, true
	}
	active := g.history[g.idx] != AlertOK
	for _, in := range g.inhibitors {
		in.active.Store(active)
	}
}

// duration is the time since the alert left OK. An alert that left OK while
// its events were held back has no start: like Kapacitor's zero time, that
// gives the largest duration.
func (g *alertGroup) duration() time.Duration {
	if !g.firstSet {
		return time.Unix(0, g.last).Sub(time.Time{})
	}
	return time.Duration(g.last - g.first)
}

// newGroup makes the state of group id, which appears with data of the
// given name and tags at time t; groupTags are its dimension tags.
func (n *Alert) newGroup(id GroupID, name string, tags, groupTags Tags, t int64) *alertGroup {
	g := &alertGroup{tags: groupTags, history: make([]AlertLevel, n.history)}
	for _, in := range n.cfg.Inhibitors {
		inh := &alertInhibitor{category: in.Category}
		for _, k := range in.EqualTags {
			v, _ := groupTags.Get(k)
			inh.tags = append(inh.tags, Tag{Key: k, Value: v})
		}
		g.inhibitors = append(g.inhibitors, inh)
		n.inhibitors = append(n.inhibitors, inh)
		n.service.addInhibitor(inh)
	}
	n.groups[id] = g
	n.restore(g, id, name, tags, t)
	return g
}

// restore starts a new group at the level its alert ID had in the topics,
// as Kapacitor does when a group appears again after being deleted.
func (n *Alert) restore(g *alertGroup, group GroupID, name string, tags Tags, t int64) {
	if (!n.anon || n.events.empty()) && (n.named == nil || n.named.empty()) {
		return
	}
	id, err := n.renderID(name, group, tags)
	if err != nil {
		n.Error(err)
		return
	}
	var state topicEvent
	var found bool
	if n.anon {
		state, found = n.events.get(id)
	}
	if !found && n.named != nil {
		if state, found = n.named.get(id); found && n.anon {
			n.events.update(id, state)
		}
	}
	if found && state.level != AlertOK {
		g.addEvent(n, t, state.level)
		g.triggered(state.time)
	}
}

// determineLevel is Kapacitor's level determination for one point, given the
// group's current level.
func (n *Alert) determineLevel(cur AlertLevel, t int64, tags Tags, fields Fields) AlertLevel {
	if l, ok := n.firstMatch(AlertCritical, cur-1, t, tags, fields); ok {
		return l
	}
	if r := n.resets[cur]; r != nil {
		pass, err := evalPredicate(r, t, tags, fields)
		if err != nil {
			n.Error(fmt.Errorf("error evaluating reset expression for current level %s: %w", cur, err))
		} else if !pass {
			return cur
		}
	}
	if l, ok := n.firstMatch(cur, AlertOK, t, tags, fields); ok {
		return l
	}
	return AlertOK
}

// firstMatch tests the level expressions from start down to, not including,
// stop and returns the first level whose expression is true.
func (n *Alert) firstMatch(start, stop AlertLevel, t int64, tags Tags, fields Fields) (AlertLevel, bool) {
	if stop < AlertOK {
		stop = AlertOK
	}
	for l := start; l > stop; l-- {
		e := n.levels[l]
		if e == nil {
			continue
		}
		pass, err := evalPredicate(e, t, tags, fields)
		if err != nil {
			n.Error(fmt.Errorf("error evaluating expression for level %s: %w", l, err))
			continue
		}
		if pass {
			return l, true
		}
	}
	return AlertOK, false
}

// suppressed reports whether flapping or stateChangesOnly hold back an event.
func (n *Alert) suppressed(g *alertGroup) bool {
	return (n.cfg.Flapping && g.flapping) || (n.cfg.StateChangesOnly && !g.changed && !g.expired)
}

// Point determines the point's level and passes it on, augmented, when it
// produces an event.
func (n *Alert) Point(p Point) {
	n.PointsIn++
	g, ok := n.groups[p.Group]
	if !ok {
		g = n.newGroup(p.Group, p.Name, p.Tags, groupTags(p.Tags, p.Dimensions), p.Time)
	}
	l := n.determineLevel(g.current(), p.Time, p.Tags, p.Fields)
	g.addEvent(n, p.Time, l)
	if n.suppressed(g) || (l == AlertOK && !g.changed) {
		return
	}
	g.triggered(p.Time)
	if n.cfg.NoRecoveries && l == AlertOK {
		return
	}
	ev := n.event(p.Name, p.Group, p.Tags, p.Fields, l, p.Time, g.duration())
	if ev == nil {
		return
	}
	ev.Data = PointResult(p)
	n.handleEvent(ev)
	if n.cfg.LevelTag != "" || n.cfg.IDTag != "" {
		p.Tags = n.augmentTags(p.Tags, ev)
		p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	}
	p.Fields = n.augmentFields(p.Fields, ev)
	n.EmitPoint(p)
}

// Batch determines the batch's level from its points' levels and passes it
// on, augmented, when it produces an event. Empty batches are ignored.
func (n *Alert) Batch(b Batch) {
	n.PointsIn++
	g, ok := n.groups[b.Group]
	if !ok {
		g = n.newGroup(b.Group, b.Name, b.Tags, b.Tags, b.TMax)
	}
	if len(b.Points) == 0 {
		return
	}
	lowest, highest, hi := AlertCritical, AlertOK, -1
	cur := g.current()
	for i, bp := range b.Points {
		l := n.determineLevel(cur, bp.Time, bp.Tags, bp.Fields)
		if l < lowest {
			lowest = l
		}
		if l > highest || hi < 0 {
			highest, hi = l, i
		}
	}
	l, t := highest, b.Points[hi].Time
	if n.cfg.All {
		l = lowest
	}
	if n.cfg.All || l == AlertOK {
		t = b.TMax
	}
	g.addEvent(n, t, l)
	recovery := g.changed && l == AlertOK
	if !recovery && (l == AlertOK || n.suppressed(g)) {
		return
	}
	g.triggered(t)
	if n.cfg.NoRecoveries && l == AlertOK {
		return
	}
	ev := n.event(b.Name, b.Group, b.Tags, b.Points[hi].Fields, l, t, g.duration())
	if ev == nil {
		return
	}
	ev.Data = BatchResult(b)
	n.handleEvent(ev)
	if n.cfg.LevelTag != "" || n.cfg.LevelField != "" || n.cfg.IDTag != "" || n.cfg.IDField != "" ||
		n.cfg.DurationField != "" || n.cfg.MessageField != "" {
		pts := make([]BatchPoint, len(b.Points))
		for i, bp := range b.Points {
			bp.Tags = n.augmentTags(bp.Tags, ev)
			bp.Fields = n.augmentFields(bp.Fields, ev)
			pts[i] = bp
		}
		b.Points = pts
		if n.cfg.LevelTag != "" || n.cfg.IDTag != "" {
			// As Kapacitor's SetTags on a batch: every tag becomes a
			// dimension, so the level and ID tags are part of the group.
			b.Tags = n.augmentTags(b.Tags, ev)
			names := make([]string, len(b.Tags))
			for i, t := range b.Tags {
				names[i] = t.Key
			}
			b.Dimensions = Dimensions{ByName: b.Dimensions.ByName, TagNames: names}
			b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
		}
	}
	n.EmitBatch(b)
}

// augmentTags sets the level and ID tags the node is configured with.
func (n *Alert) augmentTags(tags Tags, ev *AlertEvent) Tags {
	if n.cfg.LevelTag != "" {
		tags = tags.With(n.cfg.LevelTag, ev.Level.String())
	}
	if n.cfg.IDTag != "" {
		tags = tags.With(n.cfg.IDTag, ev.ID)
	}
	return tags
}

// augmentFields sets the level, message, ID and duration fields the node is
// configured with.
func (n *Alert) augmentFields(fields Fields, ev *AlertEvent) Fields {
	if n.cfg.LevelField != "" {
		fields = fields.With(n.cfg.LevelField, stdlib.String(ev.Level.String()))
	}
	if n.cfg.MessageField != "" {
		fields = fields.With(n.cfg.MessageField, stdlib.String(ev.Message))
	}
	if n.cfg.IDField != "" {
		fields = fields.With(n.cfg.IDField, stdlib.String(ev.ID))
	}
	if n.cfg.DurationField != "" {
		fields = fields.With(n.cfg.DurationField, stdlib.Int(int64(ev.Duration)))
	}
	return fields
}

// event renders the event of a point or batch, without its data. It returns
// nil, with the error logged, when a template fails.
func (n *Alert) event(name string, group GroupID, tags Tags, fields Fields, l AlertLevel, t int64, d time.Duration) *AlertEvent {
	if n.err != nil {
		n.EventsDropped++
		return nil
	}
	id, err := n.renderID(name, group, tags)
	if err != nil {
		n.EventsDropped++
		n.Error(err)
		return nil
	}
	ev := &AlertEvent{
		ID:          id,
		Time:        t,
		Duration:    d,
		Level:       l,
		Recoverable: !n.cfg.NoRecoveries,
		Name:        name,
		Category:    n.cfg.Category,
		Group:       group,
		Tags:        tags,
		Fields:      fields,
	}
	if n.Task != nil {
		ev.TaskName = n.Task.Name
	}
	if err := n.renderMessageAndDetails(ev); err != nil {
		n.EventsDropped++
		n.Error(err)
		return nil
	}
	return ev
}

// handleEvent sends ev: it checks the inhibitors, updates the counters and
// the topics' event states, encodes the body, records it with the task and
// hands it to the handlers.
func (n *Alert) handleEvent(ev *AlertEvent) {
	if n.service.isInhibited(ev.Category, ev.Tags) {
		n.AlertsInhibited++
		return
	}
	n.AlertsTriggered++
	switch ev.Level {
	case AlertOK:
		n.OKsTriggered++
	case AlertInfo:
		n.InfosTriggered++
	case AlertWarning:
		n.WarnsTriggered++
	case AlertCritical:
		n.CritsTriggered++
	}
	// previousLevel is that of the node's own last event of the ID, as in
	// Kapacitor's anonymous topic (a node without handlers has no topic in
	// Kapacitor, and no body either; the recorded body reads the same).
	state := topicEvent{level: ev.Level, time: ev.Time}
	if n.named != nil {
		n.named.update(ev.ID, state)
	}
	if prev, ok := n.events.update(ev.ID, state); ok {
		ev.PreviousLevel = prev.level
	}
	body, err := ev.encodeBody()
	if err != nil {
		n.EventsDropped++
		n.Error(err)
		return
	}
	ev.Body = body
	if n.Task != nil {
		n.Task.RecordAlert(body)
	}
	for _, h := range n.cfg.Handlers {
		if h != nil {
			h.Handle(ev)
		}
	}
}

// Barrier passes the barrier on; like Kapacitor's grouped consumer, a
// barrier makes the group known.
func (n *Alert) Barrier(g GroupID, t int64) {
	if _, ok := n.groups[g]; !ok {
		n.newGroup(g, "", nil, nil, t)
	}
	n.EmitBarrier(g, t)
}

// DeleteGroup forgets the group's state and passes the deletion on when the
// group was known. Its inhibitors stay registered, in their last state, as in
// Kapacitor.
func (n *Alert) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; !ok {
		return
	}
	delete(n.groups, g)
	n.EmitDeleteGroup(g)
}

// Done removes the node's inhibitors, closes its handlers (delivering what
// they have queued, all handlers at once) and passes Done on.
func (n *Alert) Done() {
	for _, in := range n.inhibitors {
		n.service.removeInhibitor(in)
	}
	n.inhibitors = nil
	var wg sync.WaitGroup
	errs := make([]error, len(n.cfg.Handlers))
	for i, h := range n.cfg.Handlers {
		if c, ok := h.(io.Closer); ok {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = c.Close()
			}()
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			n.Error(err)
		}
	}
	n.EmitDone()
}

// The data of the templates, with Kapacitor's field names and order (the
// default details write them as JSON).
type (
	alertServerInfo struct {
		Hostname  string
		ClusterID string
		ServerID  string
	}
	alertIDInfo struct {
		Name       string
		TaskName   string
		Group      string // "nil" for ungrouped data
		Tags       map[string]string
		ServerInfo alertServerInfo
	}
	alertMessageInfo struct {
		alertIDInfo
		ID       string
		Fields   map[string]any
		Level    string
		Time     time.Time
		Duration time.Duration
	}
	alertDetailsInfo struct {
		alertMessageInfo
		Message string
	}
)

func (n *Alert) idInfo(name string, group GroupID, tags Tags) alertIDInfo {
	g := string(group)
	if group == "" {
		g = "nil"
	}
	info := alertIDInfo{Name: name, Group: g, Tags: make(map[string]string, len(tags)), ServerInfo: alertServerInfo{Hostname: "localhost"}}
	for _, t := range tags {
		info.Tags[t.Key] = t.Value
	}
	if n.Task != nil {
		info.TaskName = n.Task.Name
		if n.Task.Config != nil {
			info.ServerInfo.Hostname = n.Task.Config.Hostname
		}
	}
	return info
}

func (n *Alert) renderID(name string, group GroupID, tags Tags) (string, error) {
	n.buf.Reset()
	if err := n.idTmpl.Execute(&n.buf, n.idInfo(name, group, tags)); err != nil {
		return "", fmt.Errorf("alert id template: %w", err)
	}
	return n.buf.String(), nil
}

func (n *Alert) renderMessageAndDetails(ev *AlertEvent) error {
	m := alertMessageInfo{
		alertIDInfo: n.idInfo(ev.Name, ev.Group, ev.Tags),
		ID:          ev.ID,
		Fields:      make(map[string]any, len(ev.Fields)),
		Level:       ev.Level.String(),
		Time:        TimeValue(ev.Time),
		Duration:    ev.Duration,
	}
	for _, f := range ev.Fields {
		m.Fields[f.Key] = RowValue(f.Value)
	}
	n.buf.Reset()
	if err := n.messageTmpl.Execute(&n.buf, m); err != nil {
		return fmt.Errorf("alert message template: %w", err)
	}
	ev.Message = n.buf.String()
	n.buf.Reset()
	if err := n.detailsTmpl.Execute(&n.buf, alertDetailsInfo{alertMessageInfo: m, Message: ev.Message}); err != nil {
		return fmt.Errorf("alert details template: %w", err)
	}
	ev.Details = n.buf.String()
	return nil
}
