package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// This file holds named topics, as Kapacitor's alert service has them: an
// alert node with .topic('ops') publishes its events to the topic "ops", and
// the handlers that spec files define for "ops" (see topic_spec.go) receive
// them, each filtered by its match expression and delivered through its own
// bounded queue, exactly as the handlers of an alert node are. The topics are
// shared by every task of a program, and Kapacitor's read endpoints show
// them: /kapacitor/v1/alerts/topics[/<topic>[/events[/<id>]|/handlers[/<id>]]].

// topicHub is the named topics of a program. It lives in the [alert]
// section's value, which every task of a program shares.
type topicHub struct {
	mu     sync.Mutex
	topics map[string]*hubTopic
}

func newTopicHub() *topicHub { return &topicHub{topics: map[string]*hubTopic{}} }

// hubTopic is one named topic.
type hubTopic struct {
	name      string
	specs     []*TopicHandlerSpec // its handler specs, by ID
	refs      int                 // the alert nodes publishing to it that have not ended
	handlers  []topicHandler      // made when the first node starts, closed when the last ends
	log       *slog.Logger
	collected int64
	events    map[string]topicEventState // the last event of each alert ID
}

// topicHandler is one handler of a topic.
type topicHandler struct {
	spec *TopicHandlerSpec
	h    topicDelivery
}

// topicEventState is what a topic keeps of an alert ID's last event.
type topicEventState struct {
	level    AlertLevel
	message  string
	details  string
	time     int64
	duration time.Duration
}

// topic returns the named topic, creating it; the hub's lock is held.
func (hub *topicHub) topic(name string) *hubTopic {
	tp := hub.topics[name]
	if tp == nil {
		tp = &hubTopic{name: name, events: map[string]topicEventState{}, log: slog.New(slog.DiscardHandler)}
		hub.topics[name] = tp
	}
	return tp
}

// loadTopicHandlers reads the spec files of topic-handlers-dir into the
// topics; it is the [alert] section's check, so a bad file is an error of
// the configuration.
func (c *AlertServiceConfig) loadTopicHandlers() error {
	var specs []*TopicHandlerSpec
	if c.TopicHandlersDir != "" {
		var err error
		if specs, err = LoadTopicHandlerSpecs(c.TopicHandlersDir); err != nil {
			return err
		}
	}
	if c.topics == nil {
		c.topics = newTopicHub()
	}
	c.topics.setSpecs(specs)
	return nil
}

// setSpecs replaces the handler specs of every topic. A topic whose nodes
// are running keeps the handlers it made until they end.
func (hub *topicHub) setSpecs(specs []*TopicHandlerSpec) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, tp := range hub.topics {
		tp.specs = nil
	}
	for _, s := range specs {
		tp := hub.topic(s.Topic)
		tp.specs = append(tp.specs, s)
	}
}

// attach registers an alert node of task t that publishes to the topic; the
// first one makes the topic's handlers. The error names the spec files
// whose handler could not be made (an unknown Kafka cluster, a template
// that does not parse, …).
func (hub *topicHub) attach(t *Task, name string) (*hubTopic, error) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	tp := hub.topic(name)
	tp.refs++
	if tp.refs > 1 {
		return tp, nil
	}
	if t != nil && t.Log != nil {
		tp.log = t.Log.With("topic", name)
	}
	var errs []error
	for _, s := range tp.specs {
		h := s.build(t)
		if err := h.Err(); err != nil {
			errs = append(errs, fmt.Errorf("%s: topic %q handler %q: %w", s.file, name, s.ID, err))
			continue
		}
		tp.handlers = append(tp.handlers, topicHandler{spec: s, h: h})
	}
	return tp, errors.Join(errs...)
}

// release unregisters a node; the last one closes the topic's handlers,
// which deliver what they have queued.
func (hub *topicHub) release(tp *hubTopic) error {
	hub.mu.Lock()
	tp.refs--
	var hs []topicHandler
	if tp.refs == 0 {
		hs, tp.handlers = tp.handlers, nil
	}
	hub.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(hs))
	for i, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.h.Close()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// collect records ev as the last event of its ID and hands it to the
// handlers whose match expression accepts it. A match expression that fails
// (a tag the event lacks) is logged and the handler skipped, as in
// Kapacitor.
func (hub *topicHub) collect(tp *hubTopic, ev *AlertEvent) {
	hub.mu.Lock()
	tp.collected++
	tp.events[ev.ID] = topicEventState{level: ev.Level, message: ev.Message, details: ev.Details, time: ev.Time, duration: ev.Duration}
	hs, log := tp.handlers, tp.log
	hub.mu.Unlock()
	for _, h := range hs {
		if m := h.spec.match; m != nil {
			ok, err := m.Match(ev)
			if err != nil {
				log.Error("failed to evaluate match expression", "handler", h.spec.ID, "file", h.spec.file, "id", ev.ID, "err", err.Error())
				continue
			}
			if !ok {
				continue
			}
		}
		h.h.Handle(ev)
	}
}

