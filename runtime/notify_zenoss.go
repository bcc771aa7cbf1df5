package runtime

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// ZenossConfig is the [zenoss] section, with Kapacitor's keys.
type ZenossConfig struct {
	Enabled          bool              `toml:"enabled"`
	URL              string            `toml:"url"` // the JSON API router
	Username         string            `toml:"username"`
	Password         string            `toml:"password"`
	Action           string            `toml:"action"`
	Method           string            `toml:"method"`
	Type             string            `toml:"type"`
	TID              int64             `toml:"tid"`
	Collector        string            `toml:"collector"`
	SeverityMap      ZenossSeverityMap `toml:"severity-map"`
	Global           bool              `toml:"global"`
	StateChangesOnly bool              `toml:"state-changes-only"`
}

// ZenossSeverityMap is [zenoss.severity-map]: the Zenoss severity (a name or
// a number) of each level.
type ZenossSeverityMap struct {
	OK       any `toml:"OK"`
	Info     any `toml:"Info"`
	Warning  any `toml:"Warning"`
	Critical any `toml:"Critical"`
}

// DefaultZenossURL is Kapacitor's placeholder Zenoss URL.
const DefaultZenossURL = "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router"

func init() {
	RegisterConfigSection(ConfigSection{Name: "zenoss", New: func() any {
		return &ZenossConfig{
			URL: DefaultZenossURL, Action: "EventsRouter", Method: "add_event", Type: "rpc", TID: 1, Collector: "Kapacitor",
			SeverityMap: ZenossSeverityMap{OK: "Clear", Info: "Info", Warning: "Warning", Critical: "Critical"},
		}
	}})
	registerGlobal(globalService{
		kind: "zenoss",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[ZenossConfig](t, "zenoss")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewZenossHandler(t, ZenossHandlerConfig{}) },
	})
}

// ZenossHandlerConfig configures a zenoss handler. Summary, Device,
// Component, EventClassKey, EventClass, Message, Collector and the string
// custom fields are text/templates on the alert. Empty Action, Method, Type
// and a zero TID take the section's.
type ZenossHandlerConfig struct {
	Action        string
	Method        string
	Type          string
	TID           int64
	Summary       string // default: the alert message
	Device        string
	Component     string
	EventClassKey string
	EventClass    string
	Message       string
	Collector     string // default: the section's
	CustomFields  map[string]any
}

// NewZenossHandler returns a zenoss handler of task t: it posts an
// EventsRouter add_event call, as Kapacitor's zenoss service does. A
// template that does not parse is reported by Err.
func NewZenossHandler(t *Task, cfg ZenossHandlerConfig) *ServiceHandler {
	c := serviceSection[ZenossConfig](t, "zenoss")
	names := []string{"summary", "device", "component", "evclasskey", "evclass", "message", "collector"}
	texts := []string{cfg.Summary, cfg.Device, cfg.Component, cfg.EventClassKey, cfg.EventClass, cfg.Message, cfg.Collector}
	tmpls := make([]propTemplate, len(names))
	for i := range names {
		var err error
		if tmpls[i], err = parseProp(names[i], texts[i]); err != nil {
			return failedServiceHandler(t, "zenoss", err)
		}
	}
	custom := map[string]propTemplate{}
	for k, v := range cfg.CustomFields {
		if s, ok := v.(string); ok {
			p, err := parseProp("customData."+k, s)
			if err != nil {
				return failedServiceHandler(t, "zenoss", err)
			}
			custom[k] = p
		}
	}
	client := serviceClient(false)
	return newServiceHandler(t, "zenoss", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		data := struct {
			Name, TaskName, ID, Message, Details string
			Time                                 time.Time
			Duration                             time.Duration
			Level                                AlertLevel
			Recoverable                          bool
			Tags                                 map[string]string
		}{ev.Name, ev.TaskName, ev.ID, ev.Message, ev.Details, TimeValue(ev.Time), ev.Duration, ev.Level, ev.Recoverable, ev.tagMap()}
		vals := make([]string, len(tmpls))
		for i, p := range tmpls {
			var err error
			if vals[i], err = p.render(data); err != nil {
				return err
			}
		}
		severity := [...]any{c.SeverityMap.OK, c.SeverityMap.Info, c.SeverityMap.Warning, c.SeverityMap.Critical}[ev.Level]
		evData := map[string]any{
			"summary": cutoff(firstNonEmpty(vals[0], ev.Message), 256), "device": vals[1], "component": vals[2],
			"severity": severity, "evclasskey": vals[3], "evclass": vals[4],
		}
		if m := cutoff(vals[5], 4096); m != "" {
			evData["message"] = m
		}
		if col := firstNonEmpty(vals[6], c.Collector); col != "" {
			evData["collector"] = col
		}
		for k, v := range cfg.CustomFields {
			if p, ok := custom[k]; ok {
				s, err := p.render(data)
				if err != nil {
					return err
				}
				v = s
				if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
					var parsed any
					if json.Unmarshal([]byte(s), &parsed) == nil {
						v = parsed
					}
				}
			}
			evData[k] = v
		}
		tid := cfg.TID
		if tid == 0 {
			tid = c.TID
		}
		body, err := json.Marshal(struct {
			Action string           `json:"action"`
			Method string           `json:"method"`
			Data   []map[string]any `json:"data"`
			Type   string           `json:"type"`
			TID    int64            `json:"tid"`
		}{firstNonEmpty(cfg.Action, c.Action), firstNonEmpty(cfg.Method, c.Method), []map[string]any{evData}, firstNonEmpty(cfg.Type, c.Type), tid})
		if err != nil {
			return permanent(err)
		}
		return postBasic(ctx, client, c.URL, body, c.Username, c.Password)
	})
}
