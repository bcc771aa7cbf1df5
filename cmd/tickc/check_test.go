package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runTickc runs the CLI in process and returns its exit status and output.
func runTickc(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"tickc"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeFile writes a file in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckValid(t *testing.T) {
	path := writeFile(t, "ok.tick", "var t = 5\nstream\n    |from()\n        .where(lambda: \"v\" > t)\n")
	code, out, errOut := runTickc(t, "", "check", path)
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and no output", code, out, errOut)
	}
}

func TestCheckDiagnostics(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tick")
	if err := os.WriteFile(bad, []byte("var a = 1\nvar a = 2\nstream|from().where(lambda: \"v\" > b)\nvar c = 1e3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runTickc(t, "", "check", bad)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and no stdout", code, out)
	}
	// Syntax errors come first: Check runs only on a script that parses.
	want := bad + ":4:9: invalid number \"1e3\": exponents are not supported\n" +
		"  | var c = 1e3\n" +
		"  |         ^\n"
	if errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}

	scope := filepath.Join(dir, "scope.tick")
	if err := os.WriteFile(scope, []byte("var a = 1\nvar a = 2\nstream|from().where(lambda: \"v\" > b)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runTickc(t, "", "check", scope, bad)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, line := range []string{
		scope + ":2:5: cannot redefine a (declared at 1:5): vars are immutable\n",
		scope + ":3:35: undefined identifier b\n",
		bad + ":4:9: invalid number",
	} {
		if !strings.Contains(errOut, line) {
			t.Errorf("stderr lacks %q:\n%s", line, errOut)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	if code, _, errOut := runTickc(t, "", "check"); code != 2 || !strings.Contains(errOut, "usage: tickc check") {
		t.Errorf("no file: exit %d, stderr %q; want 2 and a usage line", code, errOut)
	}
	missing := filepath.Join(t.TempDir(), "missing.tick")
	if code, _, errOut := runTickc(t, "", "check", missing); code != 1 || !strings.Contains(errOut, "missing.tick") {
		t.Errorf("missing file: exit %d, stderr %q; want 1 naming the file", code, errOut)
	}
	if code, _, errOut := runTickc(t, "", "check", "-bogus", "x.tick"); code != 2 || !strings.Contains(errOut, "flag provided but not defined: -bogus") {
		t.Errorf("bad flag: exit %d, stderr %q; want 2", code, errOut)
	}
}

func TestAppUsage(t *testing.T) {
	if code, out, _ := runTickc(t, ""); code != 2 || !strings.Contains(out, "COMMANDS") {
		t.Errorf("no command: exit %d, stdout %q; want 2 and the help", code, out)
	}
	if code, _, errOut := runTickc(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q; want 2", code, errOut)
	}
	if code, out, _ := runTickc(t, "", "help"); code != 0 || !strings.Contains(out, "check") || !strings.Contains(out, "fmt") {
		t.Errorf("help: exit %d, stdout %q; want 0 listing check and fmt", code, out)
	}
}

// TestCheckShared runs tickc check over the conformance and example scripts
// of the shared directory next to the repository.
func TestCheckShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared")
	cases, _ := filepath.Glob(filepath.Join(shared, "conformance", "cases", "*", "*", "task.tick"))
	examples, _ := filepath.Glob(filepath.Join(shared, "examples", "*.tick"))
	files := append(cases, examples...)
	if len(files) == 0 {
		t.Skip("no shared scripts next to the repository")
	}
	code, _, errOut := runTickc(t, "", append([]string{"check"}, files...)...)
	if code != 0 {
		t.Errorf("tickc check on %d shared scripts: exit %d\n%s", len(files), code, errOut)
	}
}
