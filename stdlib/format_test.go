package stdlib

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{14 * day, "2w"},
		{48 * time.Hour, "2d"},
		{25 * time.Hour, "25h"},
		{90 * time.Minute, "90m"},
		{-90 * time.Second, "-90s"},
		{1500 * time.Millisecond, "1500ms"},
		{15 * time.Microsecond, "15u"},
		{1, "0u"},
		{1501, "1u"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", int64(tt.d), got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := []struct {
		s    string
		want time.Duration
	}{
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"-2d", -48 * time.Hour},
		{"10ms", 10 * time.Millisecond},
		{"3u", 3 * time.Microsecond},
		{"3µ", 3 * time.Microsecond},
		{"7ns", 7},
		{"1w", week},
	}
	for _, tt := range good {
		got, err := ParseDuration(tt.s)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.s, got, err, tt.want)
		}
	}
	for _, s := range []string{"", "5", "bad", "2.5h", "5x", "3n", "m5"} {
		if _, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", s)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0 B"},
		{9, "9 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1024, "1.0 kB"},
		{82854982, "83 MB"},
		{1500000000, "1.5 GB"},
		{1 << 63, "9.2 EB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestValueLiteral(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Float(1), "1"},
		{Float(0.5), "0.5"},
		{Int(-3), "-3"},
		{String("a b"), "a b"},
		{Bool(true), "true"},
		{Duration(time.Hour), "1h0m0s"},
		{MissingRef("x"), `"x"`},
	}
	for _, tt := range tests {
		if got := tt.v.Literal(); got != tt.want {
			t.Errorf("%v.Literal() = %q, want %q", tt.v, got, tt.want)
		}
	}
	if Zero(TypeRegex).Type() != TypeRegex || Zero(TypeDynamic).Type() != TypeMissing {
		t.Error("Zero gives the wrong types")
	}
}