// topicPublisher is the handler an alert node with .topic(name) gets: it
// publishes the node's events to the topic.
type topicPublisher struct {
	hub   *topicHub
	topic *hubTopic
	err   error
}

// Handle publishes ev.
func (p *topicPublisher) Handle(ev *AlertEvent) { p.hub.collect(p.topic, ev) }

// Close ends the node's registration with the topic.
func (p *topicPublisher) Close() error { return p.hub.release(p.topic) }

// Err returns the errors of the topic's handler specs.
func (p *topicPublisher) Err() error { return p.err }

// withTopicPublisher adds the publisher of cfg.Topic to cfg's handlers when
// t's program has an alert service.
func withTopicPublisher(t *Task, cfg AlertConfig) AlertConfig {
	s := alertSettings(t)
	if cfg.Topic == "" || s == nil || s.topics == nil {
		return cfg
	}
	tp, err := s.topics.attach(t, cfg.Topic)
	p := &topicPublisher{hub: s.topics, topic: tp, err: err}
	cfg.Handlers = append(append([]AlertHandler(nil), cfg.Handlers...), p)
	return cfg
}

// hasTaskHandlers reports whether hs holds handlers of the task itself, not
// only the publisher of its topic: Kapacitor's condition for an alert node's
// anonymous topic.
func hasTaskHandlers(hs []AlertHandler) bool {
	for _, h := range hs {
		if _, ok := h.(*topicPublisher); !ok {
			return true
		}
	}
	return false
}

// The JSON of the topic endpoints, with Kapacitor's keys.
type (
	apiLink struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	}
	apiTopic struct {
		Link         apiLink `json:"link"`
		ID           string  `json:"id"`
		Level        string  `json:"level"`
		Collected    int64   `json:"collected"`
		EventsLink   apiLink `json:"events-link"`
		HandlersLink apiLink `json:"handlers-link"`
	}
	apiTopics struct {
		Link   apiLink    `json:"link"`
		Topics []apiTopic `json:"topics"`
	}
	apiEventState struct {
		Message  string    `json:"message"`
		Details  string    `json:"details"`
		Time     time.Time `json:"time"`
		Duration string    `json:"duration"`
		Level    string    `json:"level"`
	}
	apiTopicEvent struct {
		Link  apiLink       `json:"link"`
		ID    string        `json:"id"`
		State apiEventState `json:"state"`
	}
	apiTopicEvents struct {
		Link   apiLink         `json:"link"`
		Topic  string          `json:"topic"`
		Events []apiTopicEvent `json:"events"`
	}
	apiTopicHandler struct {
		Link    apiLink        `json:"link"`
		ID      string         `json:"id"`
		Kind    string         `json:"kind"`
		Options map[string]any `json:"options"`
		Match   string         `json:"match"`
	}
	apiTopicHandlers struct {
		Link     apiLink           `json:"link"`
		Topic    string            `json:"topic"`
		Handlers []apiTopicHandler `json:"handlers"`
	}
)

const topicsPath = BasePath + "/alerts/topics"

func topicLink(rel string, parts ...string) apiLink {
	return apiLink{Rel: rel, Href: path.Join(append([]string{topicsPath}, parts...)...)}
}

// maxLevel is the highest level of the topic's events; the hub's lock is
// held.
func (tp *hubTopic) maxLevel() AlertLevel {
	l := AlertOK
	for _, e := range tp.events {
		l = max(l, e.level)
	}
	return l
}

func (tp *hubTopic) api() apiTopic {
	return apiTopic{
		Link: topicLink("self", tp.name), ID: tp.name, Level: tp.maxLevel().String(), Collected: tp.collected,
		EventsLink: topicLink("events", tp.name, "events"), HandlersLink: topicLink("handlers", tp.name, "handlers"),
	}
}

func (e topicEventState) api() apiEventState {
	return apiEventState{Message: e.message, Details: e.details, Time: TimeValue(e.time), Duration: e.duration.String(), Level: e.level.String()}
}

