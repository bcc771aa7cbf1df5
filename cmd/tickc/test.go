package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/codegen/gobuild"
)

func testCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.BoolFlag{Name: "update", Usage: "rewrite each case's expected.json with what the task produced"},
		&cli.StringFlag{Name: "db", Usage: "the `DATABASE` the points of an input.lp are written to"},
		&cli.StringFlag{Name: "rp", Value: "autogen", Usage: "the `RETENTION_POLICY` the points of an input.lp are written to"},
		&cli.StringFlag{Name: "clock-zero", Value: "1970-01-01T00:00:00Z", Usage: "the start of the replay clock, RFC3339 `TIME`"},
		&cli.DurationFlag{Name: "duration", Usage: "how far the clock is moved past clock-zero at the end of the input"},
		&cli.StringFlag{Name: "cache", Usage: "the build cache `DIR` (default: $TICKC_CACHE, else the user cache)"},
	}, compileFlags()...)
	return &cli.Command{
		Name:      "test",
		Usage:     "run test cases: a script, an input recording and the outputs expected of it",
		ArgsUsage: "DIR...",
		Description: "Each DIR is a case, or a directory whose subdirectories are cases. A case\n" +
			"holds one .tick script, its input (input.srpl, a stream recording; input.lp,\n" +
			"line protocol written to --db/--rp; and/or input.N.brpl batch recordings)\n" +
			"and expected.json, the replay output of the program: {\"httpOut\": ...,\n" +
			"\"alerts\": [...], \"influxDBOut\": [...]}. An optional case.json sets\n" +
			"\"db\", \"rp\", \"clockZero\" and \"duration\" for its case. Alert handlers\n" +
			"deliver nowhere; their events are compared. -update writes expected.json.",
		Flags:  flags,
		Action: runTest,
	}
}

// testCase is one case directory.
type testCase struct {
	dir, script string
	settings    caseSettings
	binary      string
	failure     string // why the case failed before it ran
}

// caseSettings are the replay settings of a case: the flags, overridden by
// the case's case.json.
type caseSettings struct {
	DB        string `json:"db"`
	RP        string `json:"rp"`
	ClockZero string `json:"clockZero"`
	Duration  string `json:"duration"`
}

func runTest(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("usage: tickc test [flags] DIR...")
	}
	defaults := caseSettings{DB: c.String("db"), RP: c.String("rp"), ClockZero: c.String("clock-zero")}
	if d := c.Duration("duration"); d != 0 {
		defaults.Duration = d.String()
	}
	var cases []*testCase
	for _, dir := range c.Args().Slice() {
		found, err := findCases(dir)
		if err != nil {
			return cli.Exit("tickc: "+err.Error(), exitDiag)
		}
		if len(found) == 0 {
			return cli.Exit(fmt.Sprintf("tickc: %s: no test case (a directory with a .tick script)", dir), exitDiag)
		}
		cases = append(cases, found...)
	}
	work, err := os.MkdirTemp("", "tickc-test-")
	if err != nil {
		return cli.Exit("tickc: "+err.Error(), exitDiag)
	}
	defer os.RemoveAll(work)

	var progs []gobuild.Program
	var built []*testCase
	for i, tc := range cases {
		tc.settings = defaults
		if err := readCaseSettings(tc); err != nil {
			tc.failure = err.Error()
			continue
		}
		var diag bytes.Buffer
		src, err := generateCase(c, tc, &diag)
		if err != nil {
			tc.failure = strings.TrimRight(diag.String()+errText(err), "\n")
			continue
		}
		tc.binary = filepath.Join(work, "case"+strconv.Itoa(i))
		progs = append(progs, gobuild.Program{Name: "case" + strconv.Itoa(i), Source: src, Output: tc.binary})
		built = append(built, tc)
	}
	if len(progs) > 0 {
		if err := gobuild.Build(c.Context, progs, gobuild.Options{CacheDir: c.String("cache")}); err != nil {
			for _, tc := range built {
				tc.failure = "build: " + err.Error()
			}
		}
	}
	passed, failed := 0, 0
	for _, tc := range cases {
		msg := tc.failure
		if msg == "" {
			msg = runCase(c.Context, tc, work, c.Bool("update"))
		}
		if msg == "" {
			passed++
			continue
		}
		failed++
		fmt.Fprintf(c.App.Writer, "--- FAIL: %s\n%s\n", tc.dir, indentText(msg))
	}
	fmt.Fprintf(c.App.Writer, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return cli.Exit("", exitDiag)
	}
	return nil
}

// errText is the text of a diagnostics error, which diagnostics has printed
// already and left empty.
func errText(err error) string {
	var ec cli.ExitCoder
	if errors.As(err, &ec) && err.Error() == "" {
		return ""
	}
	return err.Error()
}

