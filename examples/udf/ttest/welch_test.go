package main

import (
	"math"
	"testing"
)

func TestStudentTwoSided(t *testing.T) {
	cases := []struct{ t, df, want float64 }{
		{2.228138851986274, 10, 0.05},  // the 97.5% quantile of t(10)
		{1.959963984540054, 1e9, 0.05}, // t(∞) is the standard normal
		{0, 5, 1},
		{12.706204736174705, 1, 0.05},
		{-3.169272672616954, 10, 0.01},
	}
	for _, c := range cases {
		if got := studentTwoSided(c.t, c.df); math.Abs(got-c.want) > 1e-7 {
			t.Errorf("p(|T|>=%v; df=%v) = %v, want %v", c.t, c.df, got, c.want)
		}
	}
}

func TestWelch(t *testing.T) {
	// Welch's test of 1..5 against 2,4,..,10: t = -sqrt(3.6), df = 5.882…
	tt, p := welch([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10})
	if math.Abs(tt+math.Sqrt(3.6)) > 1e-12 {
		t.Errorf("t = %v, want %v", tt, -math.Sqrt(3.6))
	}
	// Variances 2.5 and 10 over 5 values: df = 2.5² / (0.5²/4 + 2²/4).
	if want := studentTwoSided(math.Sqrt(3.6), 6.25/1.0625); p != want || p < 0.1 || p > 0.11 {
		t.Errorf("p = %v, want %v (about 0.107)", p, want)
	}
	if _, p := welch([]float64{1, 1, 1}, []float64{1, 1}); p != 1 {
		t.Errorf("equal constant samples: p = %v, want 1", p)
	}
	if _, p := welch([]float64{1, 1, 1}, []float64{2, 2}); p != 0 {
		t.Errorf("different constant samples: p = %v, want 0", p)
	}
}
