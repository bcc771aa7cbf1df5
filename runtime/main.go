package runtime

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Main is the whole main function of a generated program:
//
//	func main() { os.Exit(tickrt.Main(cpuTask)) }
//
// It runs the command named by the arguments (serve, replay, tasks or version) with
// the tasks of specs and returns the exit code: 0 on success, 1 on an error,
// 2 on a usage error. SIGINT and SIGTERM end serve cleanly.
func Main(specs ...TaskSpec) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal a second one ends the program at once.
		<-ctx.Done()
		stop()
	}()
	return Run(ctx, os.Args, os.Stdout, os.Stderr, specs...)
}

// Run is Main with its environment explicit: args[0] is the program name,
// output goes to stdout and diagnostics to stderr, and serve ends when ctx
// is cancelled. Environment variables are read with os.LookupEnv.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, specs ...TaskSpec) int {
	prog := "program"
	if len(args) > 0 {
		prog = args[0]
		args = args[1:]
	}
	if len(args) == 0 {
		usage(stderr, prog)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, prog, args[1:], stderr, specs)
	case "replay":
		return runReplay(prog, args[1:], stdout, stderr, specs)
	case "tasks":
		return runTasks(prog, args[1:], stdout, stderr, specs)
	case "version":
		fmt.Fprintf(stdout, "%s %s\n", prog, Version)
		return 0
	case "help", "-h", "-help", "--help":
		usage(stdout, prog)
		return 0
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n", prog, args[0])
	usage(stderr, prog)
	return 2
}

func usage(w io.Writer, prog string) {
	fmt.Fprintf(w, `usage: %s <command> [flags]

commands:
  serve    run the tasks and take writes over HTTP (Kapacitor's write and httpOut API)
  replay   run recorded data through the tasks and print their results as JSON
  tasks    list the tasks of the program
  version  print the Kapacitor-compatible version the program reports

Run '%s <command> -h' for the flags of a command.
`, prog, prog)
}