// findCases returns dir as a case when it holds a script, else its
// subdirectories that do, in name order.
func findCases(dir string) ([]*testCase, error) {
	script, err := caseScript(dir)
	if err != nil {
		return nil, err
	}
	if script != "" {
		return []*testCase{{dir: dir, script: script}}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var cases []*testCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		script, err := caseScript(sub)
		if err != nil {
			return nil, err
		}
		if script != "" {
			cases = append(cases, &testCase{dir: sub, script: script})
		}
	}
	return cases, nil
}

// caseScript returns the one .tick file of dir, "" when it has none.
func caseScript(dir string) (string, error) {
	scripts, err := filepath.Glob(filepath.Join(dir, "*.tick"))
	if err != nil {
		return "", err
	}
	if len(scripts) > 1 {
		return "", fmt.Errorf("%s: %d .tick scripts; a case has one", dir, len(scripts))
	}
	if len(scripts) == 0 {
		return "", nil
	}
	return scripts[0], nil
}

func readCaseSettings(tc *testCase) error {
	data, err := os.ReadFile(filepath.Join(tc.dir, "case.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tc.settings); err != nil {
		return fmt.Errorf("%s: %v", filepath.Join(tc.dir, "case.json"), err)
	}
	return nil
}

// generateCase compiles the case's script with the command's flags,
// printing diagnostics to diag.
func generateCase(c *cli.Context, tc *testCase, diag *bytes.Buffer) ([]byte, error) {
	saved := c.App.ErrWriter
	c.App.ErrWriter = diag
	defer func() { c.App.ErrWriter = saved }()
	cs, err := compileScript(c, tc.script)
	if err != nil {
		return nil, err
	}
	src, err := codegen.Generate(cs.prog, codegen.Options{})
	if err != nil {
		return nil, diagnostics(c, cs.file, err)
	}
	return src, nil
}

// runCase replays the case's input through its program and compares the
// output with expected.json; it returns why the case failed, or "".
func runCase(ctx context.Context, tc *testCase, work string, update bool) string {
	args := []string{"replay", "--no-handlers", "--clock-zero", tc.settings.ClockZero}
	if tc.settings.Duration != "" {
		if _, err := time.ParseDuration(tc.settings.Duration); err != nil {
			return "case.json: duration: " + err.Error()
		}
		args = append(args, "--duration", tc.settings.Duration)
	}
	inputs := 0
	if p := filepath.Join(tc.dir, "input.srpl"); fileExists(p) {
		args = append(args, "--input", p)
		inputs++
	}
	if p := filepath.Join(tc.dir, "input.lp"); fileExists(p) {
		if tc.settings.DB == "" || tc.settings.RP == "" {
			return "input.lp needs --db and --rp (or \"db\" and \"rp\" in case.json)"
		}
		srpl := filepath.Join(work, filepath.Base(tc.binary)+".srpl")
		if err := lineProtocolToRecording(p, srpl, tc.settings.DB, tc.settings.RP); err != nil {
			return err.Error()
		}
		args = append(args, "--input", srpl)
		inputs++
	}
	batches, _ := filepath.Glob(filepath.Join(tc.dir, "input*.brpl"))
	sort.Strings(batches)
	for _, b := range batches {
		args = append(args, "--batch", b)
		inputs++
	}
	if inputs == 0 {
		return "no input: input.srpl, input.lp or input.N.brpl"
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tc.binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Sprintf("replay: %v\n%s", err, strings.TrimRight(stderr.String(), "\n"))
	}
	got, err := indentJSON(stdout.Bytes())
	if err != nil {
		return "replay output: " + err.Error()
	}
	expPath := filepath.Join(tc.dir, "expected.json")
	if update {
		if err := os.WriteFile(expPath, got, 0o644); err != nil {
			return err.Error()
		}
		return ""
	}
	data, err := os.ReadFile(expPath)
	if err != nil {
		return err.Error() + " (run with -update to write it)"
	}
	want, err := indentJSON(data)
	if err != nil {
		return expPath + ": " + err.Error()
	}
	if !bytes.Equal(got, want) {
		return unifiedDiff(expPath, string(want), string(got))
	}
	return ""
}

// indentJSON returns data re-indented, two spaces a level, with a final
// newline: the form expected.json is written and compared in.
func indentJSON(data []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSpace(data), "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// lineProtocolToRecording writes the points of a line protocol file as a
// stream recording of database db and retention policy rp. Blank lines and
// # comments are skipped.
func lineProtocolToRecording(src, dst, db, rp string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fmt.Fprintf(&out, "%s\n%s\n%s\n", db, rp, line)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", src, err)
	}
	return os.WriteFile(dst, out.Bytes(), 0o644)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// indentText indents every line of s by four spaces.
func indentText(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
