package gobuild

import (
	"context"
	"fmt"
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
	trimCache(dir, time.Now().Add(-CacheTTL), DefaultCacheMaxBytes)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old binary kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh binary removed: %v", err)
	}
}

func TestTrimCacheSize(t *testing.T) {
	dir := t.TempDir()
	// Five binaries of 100 bytes, used one minute apart: b0 longest ago.
	for i := range 5 {
		f := filepath.Join(dir, fmt.Sprintf("b%d", i))
		if err := os.WriteFile(f, make([]byte, 100), 0o755); err != nil {
			t.Fatal(err)
		}
		used := time.Now().Add(time.Duration(i-5) * time.Minute)
		if err := os.Chtimes(f, used, used); err != nil {
			t.Fatal(err)
		}
	}
	trimCache(dir, time.Now().Add(-CacheTTL), 250)
	var left []string
	for _, e := range readEntries(dir, "") {
		left = append(left, filepath.Base(e.path))
	}
	if got := strings.Join(left, " "); got != "b3 b4" {
		t.Errorf("left %q, want the two most recently used, \"b3 b4\"", got)
	}
}

func TestCacheMaxBytes(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want int64
	}{
		{nil, DefaultCacheMaxBytes},
		{[]string{"TICKC_CACHE_MAX_MB=10"}, 10 << 20},
		{[]string{"TICKC_CACHE_MAX_MB=10", "TICKC_CACHE_MAX_MB=3"}, 3 << 20},
		{[]string{"TICKC_CACHE_MAX_MB=none"}, DefaultCacheMaxBytes},
		{[]string{"TICKC_CACHE_MAX_MB=0"}, DefaultCacheMaxBytes},
	} {
		if got := cacheMaxBytes(c.env); got != c.want {
			t.Errorf("cacheMaxBytes(%q) = %d, want %d", c.env, got, c.want)
		}
	}
}

func TestTrimWork(t *testing.T) {
	cache := t.TempDir()
	mk := func(rel string, age time.Duration) string {
		p := filepath.Join(cache, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Ten settled failed builds (the two oldest go), one recent build that
	// may still run, one abandoned long ago.
	var builds []string
	for i := range 10 {
		builds = append(builds, mk(fmt.Sprintf("build-%d", i), time.Duration(100-i)*time.Minute))
	}
	running := mk("build-running", time.Minute)
	abandoned := mk("build-abandoned", 7*time.Hour)
	current := mk("src/current", 30*24*time.Hour)
	stale := mk("src/stale", 8*24*time.Hour)
	recent := mk("src/recent", time.Hour)
	trimWork(cache, current)
	gone := map[string]bool{builds[0]: true, builds[1]: true, builds[2]: true, abandoned: true, stale: true}
	for _, p := range append(builds, running, abandoned, current, stale, recent) {
		_, err := os.Stat(p)
		if exists := err == nil; exists == gone[p] {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(p), exists, !gone[p])
		}
	}
}
