package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"text/template"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaConfig is one [[kafka]] section, with Kapacitor's keys: several
// sections configure several clusters, named by id.
type KafkaConfig struct {
	Enabled            bool          `toml:"enabled"`
	ID                 string        `toml:"id"`      // the name handlers give to .cluster()
	Brokers            []string      `toml:"brokers"` // host:port of the seed brokers
	Timeout            time.Duration `toml:"timeout"` // bounds one write
	BatchSize          int           `toml:"batch-size"`
	BatchTimeout       time.Duration `toml:"batch-timeout"` // how long messages may wait to be batched
	UseSSL             bool          `toml:"use-ssl"`       // connect with TLS; the other ssl keys apply only with it, as in Kapacitor
	SSLCA              string        `toml:"ssl-ca"`        // PEM file of the CAs of the brokers' certificates
	SSLCert            string        `toml:"ssl-cert"`      // PEM file of the client certificate
	SSLKey             string        `toml:"ssl-key"`       // PEM file of its key
	InsecureSkipVerify bool          `toml:"insecure-skip-verify"`
}

// Kafka defaults, Kapacitor's.
const (
	DefaultKafkaID           = "default"
	DefaultKafkaTimeout      = 10 * time.Second
	DefaultKafkaBatchSize    = 100
	DefaultKafkaBatchTimeout = time.Second
)

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "kafka",
		New:  func() any { return &[]KafkaConfig{} },
		Check: func(v any) error {
			var errs []error
			for _, c := range *v.(*[]KafkaConfig) {
				if c.Enabled && len(c.Brokers) == 0 {
					errs = append(errs, fmt.Errorf("cluster %q: no brokers specified, must provide at least one broker URL", c.ID))
				}
				if _, err := c.tls(); err != nil {
					errs = append(errs, fmt.Errorf("cluster %q: %w", c.ID, err))
				}
			}
			return errors.Join(errs...)
		},
	})
}

// tls returns the TLS configuration of a cluster with use-ssl, nil without.
func (c KafkaConfig) tls() (*tls.Config, error) {
	if !c.UseSSL {
		return nil, nil
	}
	tc, err := ClientTLS{CA: c.SSLCA, Cert: c.SSLCert, Key: c.SSLKey, SkipVerify: c.InsecureSkipVerify}.Config()
	if tc == nil && err == nil {
		tc = &tls.Config{}
	}
	return tc, err
}

// kafkaCluster returns the [[kafka]] section of id ("" means "default").
func kafkaCluster(t *Task, id string) (KafkaConfig, bool) {
	if id == "" {
		id = DefaultKafkaID
	}
	for _, c := range *serviceSection[[]KafkaConfig](t, "kafka") {
		if c.ID == "" {
			c.ID = DefaultKafkaID
		}
		if c.ID == id {
			if c.Timeout == 0 {
				c.Timeout = DefaultKafkaTimeout
			}
			if c.BatchSize == 0 {
				c.BatchSize = DefaultKafkaBatchSize
			}
			if c.BatchTimeout == 0 {
				c.BatchTimeout = DefaultKafkaBatchTimeout
			}
			return c, true
		}
	}
	return KafkaConfig{}, false
}

// KafkaHandlerConfig configures a kafka handler, .kafka() and its
// properties.
type KafkaHandlerConfig struct {
	Cluster string // the [[kafka]] id; empty: "default"
	Topic   string
	// Template, when set, is a text/template on the alert data that makes
	// the message; otherwise the message is the event's JSON body.
	Template string
	// DisablePartitionByID leaves the partition to the default hash (FNV-1a
	// of the alert ID) instead of PartitionAlgorithm.
	DisablePartitionByID bool
	// PartitionAlgorithm hashes the alert ID to a partition: "crc32" (the
	// default), "murmur2" or "fnv-1a".
	PartitionAlgorithm string
}

