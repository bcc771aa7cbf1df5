package passes

import (
	"fmt"
	"io"

	"github.com/tickc/tickc/ir"
)

// Pass is one entry of the pass table.
type Pass struct {
	Name string                  // the name used by -dump-ir and StopAfter
	Run  func(*ir.Program) error // the pass
	Opt  bool                    // an optimization: skipped when optimizations are off
}

// All is the ordered table of passes. TestPassOrder checks its constraints.
var All = []Pass{
	{Name: "deadcode", Run: deadcode, Opt: true},
	{Name: "fold", Run: fold, Opt: true},
	{Name: "fuse", Run: fuse, Opt: true},
}

// Options control Run.
type Options struct {
	// NoOpt turns the optimizations off (-O0): the passes marked Opt are skipped.
	NoOpt bool
	// StopAfter names the last pass to run; "" runs them all.
	StopAfter string
	// DumpAfter names a pass after which ir.Dump of the program is written to
	// Dump; "lower" dumps the program before any pass.
	DumpAfter string
	// Dump receives the dump; nil discards it.
	Dump io.Writer
	// Verify runs ir.Verify after every pass and fails on the first violation.
	Verify bool
}

// Lookup returns the pass named name.
func Lookup(name string) (Pass, bool) {
	for _, p := range All {
		if p.Name == name {
			return p, true
		}
	}
	return Pass{}, false
}

// Run applies the passes of All to p in order, as opts say.
func Run(p *ir.Program, opts Options) error {
	for _, name := range []string{opts.StopAfter, opts.DumpAfter} {
		if name == "" || name == "lower" {
			continue
		}
		if _, ok := Lookup(name); !ok {
			return fmt.Errorf("unknown pass %q; passes are: lower, %s", name, names())
		}
	}
	dump := func(after string) {
		if opts.DumpAfter == after && opts.Dump != nil {
			fmt.Fprintf(opts.Dump, "# after %s\n%s", after, ir.Dump(p))
		}
	}
	dump("lower")
	if opts.StopAfter == "lower" {
		return nil
	}
	for _, pass := range All {
		if !(pass.Opt && opts.NoOpt) {
			if err := pass.Run(p); err != nil {
				return fmt.Errorf("pass %s: %w", pass.Name, err)
			}
			if opts.Verify {
				if err := ir.Verify(p); err != nil {
					return fmt.Errorf("after pass %s: %w", pass.Name, err)
				}
			}
		}
		dump(pass.Name)
		if pass.Name == opts.StopAfter {
			break
		}
	}
	return nil
}

func names() string {
	s := ""
	for i, p := range All {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}
