package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit statuses of tickc.
const (
	exitOK    = 0 // success
	exitDiag  = 1 // diagnostics, failures, or a stale file
	exitUsage = 2 // bad flags, arguments or command
)

// commands are the constructors of the subcommands, one per file.
var commands = []func() *cli.Command{
	checkCommand,
	fmtCommand,
	showCommand,
	buildCommand,
	genCommand,
	testCommand,
}

// usageError is a command-line mistake; it exits with status 2.
type usageError struct{ msg string }

// Error returns the message without a prefix.
func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// newApp builds the CLI. It never exits the process: errors come back from
// Run and run turns them into an exit status.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	onUsage := func(_ *cli.Context, err error, _ bool) error {
		return &usageError{msg: err.Error()}
	}
	app := &cli.App{
		Name:            "tickc",
		Usage:           "compile Kapacitor TICKscripts into standalone Go programs",
		HideVersion:     true,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    onUsage,
		HideHelpCommand: false,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q; run 'tickc help' for the list", c.Args().First())
			}
			_ = cli.ShowAppHelp(c)
			return usagef("no command given")
		},
	}
	for _, newCmd := range commands {
		cmd := newCmd()
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = onUsage
		}
		app.Commands = append(app.Commands, cmd)
	}
	return app
}

// run runs tickc with the command line args (program name first) and
// returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := newApp(stdin, stdout, stderr).RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "tickc: %s\n", ue.msg)
		return exitUsage
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := strings.TrimRight(ec.Error(), "\n"); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	fmt.Fprintf(stderr, "tickc: %s\n", err)
	return exitDiag
}
