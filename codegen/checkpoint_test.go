package codegen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/codegen/gobuild"
)

// checkpointScript fuses from, where, eval and where, each calling stateful
// functions: from's where shares one count() among all groups; the rest
// keep their state per host.
const checkpointScript = `stream
    |from()
        .measurement('cpu')
        .groupBy('host')
        .where(lambda: count() != 2)
    |where(lambda: count() % 4 != 3)
    |eval(lambda: sigma("value"), lambda: count(), lambda: spread("value"))
        .as('sigma', 'n', 'spread')
    |where(lambda: "n" < 100 AND spread("sigma") >= 0.0)
    |httpOut('out')
`

// checkpointMain runs the task on 40 points one write at a time, printing
// what httpOut serves after each, three ways: uninterrupted; saved after
// the first half, restored into a fresh program that takes the rest; and,
// to show the state matters, a fresh program that takes only the rest.
const checkpointMain = `package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	tickrt "github.com/tickc/tickc/runtime"
	task %q
)

func main() {
	var lines strings.Builder
	for i := range 40 {
		fmt.Fprintf(&lines, "cpu,host=h%%d value=%%d.5 %%d\n", i%%3, (i*7)%%11, int64(31536000+i)*1e9)
	}
	pts, err := tickrt.ParseLines([]byte(lines.String()), "db", "rp", 1, 0)
	check(err)
	half := len(pts) / 2
	whole := program()
	run("uninterrupted", whole, pts[:half])
	run("uninterrupted", whole, pts[half:])

	first := program()
	run("restored", first, pts[:half])
	ck, err := first.Checkpoint()
	check(err)
	second := program()
	check(second.RestoreCheckpoint(ck))
	run("restored", second, pts[half:])

	run("fresh", program(), pts[half:])
}

func program() *tickrt.Program {
	p, err := tickrt.NewProgram([]tickrt.TaskSpec{task.Spec()}, nil, func() tickrt.Clock { return tickrt.NewReplayClock(31536000e9) }, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	check(err)
	return p
}

// run writes the points one by one and prints the served result after each.
func run(name string, p *tickrt.Program, pts []tickrt.Point) {
	for _, pt := range pts {
		check(p.Write([]tickrt.Point{pt}))
		body, _ := p.Task("task").HTTPOut("out").JSON()
		fmt.Printf("%%s %%s\n", name, body)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// TestFusedStateSurvivesCheckpoint saves a program with a fused node whose
// lambdas call sigma, count and spread halfway through its input, restores
// the checkpoint into a fresh program and checks that it then serves
// exactly what an uninterrupted program serves.
func TestFusedStateSurvivesCheckpoint(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	prog, err := compileScript("checkpoint.tick", []byte(checkpointScript), false)
	if err != nil {
		t.Fatal(err)
	}
	src, err := codegen.Generate(prog, codegen.Options{Package: "task"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"func (n *fromFusedNode) SaveState(", ") LoadState(d *tickrt.StateDecoder) error {", "slices.Sorted(maps.Keys(n.groups))"} {
		if !bytes.Contains(src, []byte(want)) {
			t.Fatalf("generated code lacks %q:\n%s", want, src)
		}
	}
	bin := filepath.Join(t.TempDir(), "checkpoint")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	main := fmt.Sprintf(checkpointMain, gobuild.PackagePath("checkpoint", "task"))
	err = gobuild.Build(ctx, []gobuild.Program{{
		Name: "checkpoint", Source: []byte(main), Output: bin,
		Packages: []gobuild.Package{{Name: "task", Source: src}},
	}}, gobuild.Options{CacheDir: filepath.Join(os.TempDir(), "tickc-test-cache"), Vet: true})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	runs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, body, _ := strings.Cut(line, " ")
		runs[name] = append(runs[name], body)
	}
	whole, restored, fresh := runs["uninterrupted"], runs["restored"], runs["fresh"]
	if len(whole) != 40 || len(restored) != 40 || len(fresh) != 20 {
		t.Fatalf("got %d, %d and %d results, want 40, 40 and 20:\n%s", len(whole), len(restored), len(fresh), out)
	}
	for i := range whole {
		if whole[i] != restored[i] {
			t.Errorf("after point %d: restored program serves\n%s\nuninterrupted one\n%s", i+1, restored[i], whole[i])
		}
	}
	if strings.Join(fresh, "\n") == strings.Join(whole[20:], "\n") {
		t.Error("a program without the saved state serves the same: the test shows nothing")
	}
	if !strings.Contains(whole[39], `"n"`) || !strings.Contains(whole[39], `"sigma"`) {
		t.Errorf("unexpected result %s\n%s", whole[39], stderr.String())
	}
}
