package ir_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

var update = flag.Bool("update", false, "rewrite the golden outputs of testdata/lower")

// TestLowerGolden lowers each testdata/lower/*.txtar: the script in.tick,
// with the options of the archive comment ("dbrp DB.RP", "type stream|batch",
// "task NAME", one per line; "#" starts a comment line) and the define-time vars of vars.json if any,
// and compares ir.Dump with out/ir and, after all passes, with out/after, or
// the diagnostics with out/errors. With -update it rewrites the outputs.
func TestLowerGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "lower", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string][]byte{}
			for _, f := range ar.Files {
				sections[f.Name] = f.Data
			}
			src, ok := sections["in.tick"]
			if !ok {
				t.Fatal("no in.tick section")
			}
			opts := goldenOptions(t, ar.Comment)
			if vars, ok := sections["vars.json"]; ok {
				opts.Vars, err = ir.ParseVars(vars)
				if err != nil {
					t.Fatal(err)
				}
			}
			outs := map[string]string{}
			p, err := lowerSource(src, opts)
			if err != nil {
				outs["out/errors"] = err.Error() + "\n"
			} else {
				if verr := ir.Verify(p); verr != nil {
					t.Fatalf("Verify: %v", verr)
				}
				outs["out/ir"] = ir.Dump(p)
				if err := passes.Run(p, passes.Options{Verify: true}); err != nil {
					t.Fatalf("passes: %v", err)
				}
				outs["out/after"] = ir.Dump(p)
			}
			if *update {
				var files []txtar.File
				for _, f := range ar.Files {
					if !strings.HasPrefix(f.Name, "out/") {
						files = append(files, f)
					}
				}
				for _, name := range []string{"out/errors", "out/ir", "out/after"} {
					if got, ok := outs[name]; ok {
						files = append(files, txtar.File{Name: name, Data: []byte(got)})
					}
				}
				ar.Files = files
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for name, got := range outs {
				want, ok := sections[name]
				if !ok {
					t.Errorf("the golden has no %s section; got:\n%s", name, got)
					continue
				}
				if got != string(want) {
					t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
				}
			}
			for name := range sections {
				if _, ok := outs[name]; strings.HasPrefix(name, "out/") && !ok {
					t.Errorf("the golden has a %s section, but lowering gives none", name)
				}
			}
		})
	}
}

func goldenOptions(t *testing.T, comment []byte) ir.LowerOptions {
	opts := ir.LowerOptions{Task: "test"}
	for _, line := range strings.Split(string(comment), "\n") {
		key, val, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch {
		case key == "" || strings.HasPrefix(key, "#"):
			continue
		}
		switch key {
		case "dbrp":
			db, rp, _ := strings.Cut(val, ".")
			opts.DBRPs = append(opts.DBRPs, ir.DBRP{Database: db, RetentionPolicy: rp})
		case "type":
			opts.Type = map[string]ir.TaskType{"stream": ir.StreamTask, "batch": ir.BatchTask}[val]
		case "task":
			opts.Task = val
		default:
			t.Fatalf("unknown option line %q", line)
		}
	}
	return opts
}

func lowerSource(src []byte, opts ir.LowerOptions) (*ir.Program, error) {
	script, err := parser.ParseFile("in.tick", src)
	if err != nil {
		return nil, err
	}
	return ir.Lower(script, opts)
}

var errorRx = regexp.MustCompile(`// ERROR (".*")\s*$`)

// annotations splits the quoted patterns of an ERROR annotation. Inside the
// quotes \" is a quote and every other backslash belongs to the regexp.
func annotations(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != '"' {
			return nil, fmt.Errorf("want a quoted pattern at %q", s)
		}
		var b strings.Builder
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
				i++
			}
			b.WriteByte(s[i])
		}
		if i == len(s) {
			return nil, fmt.Errorf("unterminated pattern in %q", s)
		}
		out = append(out, b.String())
		s = s[i+1:]
	}
	return out, nil
}

// TestLowerErrors lowers each testdata/errors/*.tick (with dbrp db.rp) and
// checks its diagnostics against the // ERROR "regexp" annotations both ways:
// every diagnostic matches an annotation of its line, and every annotation
// matches a diagnostic of its line.
func TestLowerErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.tick"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".tick"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int][]*regexp.Regexp{}
			for i, line := range strings.Split(string(src), "\n") {
				m := errorRx.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				pats, err := annotations(m[1])
				if err != nil {
					t.Fatalf("line %d: bad annotation: %v", i+1, err)
				}
				for _, pat := range pats {
					want[i+1] = append(want[i+1], regexp.MustCompile(pat))
				}
			}
			opts := ir.LowerOptions{DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}}
			_, err = lowerSource(src, opts)
			var list parser.ErrorList
			if err != nil {
				var ok bool
				if list, ok = err.(parser.ErrorList); !ok {
					t.Fatalf("error is %T, not a parser.ErrorList: %v", err, err)
				}
			}
			matched := map[*regexp.Regexp]bool{}
			for _, d := range list {
				found := false
				for _, rx := range want[d.Pos.Line] {
					if rx.MatchString(d.Msg) {
						matched[rx], found = true, true
					}
				}
				if !found {
					t.Errorf("unexpected diagnostic %s", d.Error())
				}
			}
			var lines []int
			for line := range want {
				lines = append(lines, line)
			}
			sort.Ints(lines)
			for _, line := range lines {
				for _, rx := range want[line] {
					if !matched[rx] {
						t.Errorf("%s:%d: no diagnostic matches %q", file, line, rx)
					}
				}
			}
		})
	}
}

// TestDiagnosticsFormat checks how diagnostics print: file:line:col: message.
func TestDiagnosticsFormat(t *testing.T) {
	src := "stream\n    |from()\n    |window().perod(10s)\n"
	_, err := lowerSource([]byte(src), ir.LowerOptions{DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}})
	want := `in.tick:3:15: no property "perod" on window; did you mean "period"?`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	var buf bytes.Buffer
	fmt.Fprint(&buf, err)
	if strings.Count(buf.String(), "\n") != 0 {
		t.Errorf("one error prints on one line: %q", buf.String())
	}
}
