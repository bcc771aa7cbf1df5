package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	influxhttp "github.com/influxdata/influxdb-client-go/v2/api/http"
	"github.com/influxdata/influxdb-client-go/v2/api/write"
)

// InfluxDBConfig is one [[influxdb]] section: an InfluxDB server (or cluster
// of equivalent URLs) that influxDBOut nodes write to and batch queries
// read from. It takes Kapacitor's keys; those about subscriptions are
// accepted and have no effect (a tickc program does not manage InfluxDB
// subscriptions: see docs/influxdb.md). The last keys are tickc's own.
type InfluxDBConfig struct {
	Enabled            *bool         `toml:"enabled"` // absent means true
	Name               string        `toml:"name"`
	Default            bool          `toml:"default"`
	URLs               []string      `toml:"urls"`
	Username           string        `toml:"username"`
	Password           string        `toml:"password"`
	Token              string        `toml:"token"`
	HTTPSharedSecret   bool          `toml:"http-shared-secret"`
	SSLCA              string        `toml:"ssl-ca"`
	SSLCert            string        `toml:"ssl-cert"`
	SSLKey             string        `toml:"ssl-key"`
	InsecureSkipVerify bool          `toml:"insecure-skip-verify"`
	Timeout            time.Duration `toml:"timeout"` // one request; 0 means no limit

	DisableSubscriptions     bool                `toml:"disable-subscriptions"`
	SubscriptionProtocol     string              `toml:"subscription-protocol"`
	SubscriptionMode         string              `toml:"subscription-mode"`
	Subscriptions            map[string][]string `toml:"subscriptions"`
	ExcludedSubscriptions    map[string][]string `toml:"excluded-subscriptions"`
	KapacitorHostname        string              `toml:"kapacitor-hostname"`
	HTTPPort                 int                 `toml:"http-port"`
	UDPBind                  string              `toml:"udp-bind"`
	UDPBuffer                int                 `toml:"udp-buffer"`
	UDPReadBuffer            int                 `toml:"udp-read-buffer"`
	StartUpTimeout           time.Duration       `toml:"startup-timeout"`
	SubscriptionSyncInterval time.Duration       `toml:"subscriptions-sync-interval"`
	SubscriptionPath         string              `toml:"subscription-path"`
	Compression              string              `toml:"compression"`

	// WriteAPI chooses how points are written: "v2" (the /api/v2/write
	// endpoint of InfluxDB 1.8+ and 2.x), "v1" (/write, for InfluxDB 1.7 and
	// older) or "auto" (the default: asks /ping for the server's version).
	WriteAPI string `toml:"write-api"`
	// Org is the organization the v2 write API writes to: InfluxDB 2.x
	// needs it (with a token); InfluxDB 1.8 takes it empty.
	Org string `toml:"org"`
	// RetryInterval is the first wait after a failed write; it doubles up to
	// MaxRetryInterval.
	RetryInterval    time.Duration `toml:"retry-interval"`
	MaxRetryInterval time.Duration `toml:"max-retry-interval"`
	// MaxRetryTime is how long a batch of points is retried before it is
	// given up (logged and counted); 0 means until shutdown.
	MaxRetryTime time.Duration `toml:"max-retry-time"`
	// BufferLimit bounds the points an influxDBOut node holds while InfluxDB
	// cannot take them; past it new points are dropped, logged and counted.
	BufferLimit int `toml:"buffer-limit"`
}

// The defaults of the [[influxdb]] keys, and the cluster a program uses when
// its configuration has no [[influxdb]] section (Kapacitor's default).
const (
	DefaultInfluxDBURL              = "http://localhost:8086"
	DefaultInfluxDBName             = "default"
	DefaultInfluxDBRetryInterval    = time.Second
	DefaultInfluxDBMaxRetryInterval = 30 * time.Second
	DefaultInfluxDBMaxRetryTime     = 10 * time.Minute
	DefaultInfluxDBBufferLimit      = 100_000
)

// InfluxDBConfigs is the value of the influxdb configuration section: every
// [[influxdb]] of the file, in order.
type InfluxDBConfigs []InfluxDBConfig

func init() {
	RegisterConfigSection(ConfigSection{
		Name:  "influxdb",
		New:   func() any { return &InfluxDBConfigs{} },
		Check: func(v any) error { return v.(*InfluxDBConfigs).check() },
	})
}

var validClusterName = regexp.MustCompile(`^[-._\p{L}0-9]+$`)

