package runtime

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
	"github.com/tickc/tickc/udf"
)

// pythonUDF generates the protocol's Python classes from udf/agent/udf.proto
// with protoc into a temporary directory and returns the configuration of
// testdata/udf/scale_agent.py run by Debian's python3 with them. It skips
// the test when protoc or python3-protobuf is missing.
func pythonUDF(t *testing.T) udf.FunctionConfig {
	t.Helper()
	const python = "/usr/bin/python3"
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Skip("protoc is missing (Debian: apt-get install protobuf-compiler)")
	}
	if err := exec.Command(python, "-c", "import google.protobuf").Run(); err != nil {
		t.Skip("python3-protobuf is missing (Debian: apt-get install python3-protobuf)")
	}
	proto, err := filepath.Abs("../udf/agent")
	if err != nil {
		t.Fatal(err)
	}
	agentPy, err := filepath.Abs("testdata/udf/scale_agent.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := exec.Command(protoc, "--proto_path="+proto, "--python_out="+dir, "udf.proto").CombinedOutput()
	if err != nil {
		t.Fatalf("protoc: %v\n%s", err, out)
	}
	return udf.FunctionConfig{Prog: python, Args: []string{"-u", agentPy}, Env: map[string]string{"PYTHONPATH": dir}, Timeout: 5 * time.Second}
}

func TestUDFPython(t *testing.T) {
	checkNoLeak(t)
	fc := pythonUDF(t)
	task, node, out, err := udfTask(t, fc, UDFConfig{Options: []UDFOption{
		{Name: "scale", Values: []stdlib.Value{stdlib.Float(10)}},
		{Name: "as", Values: []stdlib.Value{stdlib.String("ten")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		task.deliverPoint(udfPoint(i))
	}
	task.Done()
	if err := node.Err(); err != nil {
		t.Fatal(err)
	}
	out.check(t,
		`cpu "host=a" 1s {host=a} {ten=5,value=0.5} dims=[host]`,
		`cpu "host=a" 2s {host=a} {ten=10,value=1} dims=[host]`,
		`cpu "host=a" 3s {host=a} {ten=15,value=1.5} dims=[host]`,
		"done")
}

func TestUDFPythonErrors(t *testing.T) {
	checkNoLeak(t)
	fc := pythonUDF(t)
	_, _, _, err := udfTask(t, fc, UDFConfig{Options: []UDFOption{{Name: "scale", Pos: "t.tick:4:10", Values: []stdlib.Value{stdlib.Int(10)}}}})
	if want := "t.tick:4:10: invalid value type for arg 1 of option scale: got int expected float"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}

	task, node, out, err := udfTask(t, fc, UDFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p := udfPoint(1)
	task.deliverPoint(p)
	p.Fields = Fields{{"value", stdlib.Float(-2)}}
	task.deliverPoint(p)
	task.Done()
	if err := node.Err(); err == nil || !strings.HasSuffix(err.Error(), "UDF @test: negative value -2") {
		t.Errorf("node error %v, want the UDF's message", err)
	}
	if len(out.pts) != 1 {
		t.Errorf("got %d points, want the first one: %v", len(out.pts), out.lines)
	}
}
