package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runTickc runs the CLI in-process and returns its exit status and output.
func runShowCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"tickc"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestShowPrintsKapacitorDot(t *testing.T) {
	path := writeScript(t, "cpu.tick", `dbrp "db"."rp"
var data = stream
    |from()
        .measurement('cpu')
    |window()
        .period(10s)
        .every(10s)
data
    |count('value')
    |httpOut('count')
data
    |log()
`)
	code, out, errOut := runShowCLI(t, "show", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `digraph cpu {
stream0 -> from1;
from1 -> window2;
window2 -> count3;
window2 -> log5;
count3 -> http_out4;
}
`
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestShowBatchSourceHasNoEdges(t *testing.T) {
	path := writeScript(t, "b.tick", `batch|query('SELECT 1').every(10s)|httpOut('x')`)
	code, out, errOut := runShowCLI(t, "show", "--dbrp", "db.rp", "--task", "job", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "digraph job {\nquery1 -> http_out2;\n}\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestShowIR(t *testing.T) {
	path := writeScript(t, "f.tick", `stream|from().measurement('m')|where(lambda: "v" > 1)|httpOut('x')`)
	code, out, errOut := runShowCLI(t, "show", "--dbrp", "db.rp", "--ir", "--after", "fuse", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "from1 fused stream->stream") || !strings.Contains(out, "where2 where") {
		t.Errorf("IR after fuse:\n%s", out)
	}
}

func TestShowReportsErrors(t *testing.T) {
	path := writeScript(t, "bad.tick", "stream\n    |from()\n    |window().perod(10s)\n")
	code, _, errOut := runShowCLI(t, "show", "--dbrp", "db.rp", path)
	if code != exitDiag {
		t.Fatalf("exit %d, want %d", code, exitDiag)
	}
	if !strings.Contains(errOut, `bad.tick:3:15: no property "perod" on window; did you mean "period"?`) {
		t.Errorf("stderr:\n%s", errOut)
	}
	if code, _, _ := runShowCLI(t, "show", "--type", "nope", path); code != exitUsage {
		t.Errorf("bad --type: exit %d, want %d", code, exitUsage)
	}
}

func TestShowDrawsSVG(t *testing.T) {
	path := writeScript(t, "cpu.tick", `dbrp "db"."rp"
var data = stream
    |from()
        .measurement('cpu')
data
    |count('value')
    |httpOut('count')
data
    |log()
`)
	for _, args := range [][]string{{"show", "--svg", path}, {"show", "--format", "svg", path}} {
		code, out, errOut := runShowCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if !strings.HasPrefix(out, "<svg ") || !strings.HasSuffix(out, "</svg>\n") {
			t.Fatalf("%v: not an SVG document:\n%s", args, out)
		}
		for _, want := range []string{`id="cpu.stream0"`, `id="cpu.from1"`, `id="cpu.count2"`, `id="cpu.http_out3"`, `id="cpu.log4"`, ">3:6<"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: lacks %q:\n%s", args, want, out)
			}
		}
		if n := strings.Count(out, "<line "); n != 4 {
			t.Errorf("%v: %d edges, want 4", args, n)
		}
	}
	if code, _, _ := runShowCLI(t, "show", "--format", "png", path); code != exitUsage {
		t.Errorf("--format png: exit %d, want %d", code, exitUsage)
	}
}
