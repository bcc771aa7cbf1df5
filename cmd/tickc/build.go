package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

// compileFlags are the flags build and gen share: what the script is compiled
// with. The single-dash spellings of Kapacitor's define (-tick, -type, -dbrp,
// -vars) work too, since flags take one or two dashes.
func compileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "dbrp", Usage: "a database and retention policy `DB.RP` the task reads (repeatable)"},
		&cli.StringFlag{Name: "vars", Usage: "a JSON `FILE` of define-time vars, as kapacitor define -vars takes"},
		&cli.StringFlag{Name: "task", Usage: "the task `NAME` (default: the script's file name without .tick)"},
		&cli.StringFlag{Name: "tick", Usage: "the script `FILE` (Kapacitor's spelling; or give it as the argument)"},
		&cli.StringFlag{Name: "type", Usage: "check that the task is a `stream` or `batch` task"},
		&cli.BoolFlag{Name: "O0", Aliases: []string{"no-opt"}, Usage: "do not optimize: one runtime node per pipeline node"},
		&cli.StringFlag{Name: "debug", Usage: "`dump-ir=PASS` prints the IR after the named pass (or \"lower\") to stderr"},
		&cli.StringFlag{Name: "config", Usage: "a kapacitor.conf-style `FILE`: the UDFs its [udf.functions] name are asked for their edges and options"},
	}
}

func buildCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.StringFlag{Name: "o", Usage: "write the program to `BIN` (default: the task name)"},
		&cli.BoolFlag{Name: "no-cache", Usage: "build even when the binary is cached"},
	}, compileFlags()...)
	return &cli.Command{
		Name:      "build",
		Usage:     "compile a TICKscript into a standalone program",
		ArgsUsage: "FILE.tick... | DIR",
		Description: "With one script, build makes a program that runs its task. With several\n" +
			"scripts, or a directory (its *.tick files), it makes one program that runs\n" +
			"every task, each named after its file: a written point is parsed once and\n" +
			"goes to every task whose dbrp and measurement match; each task keeps its\n" +
			"own httpOut endpoints, statistics and state.",
		Flags:  flags,
		Action: runBuild,
	}
}

func runBuild(c *cli.Context) error {
	if c.NArg() > 1 || (c.NArg() == 1 && isDir(c.Args().First())) {
		return runBuildMany(c)
	}
	cs, err := compileFromFlags(c)
	if err != nil {
		return err
	}
	src, err := codegen.Generate(cs.prog, codegen.Options{})
	if err != nil {
		return diagnostics(c, cs.file, err)
	}
	out := c.String("o")
	if out == "" {
		out = cs.prog.Task
	}
	prog := gobuild.Program{Name: programName(cs.prog.Task), Source: src, Output: out}
	if err := gobuild.Build(c.Context, []gobuild.Program{prog}, gobuild.Options{NoCache: c.Bool("no-cache")}); err != nil {
		var be *gobuild.BuildError
		if errors.As(err, &be) {
			return cli.Exit("tickc: "+be.Error(), exitDiag)
		}
		return cli.Exit("tickc: "+err.Error(), exitDiag)
	}
	return nil
}

