package runtime

import (
	"testing"
	"time"
)

func TestDerivativeStream(t *testing.T) {
	in := []Point{
		mkPoint(0, mkTags("host=a"), mkFields("value", 10.0), "host"),
		mkPoint(1, mkTags("host=b"), mkFields("value", 5), "host"),
		mkPoint(2, mkTags("host=a"), mkFields("value", 14.0), "host"),
		mkPoint(2, mkTags("host=a"), mkFields("value", 15.0), "host"), // Δt = 0: error, but becomes previous
		mkPoint(3, mkTags("host=a"), mkFields("other", 1.0), "host"),  // no value: error, not previous
		mkPoint(4, mkTags("host=a"), mkFields("value", 11.0), "host"), // negative
		mkPoint(5, mkTags("host=b"), mkFields("value", 13), "host"),   // ints work
	}
	tests := []struct {
		name   string
		cfg    DerivativeConfig
		want   []string
		errors uint64
	}{
		{"defaults: per second, into the same field", DerivativeConfig{Field: "value"}, []string{
			`cpu "host=a" 2s {host=a} {value=2} dims=[host]`,
			`cpu "host=a" 4s {host=a} {value=-2} dims=[host]`,
			`cpu "host=b" 5s {host=b} {value=2} dims=[host]`,
		}, 2},
		{"as, unit and nonNegative", DerivativeConfig{Field: "value", As: "rate", Unit: time.Minute, NonNegative: true}, []string{
			`cpu "host=a" 2s {host=a} {rate=120,value=14} dims=[host]`,
			`cpu "host=b" 5s {host=b} {rate=120,value=13i} dims=[host]`,
		}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := NewDerivative(nil, NodeInfo{Name: "derivative1"}, tc.cfg)
			r := &sink{}
			n.AddChild(r)
			for _, p := range in {
				n.Point(p)
			}
			r.check(t, tc.want...)
			if n.Errors != tc.errors {
				t.Errorf("errors = %d, want %d", n.Errors, tc.errors)
			}
		})
	}
}

func TestDerivativeBatchStartsAfresh(t *testing.T) {
	n := NewDerivative(nil, NodeInfo{Name: "derivative1"}, DerivativeConfig{Field: "v"})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, nil, mkBP(1, nil, mkFields("v", 1.0)), mkBP(3, nil, mkFields("v", 5.0))))
	n.Batch(mkBatch(20, nil, mkBP(11, nil, mkFields("v", 7.0)), mkBP(12, nil, mkFields("v", 6.0))))
	n.Barrier("", secs(21))
	n.DeleteGroup("")
	n.DeleteGroup("")
	r.check(t,
		`batch cpu "" 10s {} [3s {} {v=2}]`,
		`batch cpu "" 20s {} [12s {} {v=-1}]`,
		`barrier "" 21s`,
		`delete ""`,
	)
}

func TestDerivativeConformance(t *testing.T) {
	t.Run("TestStream_DerivativeAs", func(t *testing.T) {
		checkStreamCase(t, "TestStream_DerivativeAs", FromConfig{Measurement: "packets"},
			NewDerivative(nil, NodeInfo{}, DerivativeConfig{Field: "value", As: "derivative"}),
			NewWindow(nil, NodeInfo{}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}))
	})
	t.Run("TestStream_DerivativeZeroElapsed", func(t *testing.T) {
		checkStreamCase(t, "TestStream_DerivativeZeroElapsed", FromConfig{Measurement: "packets"},
			NewDerivative(nil, NodeInfo{}, DerivativeConfig{Field: "value"}),
			NewWindow(nil, NodeInfo{}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}),
			&batchCount{})
	})
}

func TestDerivativeBatchConformance(t *testing.T) {
	for name, cfg := range map[string]DerivativeConfig{
		"TestBatch_Derivative":     {Field: "value"},
		"TestBatch_DerivativeAs":   {Field: "value", As: "derivative"},
		"TestBatch_DerivativeN":    {Field: "value"},
		"TestBatch_DerivativeNN":   {Field: "value", NonNegative: true},
		"TestBatch_DerivativeUnit": {Field: "value", Unit: 2 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			checkBatchCase(t, name, NewDerivative(nil, NodeInfo{}, cfg))
		})
	}
}
