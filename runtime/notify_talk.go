package runtime

import "context"

// TalkConfig is the [talk] section, with Kapacitor's keys.
type TalkConfig struct {
	Enabled    bool   `toml:"enabled"`
	URL        string `toml:"url"` // the Talk incoming webhook
	AuthorName string `toml:"author_name"`
}

func init() {
	RegisterConfigSection(ConfigSection{Name: "talk", New: func() any { return &TalkConfig{} }})
}

// TalkHandlerConfig configures a talk handler; .talk() has no properties.
type TalkHandlerConfig struct{}

// NewTalkHandler returns a talk handler of task t: it posts the alert ID as
// title and the message as text, as Kapacitor's talk service does.
func NewTalkHandler(t *Task, _ TalkHandlerConfig) *ServiceHandler {
	c := serviceSection[TalkConfig](t, "talk")
	client := serviceClient(false)
	return newServiceHandler(t, "talk", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		body, err := encodeJSON(map[string]any{"title": ev.ID, "text": ev.Message, "authorName": c.AuthorName})
		if err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, c.URL, body, nil, true)
		return err
	})
}