// check fills the defaults of every section and validates it.
func (cs *InfluxDBConfigs) check() error {
	var errs []error
	names := map[string]bool{}
	defaults := 0
	for i := range *cs {
		c := &(*cs)[i]
		c.applyDefaults()
		if err := c.validate(); err != nil {
			errs = append(errs, fmt.Errorf("[[influxdb]] %q: %w", c.Name, err))
			continue
		}
		if !c.IsEnabled() {
			continue
		}
		if names[c.Name] {
			errs = append(errs, fmt.Errorf("two [[influxdb]] sections are named %q", c.Name))
		}
		names[c.Name] = true
		if c.Default {
			defaults++
		}
	}
	if defaults > 1 {
		errs = append(errs, errors.New("more than one [[influxdb]] section is the default"))
	}
	return errors.Join(errs...)
}

// IsEnabled reports whether the section is in use: enabled is true or absent.
func (c *InfluxDBConfig) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

func (c *InfluxDBConfig) applyDefaults() {
	if c.Name == "" {
		c.Name = DefaultInfluxDBName
	}
	if c.WriteAPI == "" {
		c.WriteAPI = "auto"
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = DefaultInfluxDBRetryInterval
	}
	if c.MaxRetryInterval <= 0 {
		c.MaxRetryInterval = DefaultInfluxDBMaxRetryInterval
	}
	if c.MaxRetryInterval < c.RetryInterval {
		c.MaxRetryInterval = c.RetryInterval
	}
	if c.MaxRetryTime < 0 {
		c.MaxRetryTime = 0
	} else if c.MaxRetryTime == 0 {
		c.MaxRetryTime = DefaultInfluxDBMaxRetryTime
	}
	if c.BufferLimit <= 0 {
		c.BufferLimit = DefaultInfluxDBBufferLimit
	}
}

func (c *InfluxDBConfig) validate() error {
	if !validClusterName.MatchString(c.Name) {
		return errors.New("influxdb cluster name must contain only numbers, letters or '.', '-', and '_' characters")
	}
	if len(c.URLs) == 0 {
		return errors.New("must specify at least one InfluxDB URL")
	}
	for _, u := range c.URLs {
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		if pu.Scheme != "http" && pu.Scheme != "https" {
			return fmt.Errorf("url %q: the scheme must be http or https", u)
		}
	}
	switch c.WriteAPI {
	case "auto", "v1", "v2":
	default:
		return fmt.Errorf("write-api must be auto, v1 or v2, got %q", c.WriteAPI)
	}
	switch c.SubscriptionProtocol {
	case "", "http", "https", "udp":
	default:
		return fmt.Errorf("invalid subscription protocol, must be one of 'udp', 'http' or 'https', got %q", c.SubscriptionProtocol)
	}
	switch c.Compression {
	case "", "gzip", "none":
	default:
		return fmt.Errorf("invalid compression, must be one of 'gzip' or 'none', got %q", c.Compression)
	}
	if c.Timeout < 0 {
		return errors.New("timeout must not be negative")
	}
	if _, err := c.tlsConfig(); err != nil {
		return err
	}
	return nil
}

// tlsConfig builds the TLS settings of the ssl-* keys; nil when none is set.
func (c *InfluxDBConfig) tlsConfig() (*tls.Config, error) {
	return ClientTLS{CA: c.SSLCA, Cert: c.SSLCert, Key: c.SSLKey, SkipVerify: c.InsecureSkipVerify}.Config()
}

// InfluxDBConfigured reports whether the configuration has an enabled
// [[influxdb]] section. Without one a serving program uses Kapacitor's
// default server (DefaultInfluxDBURL), and a replay keeps the points that
// influxDBOut nodes would write for its output instead.
func (c *Config) InfluxDBConfigured() bool {
	cs, _ := c.Section("influxdb").(*InfluxDBConfigs)
	if cs == nil {
		return false
	}
	for i := range *cs {
		if (*cs)[i].IsEnabled() {
			return true
		}
	}
	return false
}

