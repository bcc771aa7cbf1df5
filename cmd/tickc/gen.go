package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/codegen"
)

func genCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.StringFlag{Name: "o", Usage: "write the Go source to `FILE` (default: stdout)"},
		&cli.StringFlag{Name: "package", Value: "main", Usage: "the generated file's package `NAME`; other than main it exports Spec() instead of main"},
		&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 and print a unified diff when the file given with -o is not what gen would write"},
	}, compileFlags()...)
	return &cli.Command{
		Name:      "gen",
		Usage:     "write the Go source of the program a TICKscript compiles to",
		ArgsUsage: "FILE.tick",
		Flags:     flags,
		Action:    runGen,
	}
}

func runGen(c *cli.Context) error {
	cs, err := compileFromFlags(c)
	if err != nil {
		return err
	}
	src, err := codegen.Generate(cs.prog, codegen.Options{Package: c.String("package")})
	if err != nil {
		return diagnostics(c, cs.file, err)
	}
	out := c.String("o")
	if c.Bool("check") {
		if out == "" {
			return usagef("gen --check needs the file to check with -o")
		}
		have, err := os.ReadFile(out)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return cli.Exit("tickc: "+err.Error(), exitDiag)
		}
		if !bytes.Equal(have, src) {
			fmt.Fprintf(c.App.ErrWriter, "%s is stale: run tickc gen -o %s %s\n", out, out, cs.path)
			fmt.Fprint(c.App.Writer, unifiedDiff(out, string(have), string(src)))
			return cli.Exit("", exitDiag)
		}
		return nil
	}
	if out == "" {
		_, err := c.App.Writer.Write(src)
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return cli.Exit("tickc: "+err.Error(), exitDiag)
	}
	return nil
}
