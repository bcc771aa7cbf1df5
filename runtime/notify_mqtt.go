package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// MQTTConfig is one [[mqtt]] section, with Kapacitor's keys: several
// sections configure several brokers.
type MQTTConfig struct {
	Enabled            bool   `toml:"enabled"`
	Name               string `toml:"name"`     // the name handlers give to .brokerName()
	Default            bool   `toml:"default"`  // the broker of a handler that names none
	URL                string `toml:"url"`      // tcp://host:port, ssl://host:port or ws://…
	SSLCA              string `toml:"ssl-ca"`   // PEM file of the CAs of the broker's certificate
	SSLCert            string `toml:"ssl-cert"` // PEM file of the client certificate
	SSLKey             string `toml:"ssl-key"`  // PEM file of its key
	InsecureSkipVerify bool   `toml:"insecure-skip-verify"`
	ClientID           string `toml:"client-id"` // default: the name
	Username           string `toml:"username"`
	Password           string `toml:"password"`
}

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "mqtt",
		New:  func() any { return &[]MQTTConfig{} },
		Check: func(v any) error {
			return checkEach(*v.(*[]MQTTConfig), func(c MQTTConfig) string { return c.Name }, func(c MQTTConfig) error {
				_, err := c.tls().Config()
				return err
			})
		},
	})
}

// tls returns the section's TLS keys.
func (c MQTTConfig) tls() ClientTLS {
	return ClientTLS{CA: c.SSLCA, Cert: c.SSLCert, Key: c.SSLKey, SkipVerify: c.InsecureSkipVerify}
}

// mqttBroker returns the [[mqtt]] section of name; "" means the default one.
func mqttBroker(t *Task, name string) (MQTTConfig, error) {
	list := *serviceSection[[]MQTTConfig](t, "mqtt")
	for _, c := range list {
		if name == "" && (c.Default || len(list) == 1) || name != "" && c.Name == name {
			if c.Name == "" {
				c.Name = "default"
			}
			return c, nil
		}
	}
	if name == "" {
		return MQTTConfig{}, errors.New("no default MQTT broker is configured")
	}
	return MQTTConfig{}, fmt.Errorf("unknown MQTT broker %q", name)
}

// MQTTHandlerConfig configures an mqtt handler, .mqtt(topic) and its
// properties.
type MQTTHandlerConfig struct {
	BrokerName string // empty: the default broker
	Topic      string // a text/template on the event
	QoS        byte   // 0, 1 or 2
	Retained   bool
}

// NewMQTTHandler returns an mqtt handler of task t: it publishes the
// message on the rendered topic, as Kapacitor's mqtt service does. It
// connects on its first event and disconnects when closed. A topic that does
// not parse, a QoS above 2 or an unknown broker is reported by Err.
func NewMQTTHandler(t *Task, cfg MQTTHandlerConfig) *ServiceHandler {
	topic, err := parseProp("topic", cfg.Topic)
	if err != nil {
		return failedServiceHandler(t, "mqtt", err)
	}
	if cfg.QoS > 2 {
		return failedServiceHandler(t, "mqtt", fmt.Errorf("invalid QoS %d: want 0, 1 or 2", cfg.QoS))
	}
	c, err := mqttBroker(t, cfg.BrokerName)
	if err != nil {
		return failedServiceHandler(t, "mqtt", err)
	}
	tc, err := c.tls().Config()
	if err != nil {
		return failedServiceHandler(t, "mqtt", fmt.Errorf("broker %q: %w", c.Name, err))
	}
	var (
		mu     sync.Mutex
		client mqtt.Client
	)
	connect := func(ctx context.Context) (mqtt.Client, error) {
		mu.Lock()
		defer mu.Unlock()
		if client != nil && client.IsConnectionOpen() {
			return client, nil
		}
		opts := mqtt.NewClientOptions().AddBroker(c.URL).SetClientID(firstNonEmpty(c.ClientID, c.Name)).
			SetUsername(c.Username).SetPassword(c.Password).SetCleanSession(true).SetAutoReconnect(false)
		if tc != nil {
			opts.SetTLSConfig(tc)
		}
		cl := mqtt.NewClient(opts)
		if err := waitToken(ctx, cl.Connect()); err != nil {
			return nil, fmt.Errorf("failed to connect to MQTT broker %s: %w", c.URL, err)
		}
		client = cl
		return cl, nil
	}
	h := newServiceHandler(t, "mqtt", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		tp, err := topic.render(ev.templateData())
		if err != nil {
			return err
		}
		if tp == "" {
			return permanent(errors.New("empty MQTT topic"))
		}
		cl, err := connect(ctx)
		if err != nil {
			return err
		}
		return waitToken(ctx, cl.Publish(tp, cfg.QoS, cfg.Retained, []byte(ev.Message)))
	})
	h.closers = append(h.closers, func() error {
		mu.Lock()
		defer mu.Unlock()
		if client != nil {
			client.Disconnect(250)
			client = nil
		}
		return nil
	})
	return h
}

// waitToken waits for an MQTT operation within ctx.
func waitToken(ctx context.Context, tok mqtt.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}
