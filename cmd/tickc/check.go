package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/parser"
)

// checkCommand is "tickc check FILE...": it reports syntax and scope errors.
func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "report the syntax and scope errors of TICKscripts",
		ArgsUsage: "FILE.tick...",
		Description: "check parses each script and runs the checks that need no pipeline model:\n" +
			"immutable vars, undefined identifiers, var types. It prints every error as\n" +
			"file:line:col: message with the source line, and exits 1 when there is one.",
		Action: runCheck,
	}
}

// runCheck checks every file, printing the diagnostics of all of them
// before it fails.
func runCheck(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("usage: tickc check FILE.tick...")
	}
	failed := false
	for _, path := range c.Args().Slice() {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
			failed = true
			continue
		}
		if errs := checkSource(path, src); len(errs) > 0 {
			fmt.Fprint(c.App.ErrWriter, errs.Render(parser.NewFile(path, src)))
			failed = true
		}
	}
	if failed {
		return cli.Exit("", exitDiag)
	}
	return nil
}

// checkSource parses and checks one script, returning its diagnostics.
func checkSource(path string, src []byte) parser.ErrorList {
	s, err := parser.ParseFile(path, src)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) {
			return list
		}
		var l parser.ErrorList
		l.Add(parser.Position{Filename: path}, err.Error())
		return l
	}
	return parser.Check(s)
}
