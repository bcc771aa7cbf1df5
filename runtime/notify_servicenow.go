package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// ServiceNowConfig is the [servicenow] section, with Kapacitor's keys.
type ServiceNowConfig struct {
	Enabled          bool   `toml:"enabled"`
	URL              string `toml:"url"` // the event management endpoint
	Source           string `toml:"source"`
	Username         string `toml:"username"`
	Password         string `toml:"password"`
	Global           bool   `toml:"global"`
	StateChangesOnly bool   `toml:"state-changes-only"`
}

// DefaultServiceNowURL is Kapacitor's placeholder ServiceNow URL.
const DefaultServiceNowURL = "https://instance.service-now.com/api/global/em/jsonv2"

func init() {
	RegisterConfigSection(ConfigSection{Name: "servicenow", New: func() any { return &ServiceNowConfig{URL: DefaultServiceNowURL} }})
	registerGlobal(globalService{
		kind: "serviceNow",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[ServiceNowConfig](t, "servicenow")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewServiceNowHandler(t, ServiceNowHandlerConfig{}) },
	})
}

// ServiceNowHandlerConfig configures a serviceNow handler. Node, Type,
// Resource, MetricName, MessageKey and the string AdditionalInfo values are
// text/templates that see the alert's ID, Name, TaskName, Fields and Tags.
type ServiceNowHandlerConfig struct {
	URL            string // empty: the section's
	Source         string // empty: the section's
	Node           string
	Type           string
	Resource       string
	MetricName     string
	MessageKey     string // empty: the alert ID
	AdditionalInfo map[string]any
}

// serviceNowEvent is one record of Kapacitor's ServiceNow event payload.
type serviceNowEvent struct {
	Source         string `json:"source"`
	Node           string `json:"node,omitempty"`
	Type           string `json:"type,omitempty"`
	Resource       string `json:"resource,omitempty"`
	MetricName     string `json:"metric_name,omitempty"`
	MessageKey     string `json:"message_key,omitempty"`
	Severity       string `json:"severity,omitempty"`
	Description    string `json:"description,omitempty"`
	AdditionalInfo string `json:"additional_info,omitempty"`
}

// cutoff returns at most n bytes of s.
func cutoff(s string, n int) string { return s[:min(n, len(s))] }

// NewServiceNowHandler returns a serviceNow handler of task t: it posts one
// event record, with basic authentication when the section has credentials,
// as Kapacitor's servicenow service does. A template that does not parse is
// reported by Err.
func NewServiceNowHandler(t *Task, cfg ServiceNowHandlerConfig) *ServiceHandler {
	c := serviceSection[ServiceNowConfig](t, "servicenow")
	names := []string{"node", "type", "resource", "metricName", "messageKey"}
	texts := []string{cfg.Node, cfg.Type, cfg.Resource, cfg.MetricName, cfg.MessageKey}
	tmpls := make([]propTemplate, len(names))
	for i := range names {
		var err error
		if tmpls[i], err = parseProp(names[i], texts[i]); err != nil {
			return failedServiceHandler(t, "serviceNow", err)
		}
	}
	info := map[string]propTemplate{}
	for k, v := range cfg.AdditionalInfo {
		if s, ok := v.(string); ok {
			p, err := parseProp("additional_info."+k, s)
			if err != nil {
				return failedServiceHandler(t, "serviceNow", err)
			}
			info[k] = p
		}
	}
	target := firstNonEmpty(cfg.URL, c.URL)
	client := serviceClient(false)
	return newServiceHandler(t, "serviceNow", target, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		data := struct {
			ID, Name, TaskName string
			Fields             map[string]any
			Tags               map[string]string
		}{ev.ID, ev.Name, ev.TaskName, ev.fieldMap(), ev.tagMap()}
		vals := make([]string, len(tmpls))
		for i, p := range tmpls {
			var err error
			if vals[i], err = p.render(data); err != nil {
				return err
			}
		}
		var additional string
		if len(cfg.AdditionalInfo) > 0 {
			m := map[string]string{}
			for k, v := range cfg.AdditionalInfo {
				if p, ok := info[k]; ok {
					s, err := p.render(data)
					if err != nil {
						return err
					}
					m[k] = s
				} else {
					m[k] = fmt.Sprintf("%v", v)
				}
			}
			b, err := json.Marshal(m)
			if err != nil {
				return permanent(err)
			}
			additional = string(b)
		}
		severity := map[AlertLevel]int{AlertOK: 5, AlertInfo: 5, AlertWarning: 4, AlertCritical: 1}[ev.Level]
		rec := serviceNowEvent{
			Source: cutoff(firstNonEmpty(cfg.Source, c.Source), 100), Node: cutoff(vals[0], 100), Type: cutoff(vals[1], 100),
			Resource: cutoff(vals[2], 100), MetricName: cutoff(vals[3], 100), MessageKey: cutoff(firstNonEmpty(vals[4], ev.ID), 1024),
			Severity: strconv.Itoa(severity), Description: cutoff(ev.Message, 4000), AdditionalInfo: additional,
		}
		body, err := json.Marshal(struct {
			Records []serviceNowEvent `json:"records"`
		}{[]serviceNowEvent{rec}})
		if err != nil {
			return permanent(err)
		}
		return postBasic(ctx, client, target, body, c.Username, c.Password)
	})
}
