package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/parser"
)

// fmtCommand is "tickc fmt [-w] [-l] [-d] FILE...": it prints scripts in
// canonical layout.
func fmtCommand() *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "print TICKscripts in canonical layout",
		ArgsUsage: "[FILE.tick...]",
		Description: "fmt prints each script in the layout of Kapacitor's tickfmt. With no file it\n" +
			"formats standard input. It exits 1 when a script does not parse.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "w", Usage: "write the result to the file instead of standard output"},
			&cli.BoolFlag{Name: "l", Usage: "list the files whose formatting differs"},
			&cli.BoolFlag{Name: "d", Usage: "print a diff instead of the result"},
		},
		Action: runFmt,
	}
}

// runFmt formats every file, or standard input when there is none.
func runFmt(c *cli.Context) error {
	write, list, diff := c.Bool("w"), c.Bool("l"), c.Bool("d")
	if c.NArg() == 0 {
		if write {
			return usagef("cannot use -w with standard input")
		}
		src, err := io.ReadAll(c.App.Reader)
		if err != nil {
			return cli.Exit("tickc: "+err.Error(), exitDiag)
		}
		if !formatOne(c, "<stdin>", src, false, list, diff) {
			return cli.Exit("", exitDiag)
		}
		return nil
	}
	failed := false
	for _, path := range c.Args().Slice() {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
			failed = true
			continue
		}
		if !formatOne(c, path, src, write, list, diff) {
			failed = true
		}
	}
	if failed {
		return cli.Exit("", exitDiag)
	}
	return nil
}

// formatOne formats one script and prints or writes what the flags ask for.
// It reports false after printing the errors when the script does not parse
// or cannot be written.
func formatOne(c *cli.Context, path string, src []byte, write, list, diff bool) bool {
	out, err := parser.FormatSource(path, src)
	if err != nil {
		var errs parser.ErrorList
		if errors.As(err, &errs) {
			fmt.Fprint(c.App.ErrWriter, errs.Render(parser.NewFile(path, src)))
		} else {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
		}
		return false
	}
	changed := !bytes.Equal(src, out)
	if list && changed {
		fmt.Fprintln(c.App.Writer, path)
	}
	if diff && changed {
		fmt.Fprint(c.App.Writer, unifiedDiff(path, string(src), string(out)))
	}
	if write && changed {
		info, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
			return false
		}
		if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "tickc: %v\n", err)
			return false
		}
	}
	if !write && !list && !diff {
		c.App.Writer.Write(out)
	}
	return true
}

// unifiedDiff returns the line diff from a to b in unified format with three
// lines of context, or "" when they are equal.
func unifiedDiff(path, a, b string) string {
	x, y := splitLines(a), splitLines(b)
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type edit struct {
		kind byte // ' ' (common), '-' (only in a) or '+' (only in b)
		text string
	}
	var edits []edit
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			edits = append(edits, edit{' ', x[i]})
			i++
			j++
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', x[i]})
			i++
		default:
			edits = append(edits, edit{'+', y[j]})
			j++
		}
	}
	const context = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s.orig\n+++ %s\n", path, path)
	changed := false
	for k := 0; k < len(edits); {
		if edits[k].kind == ' ' {
			k++
			continue
		}
		changed = true
		// A hunk runs from context lines before the change to context
		// lines after the last change that is close enough to join it.
		start := max(k-context, 0)
		end := k
		for end < len(edits) {
			if edits[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(edits) && edits[run].kind == ' ' {
				run++
			}
			if run == len(edits) || run-end > 2*context {
				end = min(end+context, len(edits))
				break
			}
			end = run
		}
		aStart, bStart, aLen, bLen := 0, 0, 0, 0
		for _, e := range edits[:start] {
			if e.kind != '+' {
				aStart++
			}
			if e.kind != '-' {
				bStart++
			}
		}
		for _, e := range edits[start:end] {
			if e.kind != '+' {
				aLen++
			}
			if e.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, e := range edits[start:end] {
			out.WriteByte(e.kind)
			out.WriteString(e.text)
			out.WriteByte('\n')
		}
		k = end
	}
	if !changed {
		return ""
	}
	return out.String()
}

// hunkRange writes the start and length of a hunk side as unified diffs do:
// 1-based, the length left out when it is 1.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits s into lines without their newlines.
func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
