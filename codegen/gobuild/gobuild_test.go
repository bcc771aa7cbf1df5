package gobuild

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const hello = `package main

import (
	"fmt"

	"github.com/tickc/tickc/stdlib"
)

func main() { fmt.Println(stdlib.Int(42).Int() + %d) }
`

func TestBuildAndCache(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	cache := t.TempDir()
	out := t.TempDir()
	progs := []Program{
		{Name: "one", Source: []byte(strings.Replace(hello, "%d", "1", 1)), Output: filepath.Join(out, "one")},
		{Name: "two", Source: []byte(strings.Replace(hello, "%d", "2", 1)), Output: filepath.Join(out, "two")},
	}
	ctx := context.Background()
	if err := Build(ctx, progs, Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"43\n", "44\n"} {
		got, err := exec.Command(progs[i].Output).Output()
		if err != nil {
			t.Fatalf("running %s: %v", progs[i].Name, err)
		}
		if string(got) != want {
			t.Errorf("%s printed %q, want %q", progs[i].Name, got, want)
		}
	}
	// A second build of the same source is a copy from the cache.
	os.Remove(progs[0].Output)
	start := time.Now()
	if err := Build(ctx, progs[:1], Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(progs[0].Output); err != nil {
		t.Fatalf("cached build wrote no binary: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cached build took %v", d)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "bin"))
	if len(entries) != 2 {
		t.Errorf("cache holds %d binaries, want 2", len(entries))
	}
}

func TestBuildErrorIsReportedAsTickcBug(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	cache := t.TempDir()
	progs := []Program{{Name: "bad", Source: []byte("package main\n\nfunc main() { undefined() }\n"), Output: filepath.Join(t.TempDir(), "bad")}}
	err := Build(context.Background(), progs, Options{CacheDir: cache})
	be, ok := err.(*BuildError)
	if !ok {
		t.Fatalf("got %v, want a *BuildError", err)
	}
	if !strings.Contains(be.Error(), "bug in tickc") || !strings.Contains(be.Output, "undefined") {
		t.Errorf("unclear build error: %v", be)
	}
}

func TestModFile(t *testing.T) {
	in := "module github.com/tickc/tickc\n\ngo 1.26.0\n\nrequire github.com/x/y v1.2.3\n"
	got, err := ModFile([]byte(in), "tickc.local/cpu", "/cache/src/abc")
	if err != nil {
		t.Fatal(err)
	}
	want := "module tickc.local/cpu\n\ngo 1.26.0\n\nrequire github.com/x/y v1.2.3\n\nrequire github.com/tickc/tickc v0.0.0\n\nreplace github.com/tickc/tickc => /cache/src/abc\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := ModFile([]byte("go 1.26.0\n"), "m", "d"); err == nil {
		t.Error("no error for a go.mod without module line")
	}
}

func TestValidName(t *testing.T) {
	err := Build(context.Background(), []Program{{Name: "../x", Output: "x"}}, Options{CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "invalid program name") {
		t.Errorf("got %v", err)
	}
}

func TestTrimCache(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old"), filepath.Join(dir, "fresh")
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, []byte("bin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * CacheTTL)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	trimCache(dir, time.Now().Add(-CacheTTL))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old binary kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh binary removed: %v", err)
	}
}
