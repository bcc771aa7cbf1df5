package main

import (
	"os"
	"strings"
	"testing"
)

const (
	messy     = "var x=stream|from().measurement('cpu')\n"
	formatted = "var x = stream\n    |from()\n        .measurement('cpu')\n"
)

func TestFmtStdout(t *testing.T) {
	path := writeFile(t, "m.tick", messy)
	code, out, errOut := runTickc(t, "", "fmt", path)
	if code != 0 || out != formatted || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got, _ := os.ReadFile(path); string(got) != messy {
		t.Errorf("fmt without -w changed the file")
	}
}

func TestFmtStdin(t *testing.T) {
	code, out, _ := runTickc(t, messy, "fmt")
	if code != 0 || out != formatted {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if code, _, errOut := runTickc(t, messy, "fmt", "-w"); code != 2 || !strings.Contains(errOut, "-w") {
		t.Errorf("-w on stdin: exit %d, stderr %q; want 2", code, errOut)
	}
}

func TestFmtWrite(t *testing.T) {
	path := writeFile(t, "m.tick", messy)
	code, out, _ := runTickc(t, "", "fmt", "-w", path)
	if code != 0 || out != "" {
		t.Errorf("exit %d, stdout %q; want 0 and no output", code, out)
	}
	if got, _ := os.ReadFile(path); string(got) != formatted {
		t.Errorf("file after -w:\n%s", got)
	}
	// Formatting is idempotent: a second -l lists nothing.
	if code, out, _ := runTickc(t, "", "fmt", "-l", path); code != 0 || out != "" {
		t.Errorf("-l after -w: exit %d, stdout %q; want nothing", code, out)
	}
}

func TestFmtList(t *testing.T) {
	bad := writeFile(t, "m.tick", messy)
	good := writeFile(t, "f.tick", formatted)
	code, out, _ := runTickc(t, "", "fmt", "-l", bad, good)
	if code != 0 || out != bad+"\n" {
		t.Errorf("exit %d, stdout %q; want only %s", code, out, bad)
	}
}

func TestFmtDiff(t *testing.T) {
	path := writeFile(t, "m.tick", "var a = 1\nvar b=2\n")
	code, out, _ := runTickc(t, "", "fmt", "-d", path)
	want := "--- " + path + ".orig\n+++ " + path + "\n" +
		"@@ -1,2 +1,3 @@\n" +
		" var a = 1\n" +
		"-var b=2\n" +
		"+\n" +
		"+var b = 2\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, diff:\n%s\nwant:\n%s", code, out, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "var a = 1\nvar b=2\n" {
		t.Errorf("-d changed the file")
	}
}

func TestFmtSyntaxError(t *testing.T) {
	path := writeFile(t, "e.tick", "var a = (1\n")
	code, out, errOut := runTickc(t, "", "fmt", "-w", path)
	want := path + ":2:1: unexpected end of file, expected \")\"\n"
	if code != 1 || out != "" || !strings.HasPrefix(errOut, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "var a = (1\n" {
		t.Errorf("a script with errors was rewritten")
	}
}

func TestUnifiedDiffHunks(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\nELEVEN\n12\n"
	want := "--- f.orig\n+++ f\n" +
		"@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n" +
		"@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+ELEVEN\n 12\n"
	if got := unifiedDiff("f", a, b); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := unifiedDiff("f", a, a); got != "" {
		t.Errorf("equal texts: %q", got)
	}
}
