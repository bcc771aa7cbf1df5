package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tickc/tickc/internal/influxtest"
)

// TestMain stops the InfluxDB server the tests of this package started.
func TestMain(m *testing.M) { os.Exit(influxtest.Main(m)) }

// TestHouseTickEndToEnd builds the house.tick example into a program, serves
// it against a real InfluxDB, posts household power readings to its /write
// endpoint and stops it with SIGTERM: the points its influxDBOut buffered
// (less than a buffer's worth, well within the 10s flush interval) are
// written on the way out, and InfluxDB holds one "consumer" value per reading,
// as the test computes it from the reading.
func TestHouseTickEndToEnd(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "examples", "house.tick"))
	if err != nil {
		t.Skip("no shared examples next to the repository")
	}
	base := influxtest.Shared(t)
	t.Setenv("TICKC_CACHE", testBuildCache())

	dir := t.TempDir()
	script := filepath.Join(dir, "house.tick")
	if err := os.WriteFile(script, src, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "house")
	if code, _, errOut := runShowCLI(t, "build", "-o", bin, "--dbrp", "house.autogen", script); code != 0 {
		t.Fatalf("tickc build: exit %d: %s", code, errOut)
	}

	// The script writes into database house without .create(), as it would
	// into an existing database. This run's points carry a tag of their own,
	// so that the database may hold others.
	influxtest.Query(t, base, "CREATE DATABASE house")
	run := influxtest.Name("run")
	conf := filepath.Join(dir, "kapacitor.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "[[influxdb]]\n  name = \"test\"\n  urls = [%q]\n  timeout = \"5s\"\n", base), 0o644); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	logs := func() string { b, _ := os.ReadFile(logFile.Name()); return string(b) }
	srv := exec.Command(bin, "serve", "--http", addr, "--config", conf)
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = srv.Process.Kill()
			<-exited
		}
	})
	waitReady(t, "http://"+addr, exited, logs)

	// Minutes of the household power data set: the global active power in
	// kW and the three sub-meters in Wh per minute.
	type reading struct {
		t                  int64 // seconds
		global, s1, s2, s3 float64
	}
	readings := []reading{
		{1166289840, 4.216, 0, 1, 17},
		{1166289900, 5.36, 0, 1, 16},
		{1166289960, 5.374, 0, 2, 17},
		{1166290020, 5.388, 0, 1, 17},
		{1166290080, 3.666, 0, 1, 17},
		{1166290140, 0.44, 1.5, 0.25, 0},
	}
	var body strings.Builder
	for _, r := range readings {
		fmt.Fprintf(&body, "house,run=%s Global_active_power=%v,Sub_metering_1=%v,Sub_metering_2=%v,Sub_metering_3=%v %d\n",
			run, r.global, r.s1, r.s2, r.s3, r.t)
	}
	// Another measurement, which from().measurement('house') leaves out.
	fmt.Fprintf(&body, "kitchen,run=%s Global_active_power=1,Sub_metering_1=0,Sub_metering_2=0,Sub_metering_3=0 %d\n", run, readings[0].t)
	resp, err := http.Post("http://"+addr+"/write?db=house&rp=autogen&precision=s", "text/plain", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write: %d", resp.StatusCode)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("after SIGTERM: %v\n%s", err, logs())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the program did not exit within 20s of SIGTERM:\n%s", logs())
	}

	series := influxtest.Query(t, base, fmt.Sprintf(`SELECT * FROM "house"."autogen"."house" WHERE "run" = '%s'`, run))
	if len(series) != 1 {
		t.Fatalf("series = %+v\nprogram log:\n%s", series, logs())
	}
	if got, want := fmt.Sprint(series[0].Columns), "[time consumer run]"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	rows := series[0].Values
	if len(rows) != len(readings) {
		t.Fatalf("%d rows, want %d: %v\nprogram log:\n%s", len(rows), len(readings), rows, logs())
	}
	for i, r := range readings {
		want := r.global*1000.0/60.0 - r.s1 - r.s2 - r.s3
		wantTime := time.Unix(r.t, 0).UTC().Format(time.RFC3339)
		n, _ := rows[i][1].(json.Number)
		got, err := n.Float64()
		if rows[i][0] != wantTime || err != nil || math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("row %d = %v, want [%s %v %s]", i, rows[i], wantTime, want, run)
		}
	}
}

// waitReady waits until the program at base answers /readyz.
func waitReady(t *testing.T, base string, exited <-chan error, logs func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("the program exited at start: %v\n%s", err, logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not become ready:\n%s", logs())
		}
	}
}
