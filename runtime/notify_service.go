package runtime

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"text/template"
	"time"
)

// This file holds what the service alert handlers (email, slack, kafka, …,
// one file notify_<service>.go each) share: the handler type, the lookup of
// a service's configuration section, the template data of handler
// properties, and the "global" services that apply to every alert node.

// ServiceHandler is the alert handler of a notification service. Each service
// file builds one with its own send function; the handler delivers through a
// bounded queue (see deliveryQueue), so a slow or dead service never blocks
// the task. A configuration error of the handler (a template that does not
// parse, an unknown Kafka cluster) is reported by Err and fails the task, as
// Kapacitor refuses such a task; a disabled service is an error of each
// delivery, logged, as in Kapacitor.
type ServiceHandler struct {
	service string // the handler kind: "email", "slack", …
	err     error
	queue   *deliveryQueue
	stats   HandlerStats
	closers []func() error // released after the queue is drained (clients, connections)
}

// newServiceHandler makes the handler of service; target names where it
// delivers, for logs.
func newServiceHandler(t *Task, service, target string, timeout time.Duration, send func(context.Context, *AlertEvent) error) *ServiceHandler {
	h := &ServiceHandler{service: service}
	what := service
	if target != "" {
		what += " " + target
	}
	h.queue = newDeliveryQueue(t, what, timeout, send, &h.stats)
	return h
}

// failed returns a handler of service that reports err and delivers nothing.
func failedServiceHandler(t *Task, service string, err error) *ServiceHandler {
	h := newServiceHandler(t, service, "", 0, func(context.Context, *AlertEvent) error { return err })
	h.err = fmt.Errorf("%s handler: %w", service, err)
	return h
}

// Handle queues ev for delivery.
func (h *ServiceHandler) Handle(ev *AlertEvent) {
	if h.err == nil {
		h.queue.enqueue(ev)
	}
}

// Close delivers what is queued, then releases the handler's clients.
func (h *ServiceHandler) Close() error {
	err := h.queue.Close()
	for _, c := range h.closers {
		err = errors.Join(err, c())
	}
	h.closers = nil
	return err
}

// Err returns the handler's configuration error, or nil.
func (h *ServiceHandler) Err() error { return h.err }

// Stats returns the handler's counters.
func (h *ServiceHandler) Stats() *HandlerStats { return &h.stats }

// Service returns the handler kind, the TICKscript method name ("email",
// "pagerDuty2", …).
func (h *ServiceHandler) Service() string { return h.service }

func (h *ServiceHandler) attach(info NodeInfo) { h.queue.attach(info) }

// errServiceDisabled is the delivery error of a service whose section does
// not set enabled = true.
var errServiceDisabled = permanent(errors.New("service is not enabled"))

// serviceSection returns the configuration section name of task t as *T,
// or the section's defaults when t has no configuration.
func serviceSection[T any](t *Task, name string) *T {
	if t != nil && t.Config != nil {
		if c, ok := t.Config.Section(name).(*T); ok {
			return c
		}
	}
	sectionsMu.Lock()
	s, ok := sections[name]
	sectionsMu.Unlock()
	if ok {
		if c, ok := s.New().(*T); ok {
			return c
		}
	}
	return new(T)
}

// serviceClient returns an HTTP client for a service; skipVerify accepts any
// certificate.
func serviceClient(skipVerify bool) *http.Client {
	if skipVerify {
		return serviceTLSClient(&tls.Config{InsecureSkipVerify: true})
	}
	return serviceTLSClient(nil)
}

// serviceTLSClient returns an HTTP client for a service whose section sets
// TLS keys (see ClientTLS); nil keeps Go's defaults.
func serviceTLSClient(tc *tls.Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tc != nil {
		tr.TLSClientConfig = tc
	}
	return &http.Client{Transport: tr}
}

// serviceTemplateData is Kapacitor's alert.TemplateData: what the templates
// of handler properties (an MQTT topic, a Sensu source, Alerta's resource, an
// SNMP trap's values, …) see.
type serviceTemplateData struct {
	ID       string
	Message  string
	Level    string
	Time     time.Time
	Duration time.Duration
	Details  string
	Name     string
	TaskName string
	Group    string // "nil" for ungrouped data
	Tags     map[string]string
	Fields   map[string]any
	// Recoverable is false with .noRecoveries().
	Recoverable bool
}

