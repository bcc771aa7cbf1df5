package udf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The printer data of the shared examples, scaled down from 24 hours to
// 2h45m with the same anomaly shapes: one point per second around 220 / 90
// / 70 °C with sigmas 0.5 / 1.0 / 3.0; hotend sigma 3.0 and offset -1.5 for
// 5 minutes; bed sigma 5.0 and offset +2.0 for 15 minutes; air sigma 5.0
// from 40 minutes on, sigma 15 and offset -5 for 30 minutes, back to 3.0
// after.
const (
	dataStart    = int64(1_500_000_000) // seconds, on a 5-minute boundary
	dataSeconds  = 2*3600 + 45*60
	windowPeriod = 300
)

// anomaly is an injected period of one series, in seconds from the start.
type anomaly struct {
	series     string
	start, end int64
}

var anomalies = []anomaly{
	{"hotend", 3600, 3600 + 5*60},
	{"bed", 5400, 5400 + 15*60},
	{"air", 7200, 7200 + 30*60},
}

func printerData() string {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for s := int64(0); s < dataSeconds; s++ {
		hotend := 220 + rng.NormFloat64()*0.5
		if s >= 3600 && s < 3600+5*60 {
			hotend = 220 - 1.5 + rng.NormFloat64()*3.0
		}
		bed := 90 + rng.NormFloat64()*1.0
		if s >= 5400 && s < 5400+15*60 {
			bed = 90 + 2.0 + rng.NormFloat64()*5.0
		}
		air := 70 + rng.NormFloat64()*3.0
		switch {
		case s >= 7200 && s < 7200+30*60:
			air = 70 - 5 + rng.NormFloat64()*15
		case s >= 40*60 && s < 9300:
			air = 70 + rng.NormFloat64()*5.0
		}
		fmt.Fprintf(&b, "printer\nautogen\ntemperatures hotend=%.3f,bed=%.3f,air=%.3f %d\n", hotend, bed, air, (dataStart+s)*int64(time.Second))
	}
	return b.String()
}

// goTool returns the go command, or skips the test.
func goTool(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is needed to build the UDF and the program:", err)
	}
	return goBin
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPrintTemps runs the shared example print_temps.tick end to end: the
// t-test UDF of this directory as a process, the program built by tickc
// with --config naming the UDF, the printer data replayed, and the three
// alert logs checked for alerts inside their injected anomalies.
func TestPrintTemps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tickc, a UDF and a program")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, "..", "shared", "examples", "print_temps.tick"))
	if err != nil {
		t.Skip("the shared examples are not next to the repository:", err)
	}
	goBin := goTool(t)
	tmp := t.TempDir()
	tickc := filepath.Join(tmp, "tickc")
	ttest := filepath.Join(tmp, "ttest")
	run(t, root, goBin, "build", "-o", tickc, "./cmd/tickc")
	run(t, root, goBin, "build", "-o", ttest, "./examples/udf/ttest")

	logs := filepath.Join(tmp, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(script), "/tmp/kapacitor_udf/", logs+"/")
	tick := filepath.Join(tmp, "print_temps.tick")
	conf := filepath.Join(tmp, "kapacitor.conf")
	data := filepath.Join(tmp, "printer.srpl")
	for name, text := range map[string]string{
		tick: src,
		conf: fmt.Sprintf("[udf.functions.tTest]\n  prog = %q\n  timeout = \"10s\"\n", ttest),
		data: printerData(),
	} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(tmp, "print_temps")
	run(t, tmp, tickc, "build", "--config", conf, "--dbrp", "printer.autogen", "-o", bin, tick)
	zero := time.Unix(dataStart, 0).UTC().Format(time.RFC3339)
	run(t, tmp, bin, "replay", "--config", conf, "--input", data, "--clock-zero", zero, "--duration", "3h")

	for _, a := range anomalies {
		alerts := readAlerts(t, filepath.Join(logs, a.series+"_failure.log"))
		inside := 0
		for _, at := range alerts {
			s := at.Unix() - dataStart
			switch {
			case s < a.start:
				t.Errorf("%s: an alert at %s, before the anomaly at %ds", a.series, at.Format(time.TimeOnly), a.start)
			case s <= a.end+windowPeriod:
				inside++
			}
		}
		t.Logf("%s: %d critical alerts, %d inside the anomaly", a.series, len(alerts), inside)
		if inside == 0 {
			t.Errorf("%s: no alert inside the anomaly [%ds, %ds] (alerts at %v)", a.series, a.start, a.end, alerts)
		}
	}
}

// readAlerts returns the times of the critical alerts a log handler wrote.
func readAlerts(t *testing.T, path string) []time.Time {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("no alert log: %v", err)
		return nil
	}
	defer f.Close()
	var times []time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			Time  time.Time `json:"time"`
			Level string    `json:"level"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v: %s", path, err, sc.Text())
		}
		if ev.Level == "CRITICAL" {
			times = append(times, ev.Time)
		}
	}
	return times
}

// TestMovingAvgSocket runs moving_avg.tick with the moving average UDF of
// this directory served on a unix socket.
func TestMovingAvgSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tickc, a UDF and a program")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goBin := goTool(t)
	tmp := t.TempDir()
	tickc := filepath.Join(tmp, "tickc")
	movingAvg := filepath.Join(tmp, "moving_avg")
	run(t, root, goBin, "build", "-o", tickc, "./cmd/tickc")
	run(t, root, goBin, "build", "-o", movingAvg, "./examples/udf/moving_avg")

	sock := filepath.Join(tmp, "avg.sock")
	server := exec.Command(movingAvg, "-socket", sock)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = server.Process.Signal(os.Interrupt)
		_ = server.Wait()
	}()
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("the UDF server did not create its socket")
		}
		time.Sleep(20 * time.Millisecond)
	}

	conf := filepath.Join(tmp, "kapacitor.conf")
	data := filepath.Join(tmp, "data.srpl")
	var b strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "printer\nautogen\ntemperatures hotend=%d %d\n", 200+i, (dataStart+int64(i))*int64(time.Second))
	}
	for name, text := range map[string]string{
		conf: fmt.Sprintf("[udf.functions.movingAvg]\n  socket = %q\n  timeout = \"10s\"\n", sock),
		data: b.String(),
	} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(tmp, "moving_avg_task")
	run(t, tmp, tickc, "build", "--config", conf, "-o", bin, filepath.Join(root, "examples", "udf", "moving_avg.tick"))
	zero := time.Unix(dataStart, 0).UTC().Format(time.RFC3339)
	out := run(t, tmp, bin, "replay", "--config", conf, "--input", data, "--clock-zero", zero)
	var res struct {
		HTTPOut map[string]struct {
			Series []struct {
				Columns []string `json:"columns"`
				Values  [][]any  `json:"values"`
			} `json:"series"`
		} `json:"httpOut"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	series := res.HTTPOut["hotend_avg"].Series
	if len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("want one series with the last point: %s", out)
	}
	// The last point is the 12th: the average of 203..212.
	row := map[string]any{}
	for i, c := range series[0].Columns {
		row[c] = series[0].Values[0][i]
	}
	if row["hotend_avg"] != 207.5 || row["time"] != time.Unix(dataStart+12, 0).UTC().Format(time.RFC3339) {
		t.Errorf("got %v, want hotend_avg 207.5 at the 12th second: %s", row, out)
	}
}
