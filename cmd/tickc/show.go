package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
	tickrt "github.com/tickc/tickc/runtime"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print a TICKscript's pipeline as Graphviz DOT, as kapacitor show does",
		ArgsUsage: "FILE.tick",
		Description: "show lowers the script and prints its pipeline in the DOT format of\n" +
			"kapacitor show: \"digraph TASK {\" then one \"parent -> child;\" line per edge\n" +
			"in Kapacitor's node order and names (the batch source's edges are not shown).\n" +
			"With --svg (or --format svg) it draws the pipeline as an SVG image\n" +
			"instead, each node with its position in the script. With --ir it prints\n" +
			"tickc's IR instead, after lowering or after the pass named by --after.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "dbrp", Usage: "a database and retention policy `DB.RP` the task reads (repeatable)"},
			&cli.StringFlag{Name: "vars", Usage: "a JSON `FILE` of define-time vars, as kapacitor define -vars takes"},
			&cli.StringFlag{Name: "task", Usage: "the task `NAME` (default: the script's file name without .tick)"},
			&cli.StringFlag{Name: "type", Usage: "the task type, `stream` or `batch` (default: from the script)"},
			&cli.BoolFlag{Name: "ir", Usage: "print the IR instead of DOT"},
			&cli.BoolFlag{Name: "svg", Usage: "draw the pipeline as SVG instead of DOT (the same as --format svg)"},
			&cli.StringFlag{Name: "format", Value: "dot", Usage: "the output `FORMAT`: dot or svg"},
			&cli.StringFlag{Name: "after", Usage: "with --ir, print the IR after the pass `PASS` (lower, " + passNames() + ")"},
		},
		Action: runShow,
	}
}

func passNames() string {
	var names []string
	for _, p := range passes.All {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func runShow(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("usage: tickc show [flags] FILE.tick")
	}
	path := c.Args().First()
	opts, err := showOptions(c, path)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
		return cli.Exit("", exitDiag)
	}
	file := parser.NewFile(path, src)
	prog, err := showLower(path, src, opts)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) {
			fmt.Fprint(c.App.ErrWriter, list.Render(file))
		} else {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
		}
		return cli.Exit("", exitDiag)
	}
	if !c.Bool("ir") {
		if c.String("after") != "" {
			return usagef("--after needs --ir")
		}
		format := c.String("format")
		if c.Bool("svg") {
			format = "svg"
		}
		switch format {
		case "dot":
			fmt.Fprintln(c.App.Writer, dotGraph(prog))
		case "svg":
			_, err := c.App.Writer.Write(tickrt.RenderPipelineSVG([]tickrt.PipelineGraph{svgGraph(prog)}))
			return err
		default:
			return usagef("--format must be dot or svg, not %q", format)
		}
		return nil
	}
	after := c.String("after")
	if after == "" {
		after = "lower"
	}
	var out strings.Builder
	if err := passes.Run(prog, passes.Options{StopAfter: after, DumpAfter: after, Dump: &out}); err != nil {
		if strings.Contains(err.Error(), "unknown pass") {
			return usagef("%v", err)
		}
		fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
		return cli.Exit("", exitDiag)
	}
	fmt.Fprint(c.App.Writer, strings.TrimPrefix(out.String(), "# after "+after+"\n"))
	return nil
}

// showOptions reads the lowering options from show's flags.
func showOptions(c *cli.Context, path string) (ir.LowerOptions, error) {
	opts := ir.LowerOptions{Task: c.String("task")}
	if opts.Task == "" {
		base := filepath.Base(path)
		opts.Task = strings.TrimSuffix(base, filepath.Ext(base))
	}
	for _, s := range c.StringSlice("dbrp") {
		db, rp, ok := strings.Cut(s, ".")
		if !ok || db == "" || rp == "" {
			return opts, usagef("invalid --dbrp %q: want DB.RP", s)
		}
		opts.DBRPs = append(opts.DBRPs, ir.DBRP{Database: db, RetentionPolicy: rp})
	}
	switch t := c.String("type"); t {
	case "":
	case "stream":
		opts.Type = ir.StreamTask
	case "batch":
		opts.Type = ir.BatchTask
	default:
		return opts, usagef("invalid --type %q: want stream or batch", t)
	}
	if f := c.String("vars"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return opts, usagef("%v", err)
		}
		vars, err := ir.ParseVars(data)
		if err != nil {
			return opts, usagef("%s: %v", f, err)
		}
		opts.Vars = vars
	}
	return opts, nil
}

// showLower parses and lowers one script.
func showLower(path string, src []byte, opts ir.LowerOptions) (*ir.Program, error) {
	s, err := parser.ParseFile(path, src)
	if err != nil {
		return nil, err
	}
	return ir.Lower(s, opts)
}

// dotGraph returns the pipeline of p in the Graphviz format of Kapacitor's
// Pipeline.Dot: the task name, then each node's edges to its children in
// Kapacitor's walk order. The batch source prints no edges, as in Kapacitor.
func dotGraph(p *ir.Program) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", p.Task)
	for _, n := range p.Nodes {
		if n.Kind == ir.KindBatch {
			continue
		}
		for _, c := range n.Children {
			fmt.Fprintf(&b, "%s -> %s;\n", n.Name, c.Name)
		}
	}
	b.WriteString("}")
	return b.String()
}

// svgGraph returns the pipeline of p for the SVG renderer: every node with
// its line and column in the script, every edge (the batch source's too).
func svgGraph(p *ir.Program) tickrt.PipelineGraph {
	index := make(map[*ir.Node]int, len(p.Nodes))
	for i, n := range p.Nodes {
		index[n] = i
	}
	g := tickrt.PipelineGraph{Name: p.Task}
	for _, n := range p.Nodes {
		node := tickrt.PipelineNode{Name: n.Name}
		if n.Pos.Line > 0 {
			node.Lines = []string{fmt.Sprintf("%d:%d", n.Pos.Line, n.Pos.Column)}
		}
		for _, c := range n.Children {
			if i, ok := index[c]; ok {
				node.Children = append(node.Children, i)
			}
		}
		g.Nodes = append(g.Nodes, node)
	}
	return g
}
