package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildManyTasksServe builds two scripts into one program and serves it:
// each written point reaches only the task whose measurement it has, and
// each task has its own httpOut endpoint and counters.
func TestBuildManyTasksServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	t.Setenv("TICKC_CACHE", testBuildCache())
	dir := t.TempDir()
	scripts := map[string]string{
		"a.tick": "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n    |httpOut('out')\n",
		"b.tick": "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('mem')\n    |httpOut('out')\n",
	}
	for name, src := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(t.TempDir(), "both")
	if code, _, errOut := runShowCLI(t, "build", "-o", bin, dir); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	out, err := exec.Command(bin, "tasks").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\tstream\t\"telegraf\".\"autogen\"\nb\tstream\t\"telegraf\".\"autogen\"\n"; string(out) != want {
		t.Errorf("tasks: %q, want %q", out, want)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(bin, "serve", "--http", addr)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Signal(os.Interrupt)
		_ = srv.Wait()
	})
	base := "http://" + addr
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := get("/readyz"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post(base+"/kapacitor/v1/write?db=telegraf&rp=autogen", "text/plain",
		strings.NewReader("cpu v=1 1000000000\nmem v=2 2000000000\ndisk v=3 3000000000\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write: %d", resp.StatusCode)
	}
	for task, want := range map[string]string{
		"a": `{"series":[{"name":"cpu","columns":["time","v"],"values":[["1970-01-01T00:00:01Z",1]]}]}`,
		"b": `{"series":[{"name":"mem","columns":["time","v"],"values":[["1970-01-01T00:00:02Z",2]]}]}`,
	} {
		if code, body := get("/kapacitor/v1/tasks/" + task + "/out"); code != 200 || body != want {
			t.Errorf("task %s: %d %s, want %s", task, code, body, want)
		}
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`tickc_task_points_received_total{task="a"} 1`,
		`tickc_task_points_received_total{task="b"} 1`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
}

func TestBuildManyErrors(t *testing.T) {
	dir := t.TempDir()
	a := writeScript(t, "a.tick", "stream\n    |from()\n    |log()\n")
	if code, _, errOut := runShowCLI(t, "build", a, a); code != exitUsage || !strings.Contains(errOut, "-o BIN") {
		t.Errorf("no -o: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runShowCLI(t, "build", "-o", filepath.Join(dir, "x"), "--task", "x", a, a); code != exitUsage || !strings.Contains(errOut, "--task") {
		t.Errorf("--task: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runShowCLI(t, "build", "-o", filepath.Join(dir, "x"), "--dbrp", "db.rp", a, a); code != exitDiag || !strings.Contains(errOut, `both make the task "a"`) {
		t.Errorf("same task twice: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runShowCLI(t, "build", "-o", filepath.Join(dir, "x"), dir); code != exitDiag || !strings.Contains(errOut, "no .tick files") {
		t.Errorf("empty dir: exit %d: %s", code, errOut)
	}
}
