package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tickc/tickc/udf/agent"
)

// infoUDF writes a configuration naming a UDF tTest that answers the info
// request with info: a shell that prints the recorded answer and reads its
// input to the end.
func infoUDF(t *testing.T, info *agent.InfoResponse) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	var frame bytes.Buffer
	if _, err := agent.WriteMessage(&frame, &agent.Response{Message: &agent.Response_Info{Info: info}}, nil); err != nil {
		t.Fatal(err)
	}
	answer := filepath.Join(dir, "info.bin")
	if err := os.WriteFile(answer, frame.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "kapacitor.conf")
	text := fmt.Sprintf("[udf.functions.tTest]\n  prog = \"/bin/sh\"\n  args = [\"-c\", %q]\n  timeout = \"5s\"\n", "cat '"+answer+"'; cat >/dev/null")
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

var tTestInfo = &agent.InfoResponse{
	Wants:    agent.EdgeType_BATCH,
	Provides: agent.EdgeType_STREAM,
	Options: map[string]*agent.OptionInfo{
		"field": {ValueTypes: []agent.ValueType{agent.ValueType_STRING}},
		"size":  {ValueTypes: []agent.ValueType{agent.ValueType_INT}},
		"alpha": {ValueTypes: []agent.ValueType{agent.ValueType_DOUBLE}},
	},
}

func TestBuildChecksUDFs(t *testing.T) {
	conf := infoUDF(t, tTestInfo)
	good := writeFile(t, "good.tick", `dbrp "printer"."autogen"
stream
    |from()
    |window()
        .period(5m)
        .every(5m)
    @tTest()
        .field('hotend')
        .size(3600)
        .alpha(0.001)
    |alert()
        .crit(lambda: "pvalue" < 0.001)
`)
	code, out, errOut := runTickc(t, "", "gen", "--config", conf, good)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "WantsBatch: true") || strings.Contains(out, "ProvidesBatch") {
		t.Errorf("the UDF node is not compiled batch -> stream:\n%s", out)
	}

	bad := writeFile(t, "bad.tick", `dbrp "printer"."autogen"
stream
    |from()
    |window()
        .period(5m)
        .every(5m)
    @tTest()
        .field('hotend')
        .size(3600.0)
        .alhpa(0.001)
`)
	code, _, errOut = runTickc(t, "", "gen", "--config", conf, bad)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		bad + `:9:10: invalid value type for arg 1 of option size: got float expected int`,
		bad + `:10:10: no option "alhpa" on UDF @tTest; did you mean "alpha"?`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("missing %q in:\n%s", want, errOut)
		}
	}

	edges := writeFile(t, "edges.tick", `dbrp "printer"."autogen"
stream
    |from()
    @tTest()
`)
	code, _, errOut = runTickc(t, "", "gen", "--config", conf, edges)
	if want := edges + ":4:6: cannot add UDF @tTest to from: it wants a batch edge, got a stream edge"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant %q", code, errOut, want)
	}

	// Without --config the UDF passes its parent's edge through, to be
	// checked when the program starts.
	code, _, errOut = runTickc(t, "", "gen", bad)
	if code != 0 {
		t.Errorf("without --config: exit %d: %s", code, errOut)
	}
}

func TestBuildUDFConfigErrors(t *testing.T) {
	script := writeFile(t, "s.tick", "dbrp \"a\".\"b\"\nstream\n    |from()\n    @tTest()\n")
	conf := writeFile(t, "bad.conf", "[udf.functions.tTest]\n  prog = \"/nonexistent/udf\"\n  timeout = \"1s\"\n")
	code, _, errOut := runTickc(t, "", "gen", "--config", conf, script)
	if want := "UDF @tTest: fork/exec /nonexistent/udf: no such file or directory"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
	}
	conf = writeFile(t, "bad.conf", "[udf.functions.tTest]\n  prog = \"/bin/true\"\n")
	code, _, errOut = runTickc(t, "", "gen", "--config", conf, script)
	if want := "udf.functions.tTest: timeout must be greater than 1ms"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
	}
}
