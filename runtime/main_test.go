package runtime

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunUsage(t *testing.T) {
	specs := []TaskSpec{streamToOut("task1")}
	for _, c := range []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{nil, 2, "usage: bin <command>"},
		{[]string{"help"}, 0, "replay   run recorded data"},
		{[]string{"replay", "-h"}, 0, "-clock-zero"},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"tasks"}, 0, "task1\tstream\t\"dbname\".\"rpname\"\n"},
		{[]string{"version"}, 0, "bin " + Version + "\n"},
	} {
		code, out, errs := replayMain(t, specs, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.out) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", c.args, code, out+errs, c.code, c.out)
		}
	}
}

func TestRunServeCommand(t *testing.T) {
	cfg := writeFile(t, "kapacitor.conf", "[http]\nbind-address = \":1\"\nmax-body-size = 10\n[logging]\nlevel = \"INFO\"\n")
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	var stdout, stderr bytes.Buffer
	// The flag overrides the file's bind address.
	code := Run(ctx, []string{"bin", "serve", "--config", cfg, "--http", "127.0.0.1:0"}, &stdout, &stderr, streamToOut("task1"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"msg=listening addr=127.0.0.1:", "msg=\"shutting down\"", "msg=stopped"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}

	bad := writeFile(t, "bad.conf", "[http]\nbind-adress = \":1\"\n")
	code, _, errs := replayMain(t, []TaskSpec{streamToOut("task1")}, "serve", "--config", bad)
	if code != 1 || !strings.Contains(errs, "unknown configuration keys: http.bind-adress") {
		t.Errorf("bad config: exit %d, %q", code, errs)
	}
	t.Setenv("TICKC_LOGGING_LEVEL", "chatty")
	code, _, errs = replayMain(t, []TaskSpec{streamToOut("task1")}, "serve", "--http", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "unknown log level") {
		t.Errorf("bad env: exit %d, %q", code, errs)
	}
}
