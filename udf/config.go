package udf

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tickc/tickc/udf/agent"
)

// Config is the [udf] section of a kapacitor.conf-style configuration.
type Config struct {
	Functions map[string]FunctionConfig `toml:"functions"`

	mu    sync.Mutex
	infos map[string]*agent.InfoResponse // the answers of Info, by UDF
}

// Info returns the info response of the UDF name, asking it the first time
// only: as Kapacitor, a program starts (or dials) each UDF once for its info,
// in a connection of its own, however many nodes use it.
func (c *Config) Info(name string) (*agent.InfoResponse, error) {
	fc, ok := c.Functions[name]
	if !ok {
		return nil, fmt.Errorf("no UDF named %q in the configuration: define it in [udf.functions.%s] with prog or socket", name, name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if info, ok := c.infos[name]; ok {
		return info, nil
	}
	if err := fc.Validate(); err != nil {
		return nil, fmt.Errorf("udf.functions.%s: %w", name, err)
	}
	info, err := Info(name, fc)
	if err != nil {
		return nil, err
	}
	if c.infos == nil {
		c.infos = map[string]*agent.InfoResponse{}
	}
	c.infos[name] = info
	return info, nil
}

// FunctionConfig is one [udf.functions.NAME] section: either a process
// (prog, args, env) or a unix socket, and a timeout.
type FunctionConfig struct {
	Prog    string            `toml:"prog"`   // the program to start, one process per node
	Args    []string          `toml:"args"`   // its arguments
	Env     map[string]string `toml:"env"`    // added to the program's environment
	Socket  string            `toml:"socket"` // a unix socket to dial, one connection per node
	Timeout time.Duration     `toml:"timeout"`
	// OnFailure says what a node does when its UDF fails (exits, hangs,
	// answers with an error or garbage): "stop" (the default) stops the node
	// and logs the error; "restart" starts the UDF again on the next data,
	// restoring its last snapshot.
	OnFailure string `toml:"on-failure"`
}

// The values of FunctionConfig.OnFailure.
const (
	OnFailureStop    = "stop"
	OnFailureRestart = "restart"
)

// Validate checks the section's functions, in name order.
func (c *Config) Validate() error {
	names := make([]string, 0, len(c.Functions))
	for n := range c.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		fc := c.Functions[n]
		if err := fc.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("udf.functions.%s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// Validate checks one function's settings as Kapacitor does: prog or
// socket, not both, and a timeout over one millisecond.
func (fc *FunctionConfig) Validate() error {
	switch {
	case fc.Prog == "" && fc.Socket == "":
		return errors.New("set prog (a process UDF) or socket (a socket UDF)")
	case fc.Prog != "" && fc.Socket != "":
		return errors.New("prog and socket are mutually exclusive")
	case fc.Socket != "" && (len(fc.Args) > 0 || len(fc.Env) > 0):
		return errors.New("args and env are for a process UDF, not a socket UDF")
	case fc.Timeout <= time.Millisecond:
		return fmt.Errorf("timeout must be greater than 1ms, got %v", fc.Timeout)
	}
	switch fc.OnFailure {
	case "", OnFailureStop, OnFailureRestart:
	default:
		return fmt.Errorf("on-failure must be %q or %q, not %q", OnFailureStop, OnFailureRestart, fc.OnFailure)
	}
	return nil
}

// LoadFunctions reads the [udf.functions] of a configuration file and
// ignores its other sections: what the compiler needs to check UDF nodes.
func LoadFunctions(file string) (map[string]FunctionConfig, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var top struct {
		UDF Config `toml:"udf"`
	}
	if _, err := toml.Decode(string(data), &top); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := top.UDF.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return top.UDF.Functions, nil
}
