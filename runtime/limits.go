package runtime

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// LimitsConfig is the [limits] section, tickc's own: bounds on the groups a
// task keeps. Kapacitor forgets a group only when barrier().delete(TRUE)
// deletes it, so that a task's memory grows with every series it ever saw;
// both limits are off by default, which keeps that behaviour.
type LimitsConfig struct {
	// GroupIdleTimeout deletes a group that has received no data for longer
	// than this, measured on the task's clock (the wall clock in serve, the
	// replay clock in replay): the node that made the group sends DeleteGroup
	// down the pipeline, and every node releases the group's state as after
	// barrier().delete(TRUE). 0 turns expiry off.
	GroupIdleTimeout time.Duration `toml:"group-idle-timeout"`
	// MaxGroupsPerTask is the most groups one task keeps; a point that would
	// make one more is rejected (and counted) by the node that groups it,
	// while the groups already kept go on. The ungrouped group of a from()
	// without groupBy does not count. 0 means no limit.
	MaxGroupsPerTask int `toml:"max-groups-per-task"`
}

// check validates the section.
func (l LimitsConfig) check() []error {
	var errs []error
	if l.GroupIdleTimeout < 0 {
		errs = append(errs, errors.New("limits.group-idle-timeout must not be negative"))
	}
	if l.MaxGroupsPerTask < 0 {
		errs = append(errs, errors.New("limits.max-groups-per-task must not be negative"))
	}
	return errs
}

// durationVar and intVar parse the TICKC_ variables of the section's keys.
func durationVar(p *time.Duration) func(string) error {
	return func(s string) error {
		d, err := time.ParseDuration(s)
		*p = d
		return err
	}
}

func intVar(p *int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		*p = n
		return err
	}
}

// limitFlags adds serve's and replay's --group-idle-timeout and
// --max-groups-per-task to fs. The returned function sets, after parsing,
// the limits given on the command line over those of cfg (file and
// environment) and validates them.
func limitFlags(fs *flag.FlagSet) func(cfg *Config) error {
	idle := fs.Duration("group-idle-timeout", 0, "delete a group idle for longer than this, on the task's clock (overrides limits.group-idle-timeout; 0: never)")
	maxGroups := fs.Int("max-groups-per-task", 0, "reject the points of new groups once a task keeps this many (overrides limits.max-groups-per-task; 0: no limit)")
	return func(cfg *Config) error {
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "group-idle-timeout":
				cfg.Limits.GroupIdleTimeout = *idle
			case "max-groups-per-task":
				cfg.Limits.MaxGroupsPerTask = *maxGroups
			}
		})
		return errors.Join(cfg.Limits.check()...)
	}
}

// AdmitGroup is called by the nodes that make groups (from, groupBy and the
// fused from of generated code) for each point, with the group they gave
// it. It records the group's activity for idle expiry and reports whether
// the point may go on: false when the group is new and the task already
// keeps the most groups it may; the node then drops the point. With both
// limits off (the default) it returns true and does nothing else. n is the
// node itself: an expired group is deleted by calling n.DeleteGroup.
func (t *Task) AdmitGroup(n Receiver, g GroupID) bool {
	if t == nil || t.limits == nil {
		return true
	}
	return t.limits.admit(n, g)
}

// PointsRejected returns how many points the task's group limit rejected.
// It is safe for concurrent use.
func (t *Task) PointsRejected() uint64 {
	if t.limits == nil {
		return 0
	}
	return t.limits.rejected.Load()
}

// groupLimiter keeps the groups a task's grouping nodes made, in the order
// of their last data (when groups expire), and enforces the task's group
// limit. It runs on the task's goroutine.
//
// Expiry costs O(1) per point (a map lookup and a move to the end of the
// list) and O(expired) per sweep: one timer per task is armed for the
// moment the least recently active group expires; when it fires, the
// groups at the front of the list that are idle for longer than the timeout
// are deleted, and the timer is armed again for the new front.
type groupLimiter struct {
	task *Task
	idle int64 // the idle timeout in nanoseconds; 0: no expiry
	max  int   // the group limit; 0: none

	entries map[groupKey]*groupEntry
	// counts holds, per group, how many grouping nodes keep it: a group
	// that two from nodes make (both sides of a join) counts once.
	counts map[GroupID]int
	// oldest and newest end the list of entries by last activity (only
	// when groups expire).
	oldest, newest *groupEntry
	sweep          *Timer

	rejected atomic.Uint64
	loggedAt time.Time // when a rejection was last logged
	unlogged uint64    // rejections since then
}

