package codegen_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/codegen/gobuild"
)

// fusedRefsScript reads "value" and "host" in from's where, a where and an
// eval, then the eval's results in a last where: the fused node resolves
// each reference once per run of steps over the same tags and fields.
const fusedRefsScript = `stream
    |from()
        .measurement('cpu')
        .groupBy('host')
        .where(lambda: "value" > 0.0)
    |where(lambda: "value" < 100.0 AND "host" != 'x')
    |eval(lambda: "value" * 2.0, lambda: "double" + "value", lambda: "host" + '!')
        .as('double', 'sum', 'loud')
    |where(lambda: "sum" > 10.0 AND "loud" != 'b!')
    |httpOut('out')
`

// TestFusedReferencesMatchSeparateNodes runs points whose references
// clash (a name that is both a field and a tag), are missing or have other
// types through the script compiled with and without fusion: the outputs
// and the errors each step logs must be the same, each error in the step
// whose lambda reads the name.
func TestFusedReferencesMatchSeparateNodes(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	dir := t.TempDir()
	var progs []string
	var srcs [][]byte
	for _, noOpt := range []bool{true, false} {
		prog, err := compileScript("input.tick", []byte(fusedRefsScript), noOpt)
		if err != nil {
			t.Fatal(err)
		}
		src, err := codegen.Generate(prog, codegen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
		progs = append(progs, filepath.Join(dir, map[bool]string{true: "separate", false: "fused"}[noOpt]))
	}
	for _, want := range []string{
		".Test(p.Time, refValue, refHost)",       // where2 reads what from's where resolved
		".Result(p.Time, refValue)",              // and so does eval3
		"if refValue.Type() == stdlib.TypeFloat", // with the fast path inline
	} {
		if !bytes.Contains(srcs[1], []byte(want)) {
			t.Fatalf("the fused program lacks %s:\n%s", want, srcs[1])
		}
	}
	err := gobuild.Build(context.Background(), []gobuild.Program{
		{Name: "separate", Source: srcs[0], Output: progs[0]},
		{Name: "fused", Source: srcs[1], Output: progs[1]},
	}, gobuild.Options{CacheDir: buildCache(), Vet: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"cpu,host=a value=40 31536000000000000",
		"cpu,host=a,value=tag value=60 31536001000000000", // clash in from's where
		"cpu,host=b value=7 31536002000000000",
		"cpu,host=b value=70i 31536003000000000",           // int: the generic paths
		"cpu,host=c,sum=s value=30 31536004000000000",      // clash in the last where only
		"cpu,host=c,double=d value=30 31536005000000000",   // a tag of the eval's name
		"cpu,host=d other=1 31536006000000000",             // value missing
		"cpu,host=d value=\"str\" 31536007000000000",       // a string value
		"cpu,host=e value=20,host=1 31536008000000000",     // host is both
		"cpu,host=x value=50 31536009000000000",            // dropped by the where
		"cpu,host=b value=2 31536010000000000",             // dropped: "sum" is 6
		"cpu,host=f value=30,double=1.5 31536011000000000", // a field of the eval's name
		"cpu,host=a value=45 31536012000000000",
	}
	var srpl strings.Builder
	for _, l := range lines {
		srpl.WriteString("db\nrp\n" + l + "\n")
	}
	input := filepath.Join(dir, "in.srpl")
	if err := os.WriteFile(input, []byte(srpl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var outs, errs []string
	for _, p := range progs {
		cmd := exec.Command(p, "replay", "--input", input, "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "20s")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", p, err, stderr.String())
		}
		outs = append(outs, string(out))
		errs = append(errs, stderr.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("fused output differs:\nseparate: %s\nfused:    %s", outs[0], outs[1])
	}
	// Host f's "double" is its own field, which the second expression
	// read: Kapacitor's scope then holds the field, not the result.
	if want := `["1971-01-01T00:00:11Z",1.5,"f!",31.5]`; !strings.Contains(outs[1], want) {
		t.Errorf("fused output lacks %s: %s", want, outs[1])
	}
	// The fused node logs every error as its own (node from1); the
	// messages and their order are those of the separate nodes.
	sep, fused := logMessages(errs[0]), logMessages(errs[1])
	if len(sep) != 7 {
		t.Errorf("the separate nodes logged %d errors, want 7:\n%s", len(sep), errs[0])
	}
	if strings.Join(sep, "\n") != strings.Join(fused, "\n") {
		t.Errorf("fused errors differ:\nseparate:\n%s\nfused:\n%s", strings.Join(sep, "\n"), strings.Join(fused, "\n"))
	}
	for _, want := range []string{
		`failed to evaluate WHERE expression: cannot have field and tags with same name \"value\"`,
		`error while evaluating expression: cannot have field and tags with same name \"sum\"`,
		`error while evaluating expression: cannot have field and tags with same name \"host\"`,
		`error evaluating expression: mismatched type to binary operator. got int * float.`,
	} {
		if !strings.Contains(errs[1], want) {
			t.Errorf("fused errors lack %s:\n%s", want, errs[1])
		}
	}
}

// logMessages returns the msg of each log line.
func logMessages(log string) []string {
	var msgs []string
	for _, line := range strings.Split(log, "\n") {
		if _, msg, ok := strings.Cut(line, " msg="); ok {
			msg, _, _ = strings.Cut(msg, " task=")
			msgs = append(msgs, msg)
		}
	}
	return msgs
}

// buildCache is the build cache of the tests' generated programs.
func buildCache() string {
	if c := os.Getenv("TICKC_CACHE"); c != "" {
		return c
	}
	return filepath.Join(os.TempDir(), "tickc-test-cache")
}
