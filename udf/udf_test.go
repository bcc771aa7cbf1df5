package udf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
	"github.com/tickc/tickc/udf/agent"
)

func TestCheckOption(t *testing.T) {
	info := &agent.InfoResponse{Options: map[string]*agent.OptionInfo{
		"field": {ValueTypes: []agent.ValueType{agent.ValueType_STRING}},
		"range": {ValueTypes: []agent.ValueType{agent.ValueType_INT, agent.ValueType_DURATION}},
		"on":    {},
	}}
	cases := []struct {
		name   string
		values []stdlib.Value
		want   string
	}{
		{"field", []stdlib.Value{stdlib.String("x")}, ""},
		{"range", []stdlib.Value{stdlib.Int(1), stdlib.Duration(time.Second)}, ""},
		{"on", nil, ""},
		{"feld", nil, `no option "feld" on UDF @u (its options: field, on, range)`},
		{"field", nil, "unexpected number of args to field, got 0 expected 1"},
		{"range", []stdlib.Value{stdlib.Float(1), stdlib.Duration(time.Second)}, "invalid value type for arg 1 of option range: got float expected int"},
		{"field", []stdlib.Value{stdlib.Bool(true)}, "invalid value type for arg 1 of option field: got boolean expected string"},
	}
	for _, c := range cases {
		err := CheckOption("u", info, c.name, c.values)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s%v: got %q, want %q", c.name, c.values, got, c.want)
		}
	}
}

func TestOption(t *testing.T) {
	o := Option("x", []stdlib.Value{stdlib.Bool(true), stdlib.Int(-3), stdlib.Float(1.5), stdlib.String("s"), stdlib.Duration(time.Minute)})
	v := o.GetValues()
	if len(v) != 5 || !v[0].GetBoolValue() || v[1].GetIntValue() != -3 || v[2].GetDoubleValue() != 1.5 || v[3].GetStringValue() != "s" ||
		v[4].GetDurationValue() != int64(time.Minute) || v[4].GetType() != agent.ValueType_DURATION {
		t.Errorf("got %v", o)
	}
}

func TestLoadFunctions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kapacitor.conf")
	text := "hostname = \"h\"\n[http]\n  bind-address = \":1\"\n[udf.functions.a]\n  prog = \"/bin/a\"\n  args = [\"-x\"]\n  timeout = \"10s\"\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := LoadFunctions(path)
	if err != nil {
		t.Fatal(err)
	}
	if a := fs["a"]; a.Prog != "/bin/a" || len(a.Args) != 1 || a.Timeout != 10*time.Second {
		t.Errorf("a = %+v", a)
	}
	if err := os.WriteFile(path, []byte("[udf.functions.b]\n  socket = \"/s\"\n  args = [\"-x\"]\n  timeout = \"1s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFunctions(path); err == nil || !strings.Contains(err.Error(), "udf.functions.b: args and env are for a process UDF") {
		t.Errorf("got %v", err)
	}
}

func TestInfoErrors(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	cases := []struct {
		script string
		want   string
	}{
		{"exit 2", "UDF @u: closed its output before answering the info request (exit status 2)"},
		{"echo oops >&2; exit 1", "its standard error: oops"},
		{"sleep 5", "UDF @u: no answer to the info request within 200ms"},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := Info("u", FunctionConfig{Prog: "/bin/sh", Args: []string{"-c", c.script}, Timeout: 200 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.script, err, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", c.script, d)
		}
	}
}

// TestInfoAnswers checks what Info makes of recorded answers.
func TestInfoAnswers(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	cases := []struct {
		answers []*agent.Response
		want    string
	}{
		{[]*agent.Response{
			{Message: &agent.Response_Keepalive{Keepalive: &agent.KeepaliveResponse{}}},
			{Message: &agent.Response_Info{Info: &agent.InfoResponse{Wants: agent.EdgeType_BATCH}}},
		}, ""},
		{[]*agent.Response{{Message: &agent.Response_Info{Info: &agent.InfoResponse{Provides: 7}}}}, "UDF @u: unknown edge type 7 in its info response"},
		{[]*agent.Response{{Message: &agent.Response_Info{Info: &agent.InfoResponse{Options: map[string]*agent.OptionInfo{"x": {ValueTypes: []agent.ValueType{9}}}}}}},
			"UDF @u: unknown value type 9 of option x in its info response"},
		{[]*agent.Response{{Message: &agent.Response_Error{Error: &agent.ErrorResponse{Error: "no license"}}}}, "UDF @u: no license"},
		{[]*agent.Response{{Message: &agent.Response_Init{Init: &agent.InitResponse{Success: true}}}}, "UDF @u: answered the info request with an init response"},
	}
	for i, c := range cases {
		var frames bytes.Buffer
		for _, r := range c.answers {
			if _, err := agent.WriteMessage(&frames, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		file := filepath.Join(t.TempDir(), "answer")
		if err := os.WriteFile(file, frames.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := Info("u", FunctionConfig{Prog: "/bin/sh", Args: []string{"-c", "cat '" + file + "'; cat >/dev/null"}, Timeout: 2 * time.Second})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%d: %v", i, err)
		case c.want == "" && info.GetWants() != agent.EdgeType_BATCH:
			t.Errorf("%d: got %v", i, info)
		case c.want != "" && (err == nil || err.Error() != c.want):
			t.Errorf("%d: got %v, want %q", i, err, c.want)
		}
	}
}
