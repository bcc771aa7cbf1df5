package runtime

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"time"
)

// AlertaConfig is the [alerta] section, with Kapacitor's keys.
type AlertaConfig struct {
	Enabled            bool          `toml:"enabled"`
	URL                string        `toml:"url"` // the API base; events go to URL/alert
	InsecureSkipVerify bool          `toml:"insecure-skip-verify"`
	Token              string        `toml:"token"`
	TokenPrefix        string        `toml:"token-prefix"` // "Bearer" when empty
	Environment        string        `toml:"environment"`
	Origin             string        `toml:"origin"`
	Timeout            time.Duration `toml:"timeout"` // accepted for compatibility
}

func init() {
	RegisterConfigSection(ConfigSection{Name: "alerta", New: func() any { return &AlertaConfig{} }})
}

// AlertaHandlerConfig configures an alerta handler. Resource, Event,
// Environment, Group, Value, Services, Correlate and the string attributes
// are text/templates on the event.
type AlertaHandlerConfig struct {
	Token       string
	TokenPrefix string
	Resource    string // default "{{ .Name }}"
	Event       string // default "{{ .ID }}"
	Environment string
	Group       string // default "{{ .Group }}"
	Value       string
	Origin      string
	Services    []string // default: the measurement
	Correlate   []string // default: the measurement
	Attributes  map[string]any
	Timeout     time.Duration // the alert's timeout; default 24h
}

// Alerta defaults of the handler, Kapacitor's.
const (
	DefaultAlertaResource = "{{ .Name }}"
	DefaultAlertaEvent    = "{{ .ID }}"
	DefaultAlertaGroup    = "{{ .Group }}"
	DefaultAlertaTimeout  = 24 * time.Hour
)

// NewAlertaHandler returns an alerta handler of task t: it posts an Alerta
// alert with the rendered templates, the severity of the level and the
// event's data as rawData, as Kapacitor's alerta service does. A template
// that does not parse is reported by Err.
func NewAlertaHandler(t *Task, cfg AlertaHandlerConfig) *ServiceHandler {
	c := serviceSection[AlertaConfig](t, "alerta")
	def := func(s, d string) string { return firstNonEmpty(s, d) }
	names := []string{"resource", "event", "environment", "group", "value"}
	texts := []string{def(cfg.Resource, DefaultAlertaResource), def(cfg.Event, DefaultAlertaEvent), def(cfg.Environment, c.Environment), def(cfg.Group, DefaultAlertaGroup), cfg.Value}
	tmpls := make([]propTemplate, len(names))
	for i := range names {
		var err error
		if tmpls[i], err = parseProp(names[i], texts[i]); err != nil {
			return failedServiceHandler(t, "alerta", err)
		}
	}
	parseList := func(name string, list []string) ([]propTemplate, error) {
		var out []propTemplate
		for _, s := range list {
			p, err := parseProp(name, s)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	services, err := parseList("service", cfg.Services)
	if err != nil {
		return failedServiceHandler(t, "alerta", err)
	}
	correlate, err := parseList("correlate", cfg.Correlate)
	if err != nil {
		return failedServiceHandler(t, "alerta", err)
	}
	attrs := map[string]propTemplate{}
	for k, v := range cfg.Attributes {
		if s, ok := v.(string); ok {
			if attrs[k], err = parseProp(k, s); err != nil {
				return failedServiceHandler(t, "alerta", err)
			}
		}
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultAlertaTimeout
	}
	client := serviceClient(c.InsecureSkipVerify)
	return newServiceHandler(t, "alerta", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		td := ev.templateData()
		vals := make([]string, len(tmpls))
		for i, p := range tmpls {
			var err error
			data := any(td)
			if names[i] == "event" {
				// The event template sees only the ID, Name, TaskName, Group and Tags.
				data = struct {
					ID, Name, TaskName, Group string
					Tags                      map[string]string
				}{td.ID, td.Name, td.TaskName, td.Group, td.Tags}
			}
			if vals[i], err = p.render(data); err != nil {
				return err
			}
		}
		renderList := func(list []propTemplate) ([]string, error) {
			if len(list) == 0 {
				return []string{td.Name}, nil
			}
			var out []string
			for _, p := range list {
				s, err := p.render(td)
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
			return out, nil
		}
		svc, err := renderList(services)
		if err != nil {
			return err
		}
		corr, err := renderList(correlate)
		if err != nil {
			return err
		}
		attributes := map[string]any{}
		for k, v := range cfg.Attributes {
			if p, ok := attrs[k]; ok {
				if v, err = p.render(td); err != nil {
					return err
				}
			}
			attributes[k] = v
		}
		severity := map[AlertLevel]string{AlertOK: "ok", AlertInfo: "informational", AlertWarning: "warning", AlertCritical: "critical"}[ev.Level]
		tags := make([]string, 0, len(ev.Tags))
		for _, tg := range ev.Tags {
			tags = append(tags, fmt.Sprintf("%s=%s", tg.Key, tg.Value))
		}
		post := map[string]any{
			"resource": vals[0], "event": vals[1], "environment": vals[2], "severity": severity,
			"group": vals[3], "value": vals[4], "text": ev.Message, "origin": firstNonEmpty(cfg.Origin, c.Origin),
			"rawData": ev.Data, "service": svc, "correlate": corr, "timeout": int64(timeout / time.Second), "tags": tags,
		}
		if len(attributes) > 0 {
			post["attributes"] = attributes
		}
		body, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		u, err := url.Parse(c.URL)
		if err != nil {
			return permanent(err)
		}
		u.Path = path.Join(u.Path, "alert")
		token := firstNonEmpty(cfg.Token, c.Token)
		prefix := firstNonEmpty(cfg.TokenPrefix, c.TokenPrefix, "Bearer")
		_, err = postJSON(ctx, client, u.String(), body, map[string]string{"Authorization": prefix + " " + token}, true)
		return err
	})
}