// InfluxDB returns the cluster named name, as .cluster(name) selects it: the
// empty name is the default cluster (the section with default = true, or
// the only one). Without any [[influxdb]] section it is Kapacitor's default,
// a server on localhost:8086.
func (c *Config) InfluxDB(name string) (*InfluxDBConfig, error) {
	cs, _ := c.Section("influxdb").(*InfluxDBConfigs)
	var enabled []*InfluxDBConfig
	if cs != nil {
		for i := range *cs {
			if (*cs)[i].IsEnabled() {
				enabled = append(enabled, &(*cs)[i])
			}
		}
	}
	if len(enabled) == 0 {
		d := InfluxDBConfig{Name: DefaultInfluxDBName, URLs: []string{DefaultInfluxDBURL}, Default: true}
		d.applyDefaults()
		if name == "" || name == d.Name {
			return &d, nil
		}
		return nil, fmt.Errorf("unknown InfluxDB cluster %q: the configuration has no [[influxdb]] section", name)
	}
	if name == "" {
		for _, e := range enabled {
			if e.Default {
				return e, nil
			}
		}
		if len(enabled) == 1 {
			return enabled[0], nil
		}
		return nil, errors.New("several [[influxdb]] clusters and none is marked default = true: choose one with .cluster()")
	}
	for _, e := range enabled {
		if e.Name == name {
			return e, nil
		}
	}
	known := make([]string, len(enabled))
	for i, e := range enabled {
		known[i] = e.Name
	}
	return nil, fmt.Errorf("unknown InfluxDB cluster %q (configured: %s)", name, strings.Join(known, ", "))
}

// influxClient talks to one InfluxDB cluster: writes through the v2 client
// library or the v1 /write endpoint, queries through /query. It moves on to
// the next URL after a failure. It is safe for concurrent use.
type influxClient struct {
	cfg  *InfluxDBConfig
	http *http.Client

	mu      sync.Mutex
	current int                         // index in cfg.URLs of the URL in use
	api     map[string]string           // URL -> "v1" or "v2", once known
	v2      map[string]influxdb2.Client // URL + "\x00" + consistency -> client
}

var (
	clientsMu sync.Mutex
	clients   = map[*InfluxDBConfig]*influxClient{}
)

// clientFor returns the shared client of a cluster's configuration.
func clientFor(cfg *InfluxDBConfig) (*influxClient, error) {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c := clients[cfg]; c != nil {
		return c, nil
	}
	tlsCfg, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	c := &influxClient{
		cfg:  cfg,
		http: &http.Client{Transport: tr, Timeout: cfg.Timeout},
		api:  map[string]string{},
		v2:   map[string]influxdb2.Client{},
	}
	clients[cfg] = c
	return c, nil
}

// influxError is a failed request: its status (0 when no answer came) and
// InfluxDB's message.
type influxError struct {
	Status int
	Msg    string
}

func (e *influxError) Error() string {
	if e.Status == 0 {
		return e.Msg
	}
	return fmt.Sprintf("InfluxDB answered %d: %s", e.Status, e.Msg)
}

// retryable reports whether a failed request may succeed later: no answer,
// a server error, or too many requests. Other answers (bad points, unknown
// database, authentication) will not change.
func retryable(err error) bool {
	var ie *influxError
	if !errors.As(err, &ie) {
		return true
	}
	return ie.Status == 0 || ie.Status == http.StatusTooManyRequests || ie.Status >= 500
}

func (c *influxClient) url() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.TrimRight(c.cfg.URLs[c.current%len(c.cfg.URLs)], "/")
}

// failed moves on to the next URL when u is still the one in use.
func (c *influxClient) failed(u string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.TrimRight(c.cfg.URLs[c.current%len(c.cfg.URLs)], "/") == u {
		c.current++
	}
}

// token is what the Authorization header carries: the token, or
// "username:password" (InfluxDB 1.8's v2 compatibility form).
func (c *influxClient) token() string {
	if c.cfg.Token != "" {
		return c.cfg.Token
	}
	if c.cfg.Username != "" {
		return c.cfg.Username + ":" + c.cfg.Password
	}
	return ""
}

