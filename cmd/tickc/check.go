package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/parser"
)

// checkCommand is "tickc check FILE...": it reports syntax, scope and
// pipeline errors.
func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "report the errors of TICKscripts",
		ArgsUsage: "FILE.tick...",
		Description: "check parses each script, checks its vars and identifiers, and builds its\n" +
			"pipeline as a template task would be defined: unknown nodes and properties,\n" +
			"argument types, edge types and lambda type errors are reported. Template vars\n" +
			"without a value and a missing dbrp are allowed (both come at define time).\n" +
			"It prints every error as file:line:col: message with the source line, and\n" +
			"exits 1 when there is one.",
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
	if errs := parser.Check(s); len(errs) > 0 {
		return errs
	}
	_, err = ir.Lower(s, ir.LowerOptions{Template: true})
	var list parser.ErrorList
	if errors.As(err, &list) {
		return list
	}
	if err != nil {
		list.Add(parser.Position{Filename: path}, err.Error())
	}
	return list
}
