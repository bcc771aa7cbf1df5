package codegen_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

// update rewrites the want files of the goldens instead of comparing:
//
//	go test ./codegen -run TestGolden -update
//
// Setting TICKC_UPDATE=1 does the same.
var update = flag.Bool("update", false, "rewrite the golden files")

func updating() bool { return *update || os.Getenv("TICKC_UPDATE") != "" }

// goldenCase is one directory of testdata/golden.
type goldenCase struct {
	name string
	dir  string
	src  []byte // the generated program, when the script compiles
	bin  string
}

// TestGolden compiles every testdata/golden/NAME/input.tick, compares the
// generated Go with want.go (or the diagnostics with want.err), builds every
// program in one go build (vetted), replays input.srpl through it and
// compares the output with want.out.
//
// The task is named "task" and reads db.rp. A case whose name ends in
// -without-optimization is compiled with -O0. The replay runs with
// --clock-zero 1971-01-01T00:00:00Z --duration 1h unless the case has an
// args file, which then holds the replay flags.
func TestGolden(t *testing.T) {
	root := filepath.Join("..", "testdata", "golden")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []*goldenCase
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, &goldenCase{name: e.Name(), dir: filepath.Join(root, e.Name())})
		}
	}
	if len(cases) == 0 {
		t.Skip("no golden cases")
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })

	var progs []gobuild.Program
	binDir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name+"/gen", func(t *testing.T) { c.generate(t) })
		if c.src != nil {
			c.bin = filepath.Join(binDir, c.name)
			progs = append(progs, gobuild.Program{Name: c.name, Source: c.src, Output: c.bin})
		}
	}
	if len(progs) == 0 {
		return
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available: generated programs not run")
	}
	cache := os.Getenv("TICKC_CACHE")
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "tickc-test-cache")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := gobuild.Build(ctx, progs, gobuild.Options{CacheDir: cache, Vet: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.bin == "" {
			continue
		}
		t.Run(c.name+"/run", func(t *testing.T) { c.run(t) })
	}
}

// generate compiles the case's script and checks want.go or want.err.
func (c *goldenCase) generate(t *testing.T) {
	path := filepath.Join(c.dir, "input.tick")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Positions name the script as the user would: input.tick.
	prog, err := compileScript("input.tick", src, strings.HasSuffix(c.name, "-without-optimization"))
	var gen []byte
	if err == nil {
		gen, err = codegen.Generate(prog, codegen.Options{})
	}
	wantErr := filepath.Join(c.dir, "want.err")
	if err != nil {
		compareFile(t, wantErr, []byte(err.Error()+"\n"))
		return
	}
	if _, statErr := os.Stat(wantErr); statErr == nil && !updating() {
		t.Fatalf("script compiled, but want.err expects:\n%s", readFile(t, wantErr))
	}
	compareFile(t, filepath.Join(c.dir, "want.go"), gen)
	c.src = gen
}

// run replays input.srpl through the built program and checks want.out.
func (c *goldenCase) run(t *testing.T) {
	args := []string{"replay", "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "1h"}
	if extra, err := os.ReadFile(filepath.Join(c.dir, "args")); err == nil {
		args = append([]string{"replay"}, strings.Fields(string(extra))...)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "input.srpl")); err == nil {
		args = append(args, "--input", filepath.Join(c.dir, "input.srpl"))
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", c.name, strings.Join(args, " "), err, stderr.String())
	}
	compareFile(t, filepath.Join(c.dir, "want.out"), stdout.Bytes())
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareFile compares got with the file, or rewrites the file when updating.
func compareFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first differing lines of want and got.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different bytes)"
}

// compileScript runs the front end and the passes as tickc build does.
func compileScript(name string, src []byte, noOpt bool) (*ir.Program, error) {
	script, err := parser.ParseFile(name, src)
	if err != nil {
		return nil, err
	}
	prog, err := ir.Lower(script, ir.LowerOptions{Task: "task", DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}})
	if err != nil {
		return nil, err
	}
	if err := passes.Run(prog, passes.Options{NoOpt: noOpt, Verify: true}); err != nil {
		return nil, err
	}
	return prog, nil
}