// programName turns a task name into a name gobuild accepts for the
// program's package directory.
func programName(task string) string {
	var b strings.Builder
	for _, r := range task {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.HasPrefix(b.String(), "-") {
		return "task" + b.String()
	}
	return b.String()
}

// compiled is a script lowered and optimized, ready for the code generator.
type compiled struct {
	path string
	file *parser.File // for the source snippets of later diagnostics
	prog *ir.Program
}

// compileFromFlags reads, parses, lowers and optimizes the script the
// command line names, with the task settings of the flags. Diagnostics are
// printed with source snippets and end the command with status 1.
func compileFromFlags(c *cli.Context) (*compiled, error) {
	path, err := scriptPath(c)
	if err != nil {
		return nil, err
	}
	return compileScript(c, path)
}

// compileScript is compileFromFlags for the script at path.
func compileScript(c *cli.Context, path string) (*compiled, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, cli.Exit("tickc: "+err.Error(), exitDiag)
	}
	file := parser.NewFile(path, src)
	opts := ir.LowerOptions{Task: c.String("task")}
	if opts.Task == "" {
		opts.Task = defaultTaskName(path)
	}
	switch typ := c.String("type"); typ {
	case "":
	case "stream":
		opts.Type = ir.StreamTask
	case "batch":
		opts.Type = ir.BatchTask
	default:
		return nil, usagef("-type must be stream or batch, not %q", typ)
	}
	for _, d := range c.StringSlice("dbrp") {
		db, rp, ok := strings.Cut(d, ".")
		if !ok || db == "" || rp == "" {
			return nil, usagef("--dbrp wants DB.RP, got %q", d)
		}
		opts.DBRPs = append(opts.DBRPs, ir.DBRP{Database: db, RetentionPolicy: rp})
	}
	if vars := c.String("vars"); vars != "" {
		data, err := os.ReadFile(vars)
		if err != nil {
			return nil, cli.Exit("tickc: "+err.Error(), exitDiag)
		}
		if opts.Vars, err = ir.ParseVars(data); err != nil {
			return nil, cli.Exit(fmt.Sprintf("tickc: %s: %v", vars, err), exitDiag)
		}
	}
	script, err := parser.ParseFile(path, src)
	if err != nil {
		return nil, diagnostics(c, file, err)
	}
	var infos map[string]ir.UDFInfo
	if config := c.String("config"); config != "" {
		if infos, err = udfInfos(config, script); err != nil {
			return nil, cli.Exit("tickc: "+err.Error(), exitDiag)
		}
		opts.UDFs = infos
	}
	prog, err := ir.Lower(script, opts)
	if err != nil {
		return nil, diagnostics(c, file, err)
	}
	if err := checkUDFOptions(prog, infos); err != nil {
		return nil, diagnostics(c, file, err)
	}
	popts := passes.Options{NoOpt: c.Bool("O0"), Dump: c.App.ErrWriter}
	if dbg := c.String("debug"); dbg != "" {
		pass, ok := strings.CutPrefix(dbg, "dump-ir=")
		if !ok {
			return nil, usagef("--debug takes dump-ir=PASS, got %q", dbg)
		}
		popts.DumpAfter = pass
	}
	if err := passes.Run(prog, popts); err != nil {
		return nil, cli.Exit("tickc: "+err.Error(), exitDiag)
	}
	return &compiled{path: path, file: file, prog: prog}, nil
}

// diagnostics prints the positioned errors of a stage, one per line with a
// snippet of the source, and ends the command with status 1.
func diagnostics(c *cli.Context, file *parser.File, err error) error {
	var list parser.ErrorList
	var gen codegen.ErrorList
	switch {
	case errors.As(err, &list):
	case errors.As(err, &gen):
		for _, e := range gen {
			list.Add(parser.Position{Filename: e.File, Line: e.Line, Column: e.Col}, e.Msg)
		}
	default:
		fmt.Fprintln(c.App.ErrWriter, strings.TrimRight(err.Error(), "\n"))
		return cli.Exit("", exitDiag)
	}
	fmt.Fprint(c.App.ErrWriter, list.Render(file))
	return cli.Exit("", exitDiag)
}

// scriptPath returns the script named by -tick or by the one argument.
func scriptPath(c *cli.Context) (string, error) {
	tick := c.String("tick")
	switch {
	case tick != "" && c.NArg() > 0:
		return "", usagef("give the script either with -tick or as the argument, not both")
	case tick != "":
		return tick, nil
	case c.NArg() == 1:
		return c.Args().First(), nil
	case c.NArg() == 0:
		return "", usagef("usage: tickc %s [flags] FILE.tick", c.Command.Name)
	}
	return "", usagef("%s takes one script, got %d arguments (flags go before the script)", c.Command.Name, c.NArg())
}

// defaultTaskName is the script's file name without its extension.
func defaultTaskName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
