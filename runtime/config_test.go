package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c := NewConfig()
	if c.HTTP.BindAddress != ":9092" || c.HTTP.MaxBodySize != 25_000_000 ||
		c.DefaultRetentionPolicy != "autogen" || c.HTTP.ShutdownTimeout != 10*time.Second {
		t.Errorf("defaults = %+v", c)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(`
hostname = "kap1"
default-retention-policy = "weekly"

[http]
  bind-address = "127.0.0.1:9999"
  max-body-size = 1000
  shutdown-timeout = "3s"

[logging]
  level = "debug"
`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hostname != "kap1" || c.DefaultRetentionPolicy != "weekly" ||
		c.HTTP.BindAddress != "127.0.0.1:9999" || c.HTTP.MaxBodySize != 1000 ||
		c.HTTP.ShutdownTimeout != 3*time.Second || c.Logging.Level != "debug" {
		t.Errorf("config = %+v", c)
	}
	// Kapacitor's own [http] keys are understood.
	if _, err := ParseConfig("[http]\nlog-enabled = true\nwrite-tracing = false\npprof-enabled = true\nhttps-enabled = false\nauth-enabled = false\nshared-secret = \"\"\n"); err != nil {
		t.Errorf("Kapacitor's http keys: %v", err)
	}
	// Keys not given keep their defaults.
	if c.Logging.File != "STDERR" {
		t.Errorf("logging.file = %q", c.Logging.File)
	}
}

func TestParseConfigUnknownKeys(t *testing.T) {
	_, err := ParseConfig("[http]\nbind-adress = \"x\"\n[nosuch]\na = 1\n")
	if err == nil {
		t.Fatal("unknown keys accepted")
	}
	for _, k := range []string{"http.bind-adress", "nosuch"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error %q does not name %s", err, k)
		}
	}
}

func TestParseConfigBadValues(t *testing.T) {
	for _, text := range []string{
		"[http]\nmax-body-size = \"big\"\n",
		"[http]\nmax-body-size = -1\n",
		"[logging]\nlevel = \"loud\"\n",
		"[http]\nauth-enabled = true\n",
		"[http]\nhttps-enabled = true\n",
		"[http\n",
	} {
		if _, err := ParseConfig(text); err == nil {
			t.Errorf("accepted %q", text)
		}
	}
}

type testSMTPConfig struct {
	Enabled bool   `toml:"enabled"`
	Host    string `toml:"host"`
	Port    int    `toml:"port"`
}

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "test-smtp",
		New:  func() any { return &testSMTPConfig{Host: "localhost", Port: 25} },
	})
}

func TestRegisteredSection(t *testing.T) {
	c, err := ParseConfig("[test-smtp]\nenabled = true\nport = 2525\n")
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.Section("test-smtp").(*testSMTPConfig)
	if !ok || !s.Enabled || s.Port != 2525 || s.Host != "localhost" {
		t.Errorf("section = %+v", c.Section("test-smtp"))
	}
	if _, err := ParseConfig("[test-smtp]\nhots = \"x\"\n"); err == nil || !strings.Contains(err.Error(), "test-smtp.hots") {
		t.Errorf("unknown key in a registered section: %v", err)
	}
	// Every Config has its own section value.
	if NewConfig().Section("test-smtp").(*testSMTPConfig).Port != 25 {
		t.Error("defaults shared between configs")
	}
}

func TestConfigEnvOverrides(t *testing.T) {
	env := map[string]string{
		"TICKC_HTTP_BIND_ADDRESS":        "127.0.0.1:1",
		"TICKC_HTTP_MAX_BODY_SIZE":       "42",
		"TICKC_DEFAULT_RETENTION_POLICY": "rp2",
		"TICKC_LOGGING_LEVEL":            "WARN",
	}
	c := NewConfig()
	if err := c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if c.HTTP.BindAddress != "127.0.0.1:1" || c.HTTP.MaxBodySize != 42 || c.DefaultRetentionPolicy != "rp2" || c.Logging.Level != "WARN" {
		t.Errorf("config = %+v", c)
	}
	env["TICKC_HTTP_MAX_BODY_SIZE"] = "lots"
	if err := NewConfig().ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil ||
		!strings.Contains(err.Error(), "TICKC_HTTP_MAX_BODY_SIZE") {
		t.Errorf("bad env value: %v", err)
	}
}

func TestLoadConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kapacitor.conf")
	if err := os.WriteFile(path, []byte("[http]\nbind-address = \":1234\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil || c.HTTP.BindAddress != ":1234" {
		t.Errorf("LoadConfig = %+v, %v", c, err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "none.conf")); err == nil {
		t.Error("missing file accepted")
	}
}