// templateData returns the event as handler property templates see it.
func (ev *AlertEvent) templateData() serviceTemplateData {
	g := string(ev.Group)
	if g == "" {
		g = "nil"
	}
	return serviceTemplateData{
		ID: ev.ID, Message: ev.Message, Level: ev.Level.String(), Time: TimeValue(ev.Time), Duration: ev.Duration,
		Details: ev.Details, Name: ev.Name, TaskName: ev.TaskName, Group: g,
		Tags: ev.tagMap(), Fields: ev.fieldMap(), Recoverable: ev.Recoverable,
	}
}

// tagMap returns the event's tags as a map.
func (ev *AlertEvent) tagMap() map[string]string {
	m := make(map[string]string, len(ev.Tags))
	for _, t := range ev.Tags {
		m[t.Key] = t.Value
	}
	return m
}

// fieldMap returns the event's fields as a map of their row values.
func (ev *AlertEvent) fieldMap() map[string]any {
	m := make(map[string]any, len(ev.Fields))
	for _, f := range ev.Fields {
		m[f.Key] = RowValue(f.Value)
	}
	return m
}

// propTemplate is a handler property that is a Go text/template; an empty
// text renders as "".
type propTemplate struct {
	text string
	tmpl *template.Template
}

// parseProp parses a property template; the error names the property.
func parseProp(name, text string) (propTemplate, error) {
	p := propTemplate{text: text}
	if text == "" {
		return p, nil
	}
	t, err := template.New(name).Parse(text)
	if err != nil {
		return p, fmt.Errorf("failed to parse %s template: %w", name, err)
	}
	p.tmpl = t
	return p, nil
}

// render executes the template on data.
func (p propTemplate) render(data any) (string, error) {
	if p.tmpl == nil {
		return p.text, nil
	}
	var b strings.Builder
	if err := p.tmpl.Execute(&b, data); err != nil {
		return "", permanent(fmt.Errorf("failed to execute %s template: %w", p.tmpl.Name(), err))
	}
	return b.String(), nil
}

// globalService is a service that may apply to every alert node: its
// section sets global = true (and state-changes-only, which then makes every
// alert node send state changes only, as Kapacitor does).
type globalService struct {
	kind     string                              // the TICKscript handler name
	settings func(t *Task) (global, scOnly bool) // the section's global and state-changes-only keys
	handler  func(t *Task) AlertHandler          // the handler with no properties set
}

// globalServices are the global services, by handler name.
var globalServices = map[string]globalService{}

// globalOrder is the order in which Kapacitor adds the handlers of global
// services (pagerDuty, hipChat and opsGenie, which tickc does not implement,
// are never registered).
var globalOrder = []string{
	"email", "victorOps", "pagerDuty", "pagerDuty2", "slack", "telegram", "hipChat",
	"opsGenie", "opsGenie2", "teams", "discord", "serviceNow", "bigPanda", "zenoss",
}

// registerGlobal adds a global service; it is called from init functions.
func registerGlobal(s globalService) { globalServices[s.kind] = s }

// WithGlobalHandlers returns cfg with the handlers of the global services of
// t's configuration added: a service whose section sets global = true
// handles the events of every alert node that does not call it explicitly,
// and one that also sets state-changes-only makes the node send only state
// changes. A node with .topic(name) also gets the publisher of that topic
// last, whose handlers the [alert] section's topic-handlers-dir defines. The
// alert node applies it to its configuration.
func WithGlobalHandlers(t *Task, cfg AlertConfig) AlertConfig {
	explicit := map[string]bool{}
	for _, h := range cfg.Handlers {
		if s, ok := h.(*ServiceHandler); ok {
			explicit[s.service] = true
		}
	}
	var added []AlertHandler
	for _, kind := range globalOrder {
		s, ok := globalServices[kind]
		if !ok {
			continue
		}
		global, scOnly := s.settings(t)
		if !global {
			continue
		}
		if !explicit[s.kind] {
			added = append(added, s.handler(t))
		}
		if scOnly {
			cfg.StateChangesOnly = true
		}
	}
	if len(added) > 0 {
		cfg.Handlers = append(append([]AlertHandler(nil), cfg.Handlers...), added...)
	}
	return withTopicPublisher(t, cfg)
}

// postBasic posts a JSON body with basic authentication when user and
// password are both set.
func postBasic(ctx context.Context, client *http.Client, url string, body []byte, user, password string) error {
	var headers map[string]string
	if user != "" && password != "" {
		headers = map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}
	}
	_, err := postJSON(ctx, client, url, body, headers, true)
	return err
}
