package runtime

import (
	"context"
	"encoding/json"
)

// TeamsConfig is the [teams] section, with Kapacitor's keys.
type TeamsConfig struct {
	Enabled          bool   `toml:"enabled"`
	ChannelURL       string `toml:"channel-url"` // the channel's incoming webhook
	Global           bool   `toml:"global"`
	StateChangesOnly bool   `toml:"state-changes-only"`
}

func init() {
	RegisterConfigSection(ConfigSection{Name: "teams", New: func() any { return &TeamsConfig{} }})
	registerGlobal(globalService{
		kind: "teams",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[TeamsConfig](t, "teams")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewTeamsHandler(t, TeamsHandlerConfig{}) },
	})
}

// TeamsHandlerConfig configures a teams handler, .teams().channelURL(u).
type TeamsHandlerConfig struct {
	ChannelURL string // empty: the section's
}

// teamsCard is Kapacitor's Microsoft Teams message card.
type teamsCard struct {
	CardType   string `json:"@type"`
	Context    string `json:"@context"`
	Title      string `json:"title"`
	Text       string `json:"text"`
	Summary    string `json:"summary"`
	ThemeColor string `json:"themeColor"`
}

// teamsSummaryCutoff is where Kapacitor cuts a card's summary.
const teamsSummaryCutoff = 70

// NewTeamsHandler returns a teams handler of task t: it posts a message card
// titled with the level and the alert ID, as Kapacitor's teams service does.
func NewTeamsHandler(t *Task, cfg TeamsHandlerConfig) *ServiceHandler {
	c := serviceSection[TeamsConfig](t, "teams")
	url := firstNonEmpty(cfg.ChannelURL, c.ChannelURL)
	client := serviceClient(false)
	return newServiceHandler(t, "teams", url, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		body, err := json.Marshal(teamsMessage(ev))
		if err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, url, body, nil, true)
		return err
	})
}

// teamsMessage builds the card; alert node events always have an ID.
func teamsMessage(ev *AlertEvent) teamsCard {
	title := ev.Level.String()
	summary := title + ": " + ev.Message
	if ev.ID != "" {
		title += ": [" + ev.ID + "]"
		summary = title + " - " + ev.Message
	}
	color := "34CC25"
	switch ev.Level {
	case AlertWarning:
		color = "FFA533"
	case AlertCritical:
		color = "CC4A31"
	}
	return teamsCard{
		CardType: "MessageCard", Context: "http://schema.org/extensions",
		Title: title, Text: ev.Message, Summary: summary[:min(teamsSummaryCutoff, len(summary))] + "...", ThemeColor: color,
	}
}
