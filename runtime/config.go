package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is a program's configuration, read from a kapacitor.conf-style TOML
// file. The core sections are fields; other parts of the runtime add their
// own sections with RegisterConfigSection and read them with Section. Keys
// the file sets that no section knows are an error, not ignored.
type Config struct {
	Hostname               string `toml:"hostname"`
	DataDir                string `toml:"data_dir"`
	DefaultRetentionPolicy string `toml:"default-retention-policy"` // the rp of a write without one

	HTTP       HTTPConfig       `toml:"http"`
	Logging    LoggingConfig    `toml:"logging"`
	Checkpoint CheckpointConfig `toml:"checkpoint"`

	// Limits bounds the groups a task keeps; tickc's own section.
	Limits LimitsConfig `toml:"limits"`

	sections map[string]any // registered sections, by name
}

// HTTPConfig is the [http] section: the HTTP API of a serving program. It
// takes Kapacitor's keys, so that a kapacitor.conf section reads as it is.
type HTTPConfig struct {
	BindAddress      string        `toml:"bind-address"`      // host:port to listen on
	MaxBodySize      int64         `toml:"max-body-size"`     // the largest write body accepted, in bytes; 0 means no limit
	ShutdownTimeout  time.Duration `toml:"shutdown-timeout"`  // how long a shutdown waits for requests in flight
	LogEnabled       bool          `toml:"log-enabled"`       // log every request
	WriteTracing     bool          `toml:"write-tracing"`     // log every write body, at debug level
	PprofEnabled     bool          `toml:"pprof-enabled"`     // serve net/http/pprof under /kapacitor/v1/debug/pprof/
	HTTPSEnabled     bool          `toml:"https-enabled"`     // serve HTTPS with the certificate and key below
	HTTPSCertificate string        `toml:"https-certificate"` // PEM certificate file (it may hold the key too)
	HTTPSPrivateKey  string        `toml:"https-private-key"` // PEM key file; empty: the key is in the certificate file
	AuthEnabled      bool          `toml:"auth-enabled"`      // not supported: must stay false
	SharedSecret     string        `toml:"shared-secret"`     // used only with authentication, hence unused
}

// LoggingConfig is the [logging] section.
type LoggingConfig struct {
	File  string `toml:"file"`  // "STDERR" (default), "STDOUT" or a file path
	Level string `toml:"level"` // DEBUG, INFO, WARN or ERROR
}

// CheckpointConfig is the [checkpoint] section, tickc's own: how often a
// serving program saves the state of its tasks under data_dir (see
// Program.SaveCheckpoint). Nothing is saved or restored without a data_dir.
type CheckpointConfig struct {
	Enabled  bool          `toml:"enabled"`  // save and restore checkpoints when data_dir is set
	Interval time.Duration `toml:"interval"` // time between two checkpoints; 0: only at shutdown
	// Ignore is set by serve's --ignore-checkpoint: the program starts
	// without the state of the file there, which its next checkpoint
	// replaces. It is not a key of the file.
	Ignore bool `toml:"-"`
}

// The defaults of the core sections, those of Kapacitor (and of InfluxDB for
// the body size limit).
const (
	DefaultBindAddress        = ":9092"
	DefaultMaxBodySize        = 25_000_000
	DefaultShutdownTimeout    = 10 * time.Second
	DefaultRetentionPolicy    = "autogen"
	DefaultCheckpointInterval = 10 * time.Second
)

// ConfigSection describes a configuration section that a part of the runtime
// owns, such as [smtp], [[httppost]] or [udf].
type ConfigSection struct {
	// Name is the section's TOML key.
	Name string
	// New returns a pointer to the section's value holding its defaults; the
	// file's section is decoded into it with BurntSushi/toml.
	New func() any
	// Check, when not nil, validates the decoded section.
	Check func(v any) error
}

var (
	sectionsMu sync.Mutex
	sections   = map[string]ConfigSection{}
)

var coreKeys = map[string]bool{
	"hostname": true, "data_dir": true, "default-retention-policy": true, "limits": true,
	"http": true, "logging": true, "checkpoint": true,
}

// RegisterConfigSection adds a section to every Config. It is meant to be
// called from an init function; it panics on a name used twice, which is a
// programming error, never an input error.
func RegisterConfigSection(s ConfigSection) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	if s.Name == "" || s.New == nil {
		panic("runtime: RegisterConfigSection needs a name and a constructor")
	}
	if _, dup := sections[s.Name]; dup || coreKeys[s.Name] {
		panic("runtime: config section " + s.Name + " registered twice")
	}
	sections[s.Name] = s
}

// NewConfig returns the default configuration.
func NewConfig() *Config {
	c := &Config{
		Hostname:               "localhost",
		DefaultRetentionPolicy: DefaultRetentionPolicy,
		HTTP: HTTPConfig{
			BindAddress:     DefaultBindAddress,
			MaxBodySize:     DefaultMaxBodySize,
			ShutdownTimeout: DefaultShutdownTimeout,
		},
		Logging:    LoggingConfig{File: "STDERR", Level: "INFO"},
		Checkpoint: CheckpointConfig{Enabled: true, Interval: DefaultCheckpointInterval},
		sections:   map[string]any{},
	}
	sectionsMu.Lock()
	for name, s := range sections {
		c.sections[name] = s.New()
	}
	sectionsMu.Unlock()
	return c
}

// Section returns the value of a registered section (the pointer its New
// returned, filled from the file), or nil for an unknown name.
func (c *Config) Section(name string) any { return c.sections[name] }

