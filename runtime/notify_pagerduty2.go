package runtime

import (
	"context"
	"fmt"
	"net"
)

// PagerDuty2Config is the [pagerduty2] section, with Kapacitor's keys.
type PagerDuty2Config struct {
	Enabled    bool   `toml:"enabled"`
	URL        string `toml:"url"`
	RoutingKey string `toml:"routing-key"`
	Global     bool   `toml:"global"`
}

// DefaultPagerDuty2URL is the Events API v2 endpoint.
const DefaultPagerDuty2URL = "https://events.pagerduty.com/v2/enqueue"

func init() {
	RegisterConfigSection(ConfigSection{Name: "pagerduty2", New: func() any { return &PagerDuty2Config{URL: DefaultPagerDuty2URL} }})
	registerGlobal(globalService{
		kind: "pagerDuty2",
		settings: func(t *Task) (bool, bool) {
			return serviceSection[PagerDuty2Config](t, "pagerduty2").Global, false
		},
		handler: func(t *Task) AlertHandler { return NewPagerDuty2Handler(t, PagerDuty2HandlerConfig{}) },
	})
}

// PagerDuty2Link is one .link(href[, text]); both are text/templates on the
// event, and an empty text means the href.
type PagerDuty2Link struct {
	Href string
	Text string
}

// PagerDuty2HandlerConfig configures a pagerDuty2 handler.
type PagerDuty2HandlerConfig struct {
	RoutingKey string // .routingKey() or .serviceKey(); empty: the section's
	Links      []PagerDuty2Link
}

type (
	pd2Payload struct {
		RoutingKey  string     `json:"routing_key"`
		EventAction string     `json:"event_action"`
		DedupKey    string     `json:"dedup_key"`
		Payload     *pd2CEF    `json:"payload"`
		Images      []pd2Image `json:"images"`
		Links       []pd2Link  `json:"links"`
		Client      string     `json:"client"`
		ClientURL   string     `json:"client_url"`
	}
	pd2CEF struct {
		Summary       string         `json:"summary"`
		Source        string         `json:"source"`
		Severity      string         `json:"severity"`
		Timestamp     string         `json:"timestamp"`
		Class         string         `json:"class"`
		Component     string         `json:"component"`
		Group         string         `json:"group"`
		CustomDetails map[string]any `json:"custom_details"`
	}
	pd2Image struct {
		Src  string `json:"src"`
		Href string `json:"href"`
		Alt  string `json:"alt"`
	}
	pd2Link struct {
		Href string `json:"href"`
		Text string `json:"text"`
	}
)

// NewPagerDuty2Handler returns a pagerDuty2 handler of task t: it sends an
// Events API v2 trigger (resolve for OK) deduplicated by the alert ID, as
// Kapacitor's pagerduty2 service does. A link template that does not parse
// is reported by Err.
func NewPagerDuty2Handler(t *Task, cfg PagerDuty2HandlerConfig) *ServiceHandler {
	type linkTmpl struct{ href, text propTemplate }
	var links []linkTmpl
	for _, l := range cfg.Links {
		href, err := parseProp("href", l.Href)
		if err != nil {
			return failedServiceHandler(t, "pagerDuty2", err)
		}
		text, err := parseProp("text", l.Text)
		if err != nil {
			return failedServiceHandler(t, "pagerDuty2", err)
		}
		links = append(links, linkTmpl{href, text})
	}
	c := serviceSection[PagerDuty2Config](t, "pagerduty2")
	client := serviceClient(false)
	clientURL := kapacitorURL(t)
	headers := map[string]string{"Accept": "application/vnd.pagerduty+json;version=2"}
	return newServiceHandler(t, "pagerDuty2", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		td := ev.templateData()
		severity, action := "info", "trigger"
		switch ev.Level {
		case AlertWarning:
			severity = "warning"
		case AlertCritical:
			severity = "critical"
		case AlertInfo:
		default:
			action = "resolve"
		}
		p := pd2Payload{
			RoutingKey: firstNonEmpty(cfg.RoutingKey, c.RoutingKey), EventAction: action, DedupKey: ev.ID,
			Client: "kapacitor", ClientURL: clientURL,
			Payload: &pd2CEF{
				Summary: ev.Message, Source: "unknown", Severity: severity,
				Timestamp:     TimeValue(ev.Time).Format("2006-01-02T15:04:05.000000000Z07:00"),
				Class:         ev.TaskName,
				CustomDetails: map[string]any{"result": ev.Data},
			},
		}
		if host, ok := ev.Tags.Get("host"); ok {
			p.Payload.Source = host
		}
		for _, l := range links {
			href, err := l.href.render(td)
			if err != nil {
				return err
			}
			text := href
			if l.text.text != "" {
				if text, err = l.text.render(td); err != nil {
					return err
				}
			}
			p.Links = append(p.Links, pd2Link{Href: href, Text: text})
		}
		body, err := encodeJSON(p)
		if err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, c.URL, body, headers, true)
		return err
	})
}

// kapacitorURL is the API URL Kapacitor gives services as its own
// (http://hostname:port/kapacitor/v1), from the [http] section.
func kapacitorURL(t *Task) string {
	host, port := "localhost", "9092"
	scheme := "http"
	if t != nil && t.Config != nil {
		host = t.Config.Hostname
		if _, p, err := net.SplitHostPort(t.Config.HTTP.BindAddress); err == nil && p != "" {
			port = p
		}
		if t.Config.HTTP.HTTPSEnabled {
			scheme = "https"
		}
	}
	return fmt.Sprintf("%s://%s/kapacitor/v1", scheme, net.JoinHostPort(host, port))
}