// auth sets the credentials of a v1 request.
func (c *influxClient) auth(req *http.Request) {
	switch {
	case c.cfg.Token != "":
		req.Header.Set("Authorization", "Token "+c.cfg.Token)
	case c.cfg.Username != "":
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
}

// Write writes lines of line protocol with nanosecond timestamps into
// database db and retention policy rp (empty: the database's default).
func (c *influxClient) Write(ctx context.Context, db, rp, consistency string, lines []byte) error {
	if db == "" {
		return &influxError{Status: http.StatusBadRequest, Msg: "no database to write to: set .database() or write points that carry one"}
	}
	u := c.url()
	var err error
	if c.writeAPI(ctx, u, consistency) == "v1" {
		err = c.writeV1(ctx, u, db, rp, consistency, lines)
	} else {
		err = c.writeV2(ctx, u, db, rp, consistency, lines)
	}
	if err != nil && retryable(err) {
		c.failed(u)
	}
	return err
}

// writeAPI decides between v1 and v2 for URL u.
func (c *influxClient) writeAPI(ctx context.Context, u, consistency string) string {
	switch c.cfg.WriteAPI {
	case "v1", "v2":
		return c.cfg.WriteAPI
	}
	c.mu.Lock()
	api, ok := c.api[u]
	c.mu.Unlock()
	if ok {
		return api
	}
	version, err := c.ping(ctx, u)
	if err != nil {
		return "v2" // unknown for now: asked again on the next write
	}
	api = "v2"
	if major, minor, ok := parseVersion(version); ok && major == 1 && (minor < 8 || consistency != "") {
		// The v2 endpoint came with 1.8; write consistency matters only to
		// InfluxDB Enterprise clusters, which take it on /write.
		api = "v1"
	}
	c.mu.Lock()
	c.api[u] = api
	c.mu.Unlock()
	return api
}

// parseVersion reads "1.8.10" (or "v2.7.1") as major and minor numbers.
func parseVersion(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	return ma, mi, err1 == nil && err2 == nil
}

// ping asks u for its version.
func (c *influxClient) ping(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/ping", nil)
	if err != nil {
		return "", err
	}
	c.auth(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", &influxError{Msg: err.Error()}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return "", &influxError{Status: resp.StatusCode, Msg: "ping failed"}
	}
	return resp.Header.Get("X-Influxdb-Version"), nil
}

func (c *influxClient) writeV1(ctx context.Context, u, db, rp, consistency string, lines []byte) error {
	q := url.Values{"db": {db}, "precision": {"ns"}}
	if rp != "" {
		q.Set("rp", rp)
	}
	if consistency != "" {
		q.Set("consistency", consistency)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"/write?"+q.Encode(), bytes.NewReader(lines))
	if err != nil {
		return &influxError{Status: http.StatusBadRequest, Msg: err.Error()}
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	c.auth(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return &influxError{Msg: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &influxError{Status: resp.StatusCode, Msg: errorMessage(body)}
}

// errorMessage extracts InfluxDB's {"error": "..."} (or v2's "message").
func errorMessage(body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Error != "" {
			return e.Error
		}
		if e.Message != "" {
			return e.Message
		}
	}
	return strings.TrimSpace(string(body))
}

func (c *influxClient) writeV2(ctx context.Context, u, db, rp, consistency string, lines []byte) error {
	key := u + "\x00" + consistency
	c.mu.Lock()
	cl := c.v2[key]
	if cl == nil {
		opts := influxdb2.DefaultOptions().SetHTTPClient(c.http).SetPrecision(time.Nanosecond)
		if consistency != "" {
			opts.WriteOptions().SetConsistency(write.Consistency(consistency))
		}
		cl = influxdb2.NewClientWithOptions(u, c.token(), opts)
		c.v2[key] = cl
	}
	c.mu.Unlock()
	bucket := db
	if rp != "" {
		bucket += "/" + rp
	}
	err := cl.WriteAPIBlocking(c.cfg.Org, bucket).WriteRecord(ctx, string(bytes.TrimRight(lines, "\n")))
	if err == nil {
		return nil
	}
	var he *influxhttp.Error
	if errors.As(err, &he) {
		msg := he.Message
		if msg == "" {
			msg = he.Error()
		}
		return &influxError{Status: he.StatusCode, Msg: msg}
	}
	return &influxError{Msg: err.Error()}
}

// queryResponse is the JSON answer of /query.
type queryResponse struct {
	Results []queryResult `json:"results"`
	Err     string        `json:"error"`
}

type queryResult struct {
	Series []querySeries `json:"series"`
	Err    string        `json:"error"`
}

type querySeries struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

// Query runs an InfluxQL command and returns its results; numbers decode as
// json.Number. A statement's error is in its result.
func (c *influxClient) Query(ctx context.Context, command string) (*queryResponse, error) {
	u := c.url()
	form := url.Values{"q": {command}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c.auth(req)
	resp, err := c.http.Do(req)
	if err != nil {
		c.failed(u)
		return nil, &influxError{Msg: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.failed(u)
		return nil, &influxError{Msg: err.Error()}
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode >= 500 {
			c.failed(u)
		}
		return nil, &influxError{Status: resp.StatusCode, Msg: errorMessage(body)}
	}
	var out queryResponse
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("the query answer is not InfluxDB's JSON: %w", err)
	}
	if out.Err != "" {
		return nil, errors.New(out.Err)
	}
	return &out, nil
}
