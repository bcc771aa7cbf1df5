package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoGenerateEmbeds runs go generate in the sample module of
// testdata/embedmod, with the tickc this test builds on the PATH, then builds
// and runs the module's program, which runs the generated task in-process. The
// module uses the repository's source through a replace directive and builds
// offline.
func TestGoGenerateEmbeds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs go commands")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on the PATH")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "testdata", "embedmod")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no sample module: %v", err)
	}
	mod := t.TempDir()
	copyTree(t, src, mod)
	gomod, err := os.ReadFile(filepath.Join(mod, "go.mod.in"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = append(gomod, []byte("\nreplace github.com/tickc/tickc => "+root+"\n")...)
	writeBytes(t, filepath.Join(mod, "go.mod"), gomod)
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeBytes(t, filepath.Join(mod, "go.sum"), gosum)

	bin := t.TempDir()
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	goRun := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir, cmd.Env = dir, env
		if dir == "." {
			// tickc itself builds as the repository says, never editing its go.mod.
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goRun(".", "build", "-o", filepath.Join(bin, "tickc"), ".")
	goRun(mod, "generate", "./...")
	gen, err := os.ReadFile(filepath.Join(mod, "tasks", "cpu_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gen), "func Spec() tickrt.TaskSpec {") {
		t.Errorf("generated file lacks Spec:\n%s", gen)
	}
	// The file on disk is what gen writes: --check agrees.
	check := exec.Command(filepath.Join(bin, "tickc"), "gen", "--check", "--package", "tasks", "-o", "cpu_gen.go", "cpu.tick")
	check.Dir = filepath.Join(mod, "tasks")
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("gen --check: %v\n%s", err, out)
	}
	out := goRun(mod, "run", ".")
	want := `{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","double"],"values":[["1970-01-01T00:00:00.000000002Z",140]]}]}`
	if strings.TrimSpace(out) != want {
		t.Errorf("program printed\n%s\nwant\n%s", out, want)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
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
}

func writeBytes(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
