package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"
)

// BigPandaConfig is the [bigpanda] section, with Kapacitor's keys.
type BigPandaConfig struct {
	Enabled            bool   `toml:"enabled"`
	Global             bool   `toml:"global"`
	AppKey             string `toml:"app-key"`
	Token              string `toml:"token"`
	StateChangesOnly   bool   `toml:"state-changes-only"`
	InsecureSkipVerify bool   `toml:"insecure-skip-verify"`
	URL                string `toml:"url"`
	AutoAttributes     string `toml:"auto-attributes"` // "tags", "fields", both or neither: what becomes attributes
}

// BigPanda defaults, Kapacitor's.
const (
	DefaultBigPandaURL            = "https://api.bigpanda.io/data/v2/alerts"
	DefaultBigPandaAutoAttributes = "tags,fields"
)

func init() {
	RegisterConfigSection(ConfigSection{Name: "bigpanda", New: func() any {
		return &BigPandaConfig{URL: DefaultBigPandaURL, AutoAttributes: DefaultBigPandaAutoAttributes}
	}})
	registerGlobal(globalService{
		kind: "bigPanda",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[BigPandaConfig](t, "bigpanda")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewBigPandaHandler(t, BigPandaHandlerConfig{}) },
	})
}

// BigPandaHandlerConfig configures a bigPanda handler. Host and the string
// attributes are text/templates on the event.
type BigPandaHandlerConfig struct {
	AppKey            string // empty: the section's
	Host              string
	PrimaryProperty   string
	SecondaryProperty string
	Attributes        map[string]any
	URL               string // empty: the section's
}

// NewBigPandaHandler returns a bigPanda handler of task t: it posts a
// BigPanda alert (status, check, description, details, task, the tags and
// fields as attributes), compacted, as Kapacitor's bigpanda service does. A
// template that does not parse is reported by Err.
func NewBigPandaHandler(t *Task, cfg BigPandaHandlerConfig) *ServiceHandler {
	c := serviceSection[BigPandaConfig](t, "bigpanda")
	host, err := parseProp("host", cfg.Host)
	if err != nil {
		return failedServiceHandler(t, "bigPanda", err)
	}
	attrs := map[string]propTemplate{}
	for k, v := range cfg.Attributes {
		if s, ok := v.(string); ok {
			if attrs[k], err = parseProp(k, s); err != nil {
				return failedServiceHandler(t, "bigPanda", err)
			}
		}
	}
	target := firstNonEmpty(cfg.URL, c.URL)
	client := serviceClient(c.InsecureSkipVerify)
	auto := func(key string) bool { return strings.Contains(strings.ToLower(c.AutoAttributes), key) }
	return newServiceHandler(t, "bigPanda", target, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		td := ev.templateData()
		rendered := map[string]string{}
		h, err := host.render(td)
		if err != nil {
			return err
		}
		rendered["host"] = h
		for k, v := range cfg.Attributes {
			if p, ok := attrs[k]; ok {
				if rendered[k], err = p.render(td); err != nil {
					return err
				}
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return permanent(err)
			}
			rendered[k] = string(b)
		}
		status := "critical"
		switch ev.Level {
		case AlertOK, AlertInfo:
			status = "ok"
		case AlertWarning:
			status = "warning"
		}
		post := map[string]any{}
		if ev.Message != "" {
			post["description"] = ev.Message
		}
		if ev.Details != "" {
			if d := html.UnescapeString(ev.Details); !strings.HasPrefix(d, "{") {
				post["details"] = d
			}
		}
		if ev.ID != "" {
			post["check"] = ev.ID
		}
		post["task"] = fmt.Sprintf("%s:%s", ev.TaskName, ev.Name)
		post["timestamp"] = TimeValue(ev.Time).Unix()
		post["status"] = status
		if cfg.PrimaryProperty != "" {
			post["primary_property"] = cfg.PrimaryProperty
		}
		if cfg.SecondaryProperty != "" {
			post["secondary_property"] = cfg.SecondaryProperty
		}
		post["app_key"] = firstNonEmpty(cfg.AppKey, c.AppKey)
		if auto("tags") {
			for _, tg := range ev.Tags {
				post[tg.Key] = tg.Value
			}
		}
		if auto("fields") {
			for k, v := range ev.fieldMap() {
				if s, ok := v.(string); ok {
					post[k] = s
					continue
				}
				b, err := json.Marshal(v)
				if err != nil {
					return permanent(err)
				}
				post[k] = string(b)
			}
		}
		for k, v := range rendered {
			post[k] = v
		}
		enc, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		var body bytes.Buffer
		if err := json.Compact(&body, enc); err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, target, body.Bytes(), map[string]string{"Authorization": "Bearer " + c.Token}, true)
		return err
	})
}
