package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testBuildCache is the build cache of tests that build programs: $TICKC_CACHE,
// else one directory under the system's temporary directory that the tests
// share.
func testBuildCache() string {
	if c := os.Getenv("TICKC_CACHE"); c != "" {
		return c
	}
	return filepath.Join(os.TempDir(), "tickc-test-cache")
}

// copyCases copies the cases of testdata/tickctest into a fresh directory.
func copyCases(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir("testdata/tickctest", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/tickctest", p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestTestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	dir := copyCases(t)
	cache := testBuildCache()

	code, out, errOut := runShowCLI(t, "test", "--cache", cache, dir)
	if code != 0 || out != "2 passed, 0 failed\n" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	// A wrong expectation fails with a diff of the outputs.
	exp := filepath.Join(dir, "count_per_host", "expected.json")
	data, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exp, []byte(strings.Replace(string(data), "              3\n", "              4\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runShowCLI(t, "test", "--cache", cache, dir)
	if code != exitDiag {
		t.Errorf("exit %d, want %d", code, exitDiag)
	}
	for _, want := range []string{
		"--- FAIL: " + filepath.Join(dir, "count_per_host") + "\n",
		"\n    -              4\n    +              3\n",
		"1 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// -update rewrites it, after which the case passes again.
	if code, out, _ := runShowCLI(t, "test", "--cache", cache, "-update", filepath.Join(dir, "count_per_host")); code != 0 || out != "1 passed, 0 failed\n" {
		t.Fatalf("-update: exit %d: %s", code, out)
	}
	if got, _ := os.ReadFile(exp); string(got) != string(data) {
		t.Errorf("-update wrote\n%s\nwant\n%s", got, data)
	}
}

func TestTestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runShowCLI(t, "test", dir); code != exitDiag || !strings.Contains(errOut, "no test case") {
		t.Errorf("empty dir: exit %d: %s", code, errOut)
	}
	if code, _, _ := runShowCLI(t, "test"); code != exitUsage {
		t.Errorf("no args: exit %d, want %d", code, exitUsage)
	}
	// A script that does not compile fails its case with the diagnostic.
	bad := filepath.Join(dir, "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "bad.tick"), []byte("stream\n    |nosuch()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runShowCLI(t, "test", dir)
	if code != exitDiag || !strings.Contains(out, "--- FAIL: "+bad) || !strings.Contains(out, "bad.tick:2:") || !strings.HasSuffix(out, "0 passed, 1 failed\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
