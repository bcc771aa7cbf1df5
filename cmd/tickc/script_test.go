package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestScripts runs the CLI scripts of testdata/script, in the manner of
// testscript: each archive's files are written to a fresh directory, which
// becomes the working directory, and the archive's comment is a list of
// commands, one per line ("#" starts a comment):
//
//	tickc ARGS...          run tickc in process; it must exit 0
//	! tickc ARGS...        run tickc; it must exit non-zero
//	exit N                 the last run exited with status N
//	stdin FILE             the next run reads FILE as standard input
//	stdout REGEXP          the last run's standard output matches REGEXP
//	stderr REGEXP          ... its standard error
//	! stdout REGEXP        the output does not match (and so for stderr)
//	cmp stdout FILE        the output is exactly FILE (and so for stderr)
//	cmp FILE1 FILE2        the two files are equal
//
// Arguments are split at spaces; single quotes group words, as in a shell.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for _, f := range ar.Files {
				p := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			s := &scriptState{t: t}
			for i, line := range strings.Split(string(ar.Comment), "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				s.line = i + 1
				s.exec(line)
			}
		})
	}
}

type scriptState struct {
	t              *testing.T
	line           int // line of the command being run, for messages
	stdin          string
	stdout, stderr string
	code           int
	ran            bool
}

func (s *scriptState) fatalf(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("line %d: "+format, append([]any{s.line}, args...)...)
}

func (s *scriptState) exec(line string) {
	s.t.Helper()
	neg := strings.HasPrefix(line, "! ")
	if neg {
		line = strings.TrimSpace(line[2:])
	}
	args, err := splitArgs(line)
	if err != nil || len(args) == 0 {
		s.fatalf("bad command %q: %v", line, err)
	}
	switch cmd := args[0]; cmd {
	case "tickc":
		var out, errOut bytes.Buffer
		s.code = run(context.Background(), args, strings.NewReader(s.stdin), &out, &errOut)
		s.stdout, s.stderr, s.stdin, s.ran = out.String(), errOut.String(), "", true
		if neg != (s.code != 0) {
			s.fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", line, s.code, s.stdout, s.stderr)
		}
	case "exit":
		want, err := strconv.Atoi(arg(s, args, 1))
		if err != nil || !s.ran {
			s.fatalf("bad exit check %q", line)
		}
		if s.code != want {
			s.fatalf("exit status %d, want %d\nstderr:\n%s", s.code, want, s.stderr)
		}
	case "stdin":
		data, err := os.ReadFile(arg(s, args, 1))
		if err != nil {
			s.fatalf("%v", err)
		}
		s.stdin = string(data)
	case "stdout", "stderr":
		text := s.stdout
		if cmd == "stderr" {
			text = s.stderr
		}
		re, err := regexp.Compile("(?m)" + arg(s, args, 1))
		if err != nil {
			s.fatalf("%v", err)
		}
		if re.MatchString(text) == neg {
			if neg {
				line = "! " + line
			}
			s.fatalf("%s: %s was:\n%s", line, cmd, text)
		}
	case "cmp":
		a, b := s.content(arg(s, args, 1)), s.content(arg(s, args, 2))
		if a != b {
			s.fatalf("%s and %s differ\n--- %s\n%s--- %s\n%s", args[1], args[2], args[1], a, args[2], b)
		}
	default:
		s.fatalf("unknown command %q", cmd)
	}
}

// content returns the last run's output for "stdout" and "stderr", else the
// file's text.
func (s *scriptState) content(name string) string {
	switch name {
	case "stdout":
		return s.stdout
	case "stderr":
		return s.stderr
	}
	data, err := os.ReadFile(name)
	if err != nil {
		s.fatalf("%v", err)
	}
	return string(data)
}

func arg(s *scriptState, args []string, i int) string {
	if i >= len(args) {
		s.fatalf("%s needs %d arguments", args[0], i)
	}
	return args[i]
}

// splitArgs splits a command line at spaces, keeping single-quoted text
// (in which ” stands for one quote) together.
func splitArgs(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'' && i+1 < len(line) && line[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case c == '\'':
			quoted = !quoted
			inWord = true
		case !quoted && (c == ' ' || c == '\t'):
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		return nil, strconv.ErrSyntax
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
