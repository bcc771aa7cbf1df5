package runtime

import "errors"

// The sections of Kapacitor's services whose APIs are retired (PagerDuty
// v1, OpsGenie v1, HipChat). tickc has no handlers for them, but accepts
// their sections so that a kapacitor.conf that lists them disabled, as
// Kapacitor's sample configuration does, loads as it is; enabling one is an
// error.

// PagerDutyConfig is the [pagerduty] section.
type PagerDutyConfig struct {
	Enabled    bool   `toml:"enabled"`
	URL        string `toml:"url"`
	ServiceKey string `toml:"service-key"`
	Global     bool   `toml:"global"`
}

// OpsGenieConfig is the [opsgenie] section.
type OpsGenieConfig struct {
	Enabled     bool     `toml:"enabled"`
	APIKey      string   `toml:"api-key"`
	Teams       []string `toml:"teams"`
	Recipients  []string `toml:"recipients"`
	URL         string   `toml:"url"`
	RecoveryURL string   `toml:"recovery_url"`
	Global      bool     `toml:"global"`
}

// HipChatConfig is the [hipchat] section.
type HipChatConfig struct {
	Enabled          bool   `toml:"enabled"`
	URL              string `toml:"url"`
	Token            string `toml:"token"`
	Room             string `toml:"room"`
	Global           bool   `toml:"global"`
	StateChangesOnly bool   `toml:"state-changes-only"`
}

func init() {
	retired := func(name, successor string, enabled func(any) bool) ConfigSection {
		return ConfigSection{Name: name, Check: func(v any) error {
			if enabled(v) {
				msg := "the " + name + " service is not supported (its API is retired)"
				if successor != "" {
					msg += "; use [" + successor + "]"
				}
				return errors.New(msg)
			}
			return nil
		}}
	}
	s := retired("pagerduty", "pagerduty2", func(v any) bool { return v.(*PagerDutyConfig).Enabled })
	s.New = func() any { return &PagerDutyConfig{} }
	RegisterConfigSection(s)
	s = retired("opsgenie", "opsgenie2", func(v any) bool { return v.(*OpsGenieConfig).Enabled })
	s.New = func() any { return &OpsGenieConfig{} }
	RegisterConfigSection(s)
	s = retired("hipchat", "", func(v any) bool { return v.(*HipChatConfig).Enabled })
	s.New = func() any { return &HipChatConfig{} }
	RegisterConfigSection(s)
}