// NewKafkaHandler returns a kafka handler of task t: it writes each event
// to the topic keyed by the alert ID, as Kapacitor's kafka service does.
// An unknown cluster, an empty topic, an unknown partition algorithm or a
// template that does not parse is reported by Err.
func NewKafkaHandler(t *Task, cfg KafkaHandlerConfig) *ServiceHandler {
	c, ok := kafkaCluster(t, cfg.Cluster)
	if !ok {
		return failedServiceHandler(t, "kafka", fmt.Errorf("unknown cluster %q", cfg.Cluster))
	}
	if cfg.Topic == "" {
		return failedServiceHandler(t, "kafka", errors.New("topic must not be empty"))
	}
	algo := cfg.PartitionAlgorithm
	if cfg.DisablePartitionByID {
		algo = "fnv-1a"
	}
	hash, err := kafkaHash(algo)
	if err != nil {
		return failedServiceHandler(t, "kafka", err)
	}
	tc, err := c.tls()
	if err != nil {
		return failedServiceHandler(t, "kafka", fmt.Errorf("cluster %q: %w", c.ID, err))
	}
	var tmpl *template.Template
	if cfg.Template != "" {
		if tmpl, err = template.New("kafka alert template").Parse(cfg.Template); err != nil {
			return failedServiceHandler(t, "kafka", fmt.Errorf("failed to parse template: %w", err))
		}
	}
	var (
		mu     sync.Mutex
		client *kgo.Client
	)
	getClient := func() (*kgo.Client, error) {
		mu.Lock()
		defer mu.Unlock()
		if client != nil {
			return client, nil
		}
		opts := []kgo.Opt{
			kgo.SeedBrokers(c.Brokers...),
			kgo.ClientID(c.ID),
			kgo.RecordPartitioner(kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int { return hash })),
			kgo.ProducerLinger(0),
			kgo.ProduceRequestTimeout(c.Timeout),
		}
		if tc != nil {
			opts = append(opts, kgo.DialTLSConfig(tc))
		}
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return nil, permanent(err)
		}
		client = cl
		return cl, nil
	}
	h := newServiceHandler(t, "kafka", fmt.Sprintf("%s/%s", c.ID, cfg.Topic), c.Timeout, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		value := ev.Body
		if tmpl != nil {
			var b bytes.Buffer
			if err := tmpl.Execute(&b, ev.data()); err != nil {
				return permanent(fmt.Errorf("failed to execute alert template: %w", err))
			}
			value = b.Bytes()
		}
		cl, err := getClient()
		if err != nil {
			return err
		}
		rec := &kgo.Record{Topic: cfg.Topic, Key: []byte(ev.ID), Value: value}
		return cl.ProduceSync(ctx, rec).FirstErr()
	})
	h.closers = append(h.closers, func() error {
		mu.Lock()
		defer mu.Unlock()
		if client != nil {
			client.Close()
			client = nil
		}
		return nil
	})
	return h
}

// kafkaHash returns the partition function of algo, Kapacitor's partitioners:
// an empty key goes to a random partition.
func kafkaHash(algo string) (func(*kgo.Record, int) int, error) {
	var h func(key []byte, n int) int
	switch algo {
	case "crc32", "":
		h = func(key []byte, n int) int { return int((crc32.ChecksumIEEE(key) % uint32(n)) & 0x7fffffff) }
	case "murmur2":
		h = func(key []byte, n int) int { return int((murmur2(key) & 0x7fffffff) % uint32(n)) }
	case "fnv-1a":
		h = func(key []byte, n int) int {
			f := fnv.New32a()
			_, _ = f.Write(key)
			p := int32(f.Sum32()) % int32(n)
			if p < 0 {
				p = -p
			}
			return int(p)
		}
	default:
		return nil, fmt.Errorf("invalid partition algorithm: %q", algo)
	}
	return func(r *kgo.Record, n int) int {
		if n <= 0 {
			return 0
		}
		if len(r.Key) == 0 {
			return rand.IntN(n)
		}
		return h(r.Key, n)
	}, nil
}

// murmur2 is Kafka's murmur2 hash (the Java client's Utils.murmur2).
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n&^3:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