// flagSet returns a flag set that reports its errors to stderr.
func flagSet(prog, cmd string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(prog+" "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// loadConfig reads the configuration file, if any (--config, else
// $TICKC_CONFIG_PATH), then the TICKC_ environment variables.
func loadConfig(file string) (*Config, error) {
	if file == "" {
		file = os.Getenv(EnvPrefix + "CONFIG_PATH")
	}
	cfg := NewConfig()
	if file != "" {
		var err error
		if cfg, err = LoadConfig(file); err != nil {
			return nil, err
		}
	}
	if err := cfg.ApplyEnv(os.LookupEnv); err != nil {
		return nil, err
	}
	return cfg, nil
}

// newLogger makes the program's structured logger from the [logging] section.
// The returned function closes a log file.
func newLogger(cfg *Config, stderr io.Writer) (*slog.Logger, func(), error) {
	level, err := ParseLogLevel(cfg.Logging.Level)
	if err != nil {
		return nil, nil, err
	}
	w, closeFn := stderr, func() {}
	switch strings.ToUpper(cfg.Logging.File) {
	case "", "STDERR":
	case "STDOUT":
		w = os.Stdout
	default:
		f, err := os.OpenFile(cfg.Logging.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("logging.file: %w", err)
		}
		w, closeFn = f, func() { f.Close() }
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), closeFn, nil
}

func runServe(ctx context.Context, prog string, args []string, stderr io.Writer, specs []TaskSpec) int {
	fs := flagSet(prog, "serve", stderr)
	addr := fs.String("http", "", "address to listen on, host:port (default: the config's http.bind-address, "+DefaultBindAddress+")")
	cfgFile := fs.String("config", "", "kapacitor.conf-style TOML configuration `file`")
	level := fs.String("log-level", "", "log level: DEBUG, INFO, WARN or ERROR (overrides the config)")
	dataDir := fs.String("data-dir", "", "`directory` of the checkpoint file (overrides the config's data_dir)")
	interval := fs.Duration("checkpoint-interval", -1, "time between two checkpoints; 0: only at shutdown (overrides the config's checkpoint.interval)")
	ignore := fs.Bool("ignore-checkpoint", false, "start without the state of the checkpoint file; the next checkpoint replaces it")
	limits := limitFlags(fs)
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s serve: unexpected argument %q\n", prog, fs.Arg(0))
		return 2
	}
	if *interval < -1 {
		fmt.Fprintf(stderr, "%s serve: --checkpoint-interval must not be negative\n", prog)
		return 2
	}
	cfg, err := loadConfig(*cfgFile)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *interval >= 0 {
		cfg.Checkpoint.Interval = *interval
	}
	cfg.Checkpoint.Ignore = *ignore
	if err := limits(cfg); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if *addr != "" {
		cfg.HTTP.BindAddress = *addr
	}
	if *level != "" {
		cfg.Logging.Level = *level
	}
	log, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	defer closeLog()
	p, err := NewProgram(specs, cfg, nil, log)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	ln, err := net.Listen("tcp", cfg.HTTP.BindAddress)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if err := Serve(ctx, p, ln, cfg, log); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

func runReplay(prog string, args []string, stdout, stderr io.Writer, specs []TaskSpec) int {
	fs := flagSet(prog, "replay", stderr)
	var inputs, batches stringList
	fs.Var(&inputs, "input", "stream recording `FILE.srpl` (repeatable: files are merged by time)")
	fs.Var(&batches, "batch", "batch recording `FILE.brpl` for the next query node (repeatable)")
	zero := fs.String("clock-zero", "", "start of the replay clock, RFC3339 (required)")
	dur := fs.Duration("duration", 0, "how far the clock is moved past clock-zero at the end of the input")
	task := fs.String("task", "", "replay only the task `NAME`")
	cfgFile := fs.String("config", "", "kapacitor.conf-style TOML configuration `file`")
	noHandlers := fs.Bool("no-handlers", false, "alert handlers deliver nowhere; events are still printed")
	shift := fs.Bool("shift", false, "move each file's times so that its first point is at clock-zero (Kapacitor's replay without -rec-time)")
	limits := limitFlags(fs)
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s replay: unexpected argument %q\n", prog, fs.Arg(0))
		return 2
	}
	if *zero == "" {
		fmt.Fprintf(stderr, "%s replay: --clock-zero is required\n", prog)
		return 2
	}
	z, err := time.Parse(time.RFC3339Nano, *zero)
	if err != nil {
		fmt.Fprintf(stderr, "%s replay: --clock-zero: %q is not an RFC3339 time\n", prog, *zero)
		return 2
	}
	if *dur < 0 {
		fmt.Fprintf(stderr, "%s replay: --duration must not be negative\n", prog)
		return 2
	}
	cfg, err := loadConfig(*cfgFile)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if err := limits(cfg); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	log, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	defer closeLog()
	zeroNs := z.UnixNano()
	p, err := NewProgram(specs, cfg, func() Clock { return NewReplayClock(zeroNs) }, log)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	out, err := p.Replay(ReplayOptions{
		Streams:    inputs,
		Batches:    batches,
		ClockZero:  zeroNs,
		Duration:   int64(*dur),
		Task:       *task,
		NoHandlers: *noHandlers,
		Shift:      *shift,
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if err := out.WriteJSON(stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

func runTasks(prog string, args []string, stdout, stderr io.Writer, specs []TaskSpec) int {
	fs := flagSet(prog, "tasks", stderr)
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	for _, s := range specs {
		dbrps := make([]string, len(s.DBRPs))
		for i, d := range s.DBRPs {
			dbrps[i] = d.String()
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", s.Name, s.Type, strings.Join(dbrps, ","))
	}
	return 0
}

// flagExit maps a flag parsing error to an exit code: -h is success.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