// LoadConfig reads the TOML configuration in file over the defaults.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// ParseConfig reads a TOML configuration over the defaults. Every key it
// sets must belong to a known section; the error lists those that do not.
func ParseConfig(text string) (*Config, error) {
	c := NewConfig()
	var top map[string]toml.Primitive
	md, err := toml.Decode(text, &top)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(top))
	for k := range top {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		var dst any
		switch k {
		case "hostname":
			dst = &c.Hostname
		case "data_dir":
			dst = &c.DataDir
		case "default-retention-policy":
			dst = &c.DefaultRetentionPolicy
		case "http":
			dst = &c.HTTP
		case "logging":
			dst = &c.Logging
		case "checkpoint":
			dst = &c.Checkpoint
		case "limits":
			dst = &c.Limits
		default:
			dst = c.sections[k]
		}
		if dst == nil {
			continue // reported below as undecoded
		}
		if err := md.PrimitiveDecode(top[k], dst); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("unknown configuration keys: %s", strings.Join(keys, ", "))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the configuration's values.
func (c *Config) Validate() error {
	var errs []error
	if c.HTTP.MaxBodySize < 0 {
		errs = append(errs, fmt.Errorf("http.max-body-size must not be negative"))
	}
	if c.HTTP.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("http.shutdown-timeout must not be negative"))
	}
	if c.HTTP.AuthEnabled {
		errs = append(errs, fmt.Errorf("http.auth-enabled: authentication is not supported"))
	}
	if c.HTTP.HTTPSEnabled && c.HTTP.HTTPSCertificate == "" {
		errs = append(errs, fmt.Errorf("http.https-enabled needs http.https-certificate"))
	}
	errs = append(errs, c.Limits.check()...)
	if c.Checkpoint.Interval < 0 {
		errs = append(errs, fmt.Errorf("checkpoint.interval must not be negative"))
	}
	if _, err := ParseLogLevel(c.Logging.Level); err != nil {
		errs = append(errs, fmt.Errorf("logging.level: %w", err))
	}
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	for name, v := range c.sections {
		if s := sections[name]; s.Check != nil {
			if err := s.Check(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// EnvPrefix prefixes the environment variables that override the
// configuration file: TICKC_ then the key path in upper case with dots and
// dashes as underscores, e.g. TICKC_HTTP_BIND_ADDRESS.
const EnvPrefix = "TICKC_"

// ApplyEnv overrides the core settings with the TICKC_ environment variables
// that lookup finds (os.LookupEnv in a program).
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	str := func(p *string) func(string) error { return func(s string) error { *p = s; return nil } }
	vars := []struct {
		name string
		set  func(string) error
	}{
		{"HOSTNAME", str(&c.Hostname)},
		{"DATA_DIR", str(&c.DataDir)},
		{"DEFAULT_RETENTION_POLICY", str(&c.DefaultRetentionPolicy)},
		{"HTTP_BIND_ADDRESS", str(&c.HTTP.BindAddress)},
		{"HTTP_MAX_BODY_SIZE", func(s string) error {
			n, err := strconv.ParseInt(s, 10, 64)
			c.HTTP.MaxBodySize = n
			return err
		}},
		{"HTTP_SHUTDOWN_TIMEOUT", func(s string) error {
			d, err := time.ParseDuration(s)
			c.HTTP.ShutdownTimeout = d
			return err
		}},
		{"HTTP_LOG_ENABLED", boolVar(&c.HTTP.LogEnabled)},
		{"HTTP_WRITE_TRACING", boolVar(&c.HTTP.WriteTracing)},
		{"HTTP_PPROF_ENABLED", boolVar(&c.HTTP.PprofEnabled)},
		{"HTTP_HTTPS_ENABLED", boolVar(&c.HTTP.HTTPSEnabled)},
		{"HTTP_HTTPS_CERTIFICATE", str(&c.HTTP.HTTPSCertificate)},
		{"HTTP_HTTPS_PRIVATE_KEY", str(&c.HTTP.HTTPSPrivateKey)},
		{"HTTP_AUTH_ENABLED", boolVar(&c.HTTP.AuthEnabled)},
		{"LOGGING_FILE", str(&c.Logging.File)},
		{"LOGGING_LEVEL", str(&c.Logging.Level)},
		{"CHECKPOINT_ENABLED", boolVar(&c.Checkpoint.Enabled)},
		{"CHECKPOINT_INTERVAL", func(s string) error {
			d, err := time.ParseDuration(s)
			c.Checkpoint.Interval = d
			return err
		}},
		{"LIMITS_GROUP_IDLE_TIMEOUT", durationVar(&c.Limits.GroupIdleTimeout)},
		{"LIMITS_MAX_GROUPS_PER_TASK", intVar(&c.Limits.MaxGroupsPerTask)},
	}
	for _, v := range vars {
		s, ok := lookup(EnvPrefix + v.name)
		if !ok {
			continue
		}
		if err := v.set(s); err != nil {
			return fmt.Errorf("%s%s: invalid value %q", EnvPrefix, v.name, s)
		}
	}
	return c.Validate()
}

func boolVar(p *bool) func(string) error {
	return func(s string) error {
		b, err := strconv.ParseBool(s)
		*p = b
		return err
	}
}

// ParseLogLevel parses a Kapacitor log level name, in any case.
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(s) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "", "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want DEBUG, INFO, WARN or ERROR)", s)
}