// groupKey is a group as one node made it.
type groupKey struct {
	node Receiver
	id   GroupID
}

type groupEntry struct {
	key        groupKey
	last       int64 // the task time of the group's last data at the node
	prev, next *groupEntry
}

// rejectLogInterval is the least time between two log lines about points
// rejected by the group limit.
const rejectLogInterval = time.Minute

// ReasonGroupLimit is the reason of the points a task's group limit
// rejects, in metrics.
const ReasonGroupLimit = "group_limit"

// newGroupLimiter returns the limiter of t, or nil when both limits are off.
func newGroupLimiter(t *Task, cfg LimitsConfig) *groupLimiter {
	if cfg.GroupIdleTimeout <= 0 && cfg.MaxGroupsPerTask <= 0 {
		return nil
	}
	l := &groupLimiter{
		task:    t,
		idle:    int64(max(cfg.GroupIdleTimeout, 0)),
		max:     max(cfg.MaxGroupsPerTask, 0),
		entries: map[groupKey]*groupEntry{},
		counts:  map[GroupID]int{},
	}
	if l.idle > 0 {
		l.sweep = t.NewTimer(l.expire)
	}
	return l
}

func (l *groupLimiter) admit(n Receiver, g GroupID) bool {
	k := groupKey{n, g}
	if e := l.entries[k]; e != nil {
		if l.idle > 0 {
			e.last = l.task.Now()
			l.unlink(e)
			l.pushBack(e)
		}
		return true
	}
	if l.max > 0 && g != "" && l.counts[g] == 0 && l.kept() >= l.max {
		l.reject(n, g)
		return false
	}
	e := &groupEntry{key: k}
	l.entries[k] = e
	l.counts[g]++
	if l.idle > 0 {
		e.last = l.task.Now()
		l.pushBack(e)
		if !l.sweep.Armed() {
			l.sweep.Reset(e.last + l.idle + 1)
		}
	}
	return true
}

// kept returns the number of groups that count against the limit.
func (l *groupLimiter) kept() int {
	n := len(l.counts)
	if l.counts[""] > 0 {
		n--
	}
	return n
}

// expire deletes the groups idle for longer than the timeout at task time
// now, least recently active first, and arms the timer for the next one.
func (l *groupLimiter) expire(now int64) {
	for e := l.oldest; e != nil && e.last+l.idle < now; e = l.oldest {
		l.unlink(e)
		delete(l.entries, e.key)
		if l.counts[e.key.id]--; l.counts[e.key.id] <= 0 {
			delete(l.counts, e.key.id)
		}
		// The node releases its own state of the group and passes the
		// deletion on; whatever that makes happen downstream may admit
		// groups again, which the list is ready for.
		e.key.node.DeleteGroup(e.key.id)
	}
	if l.oldest != nil {
		l.sweep.Reset(l.oldest.last + l.idle + 1)
	}
}

func (l *groupLimiter) pushBack(e *groupEntry) {
	e.prev, e.next = l.newest, nil
	if l.newest != nil {
		l.newest.next = e
	} else {
		l.oldest = e
	}
	l.newest = e
}

func (l *groupLimiter) unlink(e *groupEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.oldest = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.newest = e.prev
	}
	e.prev, e.next = nil, nil
}

// reject counts a point of a new group the limit keeps out, and logs it at
// most once per rejectLogInterval, with the count since the last line.
func (l *groupLimiter) reject(n Receiver, g GroupID) {
	total := l.rejected.Add(1)
	l.unlogged++
	now := time.Now()
	if !l.loggedAt.IsZero() && now.Sub(l.loggedAt) < rejectLogInterval {
		return
	}
	node := ""
	if nb, ok := n.(nodeBase); ok {
		node = nb.nodeBase().Info.Name
	}
	l.task.Log.Warn(fmt.Sprintf("group limit reached: points of new groups are rejected (limits.max-groups-per-task = %d)", l.max),
		"node", node, "group", string(g), "rejected", l.unlogged, "rejected_total", total)
	l.loggedAt, l.unlogged = now, 0
}

// groupCount returns the number of groups the task's grouping nodes keep.
func (l *groupLimiter) groupCount() int { return len(l.counts) }