// parseMinLevel parses the min-level parameter; empty means OK.
func parseMinLevel(s string) (AlertLevel, error) {
	if s == "" {
		return AlertOK, nil
	}
	for l := AlertOK; l <= AlertCritical; l++ {
		if strings.EqualFold(l.String(), s) {
			return l, nil
		}
	}
	return AlertOK, fmt.Errorf("unknown alert level '%s'", s)
}

// serveTopics serves GET /kapacitor/v1/alerts/topics and the paths under
// it, with Kapacitor's JSON (indented by four spaces).
func (h *Handler) serveTopics(w http.ResponseWriter, r *http.Request, p string) {
	var hub *topicHub
	if s, ok := h.Config.Section("alert").(*AlertServiceConfig); ok {
		hub = s.topics
	}
	if hub == nil {
		hub = newTopicHub()
	}
	q := r.URL.Query()
	minLevel, err := parseMinLevel(q.Get("min-level"))
	if err != nil {
		httpError(w, err.Error(), http.StatusBadRequest)
		return
	}
	pattern := q.Get("pattern")
	if _, err := path.Match(pattern, ""); err != nil {
		httpError(w, "invalid pattern: "+err.Error(), http.StatusBadRequest)
		return
	}
	rest := strings.Trim(strings.TrimPrefix(p, topicsPath), "/")
	parts := strings.Split(rest, "/")
	hub.mu.Lock()
	defer hub.mu.Unlock()
	var body any
	switch {
	case rest == "":
		list := apiTopics{Link: apiLink{Rel: "self", Href: r.URL.String()}, Topics: []apiTopic{}}
		for name, tp := range hub.topics {
			if matched, _ := path.Match(pattern, name); (pattern == "" || matched) && tp.maxLevel() >= minLevel {
				list.Topics = append(list.Topics, tp.api())
			}
		}
		sort.Slice(list.Topics, func(i, j int) bool { return list.Topics[i].ID < list.Topics[j].ID })
		body = list
	case len(parts) == 1:
		tp, ok := hub.topics[parts[0]]
		if !ok {
			httpError(w, fmt.Sprintf("unknown topic: %q", parts[0]), http.StatusNotFound)
			return
		}
		body = tp.api()
	case len(parts) == 2 && parts[1] == "events":
		list := apiTopicEvents{Link: topicLink("self", parts[0], "events"), Topic: parts[0], Events: []apiTopicEvent{}}
		if tp, ok := hub.topics[parts[0]]; ok {
			for id, e := range tp.events {
				if e.level >= minLevel {
					list.Events = append(list.Events, apiTopicEvent{Link: topicLink("self", parts[0], "events", id), ID: id, State: e.api()})
				}
			}
		}
		sort.Slice(list.Events, func(i, j int) bool { return list.Events[i].ID < list.Events[j].ID })
		body = list
	case len(parts) == 3 && parts[1] == "events":
		tp, ok := hub.topics[parts[0]]
		var e topicEventState
		if ok {
			e, ok = tp.events[parts[2]]
		}
		if !ok {
			httpError(w, fmt.Sprintf("unknown event %q in topic %q", parts[2], parts[0]), http.StatusNotFound)
			return
		}
		body = apiTopicEvent{Link: topicLink("self", parts[0], "events", parts[2]), ID: parts[2], State: e.api()}
	case len(parts) == 2 && parts[1] == "handlers":
		list := apiTopicHandlers{Link: apiLink{Rel: "self", Href: r.URL.String()}, Topic: parts[0], Handlers: []apiTopicHandler{}}
		if tp, ok := hub.topics[parts[0]]; ok {
			for _, s := range tp.specs {
				if matched, _ := path.Match(pattern, s.ID); pattern == "" || matched {
					list.Handlers = append(list.Handlers, s.api())
				}
			}
		}
		body = list
	case len(parts) == 3 && parts[1] == "handlers":
		if tp, ok := hub.topics[parts[0]]; ok {
			for _, s := range tp.specs {
				if s.ID == parts[2] {
					body = s.api()
				}
			}
		}
		if body == nil {
			httpError(w, fmt.Sprintf("unknown handler: %q", parts[2]), http.StatusNotFound)
			return
		}
	default:
		h.notFound(w)
		return
	}
	b, err := json.MarshalIndent(body, "", "    ")
	if err != nil {
		httpError(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, r, b, http.StatusOK)
}

func (s *TopicHandlerSpec) api() apiTopicHandler {
	opts := s.Options
	if opts == nil {
		opts = map[string]any{}
	}
	return apiTopicHandler{Link: topicLink("self", s.Topic, "handlers", s.ID), ID: s.ID, Kind: s.Kind, Options: opts, Match: s.Match}
}
