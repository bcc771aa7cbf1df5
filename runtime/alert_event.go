package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// AlertLevel is the level of an alert event: OK, INFO, WARNING or CRITICAL,
// ordered by severity.
type AlertLevel int

// The alert levels, Kapacitor's alert.Level values.
const (
	AlertOK AlertLevel = iota
	AlertInfo
	AlertWarning
	AlertCritical
)

// String returns "OK", "INFO", "WARNING" or "CRITICAL" ("unknown" for any
// other value), the level as Kapacitor writes it.
func (l AlertLevel) String() string {
	switch l {
	case AlertOK:
		return "OK"
	case AlertInfo:
		return "INFO"
	case AlertWarning:
		return "WARNING"
	case AlertCritical:
		return "CRITICAL"
	}
	return "unknown"
}

// MarshalText writes the level as its name, so that JSON holds "CRITICAL".
func (l AlertLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// AlertEvent is one event of an alert node, as its handlers receive it. It
// is never modified once handed to the handlers, which may read it from
// other goroutines.
type AlertEvent struct {
	ID            string
	Message       string
	Details       string
	Time          int64         // Unix nanoseconds
	Duration      time.Duration // since the alert left OK
	Level         AlertLevel
	PreviousLevel AlertLevel // the level of the previous event with this ID; OK if none
	Recoverable   bool       // false with .noRecoveries()

	Name     string  // measurement
	TaskName string  // the task's name
	Category string  // .category(), "" when unset
	Group    GroupID // the group; "" for ungrouped data
	Tags     Tags    // the point's tags, or the batch's
	Fields   Fields  // the point's fields, or those of the batch point that set the level
	Data     Result  // the point or the whole batch as one row

	// Body is the event as Kapacitor's post, tcp and log handlers write it:
	// the JSON of alert.Data, HTML-escaped, with a trailing newline.
	Body []byte
}

// alertData is Kapacitor's alert.Data: its field order is the order of the
// keys in an event body.
type alertData struct {
	ID            string        `json:"id"`
	Message       string        `json:"message"`
	Details       string        `json:"details"`
	Time          time.Time     `json:"time"`
	Duration      time.Duration `json:"duration"`
	Level         AlertLevel    `json:"level"`
	Data          Result        `json:"data"`
	PreviousLevel AlertLevel    `json:"previousLevel"`
	Recoverable   bool          `json:"recoverable"`
}

// encodeBody returns the event's body, encoded as Kapacitor's handlers do
// with a json.Encoder. It fails only on data JSON cannot hold (NaN).
func (ev *AlertEvent) encodeBody() ([]byte, error) {
	var buf bytes.Buffer
	err := json.NewEncoder(&buf).Encode(alertData{
		ID:            ev.ID,
		Message:       ev.Message,
		Details:       ev.Details,
		Time:          TimeValue(ev.Time),
		Duration:      ev.Duration,
		Level:         ev.Level,
		Data:          ev.Data,
		PreviousLevel: ev.PreviousLevel,
		Recoverable:   ev.Recoverable,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to marshal alert data json: %w", err)
	}
	return buf.Bytes(), nil
}

// AlertServiceConfig is the [alert] section of the configuration, with
// Kapacitor's keys. Its value also holds the program's alert service: the
// state that Kapacitor's alert service shares between all tasks (named topics
// and inhibitors), since every task of a program shares one Config.
type AlertServiceConfig struct {
	// PersistTopics is accepted for compatibility; topic state is kept in
	// memory for the life of the program.
	PersistTopics bool `toml:"persist-topics"`
	// TopicBufferLength is the number of events each handler queues before it
	// drops new ones; below 1000 it means the default, 5000.
	TopicBufferLength int `toml:"topic-buffer-length"`
	// TopicHandlersDir is a directory of topic handler spec files, tickc's
	// stand-in for `kapacitor define-topic-handler` (see topic_spec.go).
	TopicHandlersDir string `toml:"topic-handlers-dir"`

	service *alertService
	topics  *topicHub // the named topics and their handlers
}

// Alert service defaults, Kapacitor's.
const (
	DefaultTopicBufferLength = 5000
	minTopicBufferLength     = 1000
)

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "alert",
		New: func() any {
			return &AlertServiceConfig{PersistTopics: true, TopicBufferLength: DefaultTopicBufferLength, service: newAlertService(), topics: newTopicHub()}
		},
		Check: func(v any) error { return v.(*AlertServiceConfig).loadTopicHandlers() },
	})
}

// queueLength is the handler queue length the configuration asks for.
func (c *AlertServiceConfig) queueLength() int {
	if c == nil || c.TopicBufferLength < minTopicBufferLength {
		return DefaultTopicBufferLength
	}
	return c.TopicBufferLength
}

// alertSettings returns the [alert] section of t's configuration, or the
// defaults.
func alertSettings(t *Task) *AlertServiceConfig {
	if t != nil && t.Config != nil {
		if c, ok := t.Config.Section("alert").(*AlertServiceConfig); ok && c.service != nil {
			return c
		}
	}
	return nil
}

// alertService is the state alert nodes share across the tasks of a
// program: the event states of named topics and the inhibitors.
type alertService struct {
	mu         sync.Mutex
	topics     map[string]*topicState
	inhibitors map[string][]*alertInhibitor // by category
}

func newAlertService() *alertService {
	return &alertService{topics: map[string]*topicState{}, inhibitors: map[string][]*alertInhibitor{}}
}

// topic returns the named topic, creating it.
func (s *alertService) topic(name string) *topicState {
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := s.topics[name]
	if tp == nil {
		tp = newTopicState()
		s.topics[name] = tp
	}
	return tp
}

func (s *alertService) addInhibitor(in *alertInhibitor) {
	s.mu.Lock()
	s.inhibitors[in.category] = append(s.inhibitors[in.category], in)
	s.mu.Unlock()
}

func (s *alertService) removeInhibitor(in *alertInhibitor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.inhibitors[in.category]
	for i := range list {
		if list[i] == in {
			s.inhibitors[in.category] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}

// isInhibited reports whether an active inhibitor of category matches tags.
func (s *alertService) isInhibited(category string, tags Tags) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.inhibitors[category] {
		if in.inhibits(tags) {
			return true
		}
	}
	return false
}

// alertInhibitor is one .inhibit(category, tags…) of one group: while the
// group's alert is not OK, events of category whose tags have the same
// values are dropped.
type alertInhibitor struct {
	category string
	tags     Tags // the equal tags with the group's values ("" when it lacks one)
	active   atomic.Bool
}

func (in *alertInhibitor) inhibits(tags Tags) bool {
	if !in.active.Load() {
		return false
	}
	for _, t := range in.tags {
		v, _ := tags.Get(t.Key)
		if v != t.Value {
			return false
		}
	}
	return true
}

// topicEvent is the last event state of one alert ID in a topic.
type topicEvent struct {
	level AlertLevel
	time  int64
}

// topicState holds the last event of every alert ID of a topic.
type topicState struct {
	mu     sync.Mutex
	events map[string]topicEvent
}

func newTopicState() *topicState { return &topicState{events: map[string]topicEvent{}} }

// get returns the last event of id.
func (tp *topicState) get(id string) (topicEvent, bool) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	e, ok := tp.events[id]
	return e, ok
}

// update records ev as the last event of its ID and returns the previous one.
func (tp *topicState) update(id string, ev topicEvent) (topicEvent, bool) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	prev, ok := tp.events[id]
	tp.events[id] = ev
	return prev, ok
}

// empty reports whether the topic has seen no event.
func (tp *topicState) empty() bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.events) == 0
}
