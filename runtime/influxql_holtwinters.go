package runtime

import (
	"math"

	"github.com/tickc/tickc/stdlib"
)

// Holt-Winters forecasting (the damped method with optional multiplicative
// seasonality), as InfluxDB 1.x computes it: the points are laid on a grid of
// the given interval, the model's parameters are fitted by Nelder-Mead from a
// small grid of starting guesses, and the model then forecasts h more values.
// The arithmetic follows InfluxDB operation for operation, including the way
// the error function clamps and overwrites the parameter vector it is given,
// so that the fitted values come out bit for bit the same.

const (
	hwWeight       = 0.5    // weight of the initial level and trend guesses
	hwEpsilon      = 1.0e-4 // convergence bound of the optimizer
	hwGuessLower   = 0.3    // the grid of starting alpha, beta, gamma, phi
	hwGuessUpper   = 1.0
	hwGuessStep    = 0.4
	nmMaxIter      = 1000 // Nelder-Mead iterations
	nmReflection   = 1.0
	nmContraction  = 0.5
	nmExpansion    = 2.0
	nmInitialScale = 1.0
)

// holtWintersReducer collects the points and forecasts when emitting.
type holtWintersReducer struct {
	h, m     int
	seasonal bool
	withFit  bool // also emit the fitted values for the input's time span
	interval int64
	times    []int64
	values   []float64
	y        []float64 // the values on the interval grid, NaN where none fell
}

func newHoltWinters(h, m int, withFit bool, interval int64) *holtWintersReducer {
	return &holtWintersReducer{h: h, m: m, seasonal: m >= 2, withFit: withFit, interval: interval}
}

func (r *holtWintersReducer) add(s sample) {
	v := s.value.Float()
	if s.value.Type() == stdlib.TypeInt {
		v = float64(s.value.Int())
	}
	r.times = append(r.times, s.time)
	r.values = append(r.values, v)
}

// roundTime rounds t to the nearest multiple of the interval, halves down.
func (r *holtWintersReducer) roundTime(t int64) int64 {
	if t%r.interval > r.interval/2 {
		return (t/r.interval + 1) * r.interval
	}
	return (t / r.interval) * r.interval
}

func (r *holtWintersReducer) emit() []result {
	n := len(r.times)
	if n < 2 || r.seasonal && n < r.m || r.h <= 0 {
		return nil
	}
	start, stop := r.roundTime(r.times[0]), r.roundTime(r.times[n-1])
	if (stop-start)/r.interval <= 0 {
		return nil
	}
	// Lay the values on the grid: later values of a slot already filled are
	// dropped, empty slots become NaN.
	r.y = append(r.y[:0], r.values[0])
	t := start
	for i := 1; i < n; i++ {
		rounded := r.roundTime(r.times[i])
		if rounded <= t {
			continue
		}
		t += r.interval
		for rounded != t {
			r.y = append(r.y, math.NaN())
			t += r.interval
		}
		r.y = append(r.y, r.values[i])
	}
	m := r.m
	if len(r.y) < 2 || r.seasonal && len(r.y) < m {
		// Too few grid slots for one season (InfluxDB would index past the end).
		return nil
	}

	// Starting guesses for level, trend and the seasonal factors.
	l0 := 0.0
	if r.seasonal {
		for i := 0; i < m; i++ {
			if !math.IsNaN(r.y[i]) {
				l0 += (1 / float64(m)) * r.y[i]
			}
		}
	} else {
		l0 += hwWeight * r.y[0]
	}
	b0 := 0.0
	if r.seasonal {
		for i := 0; i < m && m+i < len(r.y); i++ {
			if !math.IsNaN(r.y[i]) && !math.IsNaN(r.y[m+i]) {
				b0 += 1 / float64(m*m) * (r.y[m+i] - r.y[i])
			}
		}
	} else if !math.IsNaN(r.y[1]) {
		b0 = hwWeight * (r.y[1] - r.y[0])
	}
	var season []float64
	if r.seasonal {
		season = make([]float64, m)
		for i := range season {
			if !math.IsNaN(r.y[i]) {
				season[i] = r.y[i] / l0
			}
		}
	}

	// params: alpha, beta, gamma, phi, level, trend, seasonal factors...
	params := make([]float64, 6+len(season))
	params[4], params[5] = l0, b0
	copy(params[6:], season)
	minSSE := math.Inf(1)
	var best []float64
	for alpha := hwGuessLower; alpha < hwGuessUpper; alpha += hwGuessStep {
		for beta := hwGuessLower; beta < hwGuessUpper; beta += hwGuessStep {
			for gamma := hwGuessLower; gamma < hwGuessUpper; gamma += hwGuessStep {
				for phi := hwGuessLower; phi < hwGuessUpper; phi += hwGuessStep {
					params[0], params[1], params[2], params[3] = alpha, beta, gamma, phi
					sse, fitted := nelderMead(r.sse, params)
					if sse < minSSE || best == nil {
						minSSE, best = sse, fitted
					}
				}
			}
		}
	}

	forecast := r.forecast(r.h, best)
	var out []result
	if r.withFit {
		first := r.times[0]
		out = make([]result, 0, len(forecast))
		for i, v := range forecast {
			if !math.IsNaN(v) {
				out = append(out, result{time: first + r.interval*int64(i), value: stdlib.Float(v)})
			}
		}
	} else {
		last := r.times[n-1]
		out = make([]result, 0, r.h)
		for i, v := range forecast[len(r.y):] {
			if !math.IsNaN(v) {
				out = append(out, result{time: last + r.interval*int64(i+1), value: stdlib.Float(v)})
			}
		}
	}
	return out
}

// forecast runs the model with params over the grid and h steps past it, and
// returns the fitted and forecast values. It clamps params[0:4] to [0, 1] and
// overwrites the seasonal factors params[6:] in place.
func (r *holtWintersReducer) forecast(h int, params []float64) []float64 {
	for i := 0; i < 4; i++ {
		// Plain comparisons, not math.Min/Max: NaN and -0 stay as they are.
		if params[i] > 1 {
			params[i] = 1
		}
		if params[i] < 0 {
			params[i] = 0
		}
	}
	alpha, beta, gamma, phi := params[0], params[1], params[2], params[3]
	yT := r.y[0]
	phiH := phi
	lT, bT := params[4], params[5]

	var season []float64 // ring buffer of the past seasonal factors
	var m, so int
	if r.seasonal {
		season = params[6:]
		m = len(season)
		if m == 1 {
			season[0] = 1
		}
		so = m - 1
	}
	out := make([]float64, len(r.y)+h)
	out[0] = yT
	stm, stmh := 1.0, 1.0
	for t := 1; t < len(r.y)+h; t++ {
		if r.seasonal {
			hm := t % m
			stm = season[(t-m+so)%m]
			stmh = season[(t-m+hm+so)%m]
		}
		lPrev, bPrev := lT, bT
		lT = alpha*(yT/stm) + (1-alpha)*(lPrev+phi*bPrev)
		bT = beta*(lT-lPrev) + (1-beta)*phi*bPrev
		sT := gamma*(yT/(lPrev+phi*bPrev)) + (1-gamma)*stm
		yT = (lT + phiH*bT) * stmh
		phiH += math.Pow(phi, float64(t))
		if r.seasonal {
			season[(t+so)%m] = sT
			so++
		}
		out[t] = yT
	}
	return out
}

// sse is the error the optimizer minimizes: the sum of squared differences
// between the fitted and the known values; +Inf if the fit produced a NaN.
func (r *holtWintersReducer) sse(params []float64) float64 {
	sum := 0.0
	fit := r.forecast(0, params)
	for i, v := range fit {
		if math.IsNaN(r.y[i]) {
			continue
		}
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		d := v - r.y[i]
		sum += d * d
	}
	return sum
}

// nelderMead minimizes f from start with the downhill simplex method (after
// Michael F. Hutt's formulation, as InfluxDB uses it) and returns the
// minimum and where it lies. start is not modified; f may modify the vectors
// it is given, and the search sees those modifications.
func nelderMead(f func([]float64) float64, start []float64) (float64, []float64) {
	n := len(start)
	v := make([][]float64, n+1) // the simplex
	for i := range v {
		v[i] = make([]float64, n)
	}
	fv := make([]float64, n+1)
	vr := make([]float64, n) // reflection
	ve := make([]float64, n) // expansion
	vc := make([]float64, n) // contraction
	vm := make([]float64, n) // centroid

	pn := nmInitialScale * (math.Sqrt(float64(n+1)) - 1 + float64(n)) / (float64(n) * math.Sqrt(2))
	qn := nmInitialScale * (math.Sqrt(float64(n+1)) - 1) / (float64(n) * math.Sqrt(2))
	copy(v[0], start)
	for i := 1; i <= n; i++ {
		for j := 0; j < n; j++ {
			if i-1 == j {
				v[i][j] = pn + start[j]
			} else {
				v[i][j] = qn + start[j]
			}
		}
	}
	for j := 0; j <= n; j++ {
		fv[j] = f(v[j])
	}

	for itr := 1; itr <= nmMaxIter; itr++ {
		// The worst (vg), best (vs) and second worst (vh) vertices.
		vg, vs := 0, 0
		for i := 0; i <= n; i++ {
			if fv[i] > fv[vg] {
				vg = i
			}
			if fv[i] < fv[vs] {
				vs = i
			}
		}
		vh := vs
		for i := 0; i <= n; i++ {
			if fv[i] > fv[vh] && fv[i] < fv[vg] {
				vh = i
			}
		}
		for i := 0; i < n; i++ {
			c := 0.0
			for k := 0; k <= n; k++ {
				if k != vg {
					c += v[k][i]
				}
			}
			vm[i] = c / float64(n)
		}

		for i := 0; i < n; i++ {
			vr[i] = vm[i] + nmReflection*(vm[i]-v[vg][i])
		}
		fr := f(vr)
		if fr < fv[vh] && fr >= fv[vs] {
			copy(v[vg], vr)
			fv[vg] = fr
		}
		if fr < fv[vs] {
			for i := 0; i < n; i++ {
				ve[i] = vm[i] + nmExpansion*(vr[i]-vm[i])
			}
			fe := f(ve)
			if fe < fr {
				copy(v[vg], ve)
				fv[vg] = fe
			} else {
				copy(v[vg], vr)
				fv[vg] = fr
			}
		}
		if fr >= fv[vh] {
			if fr < fv[vg] && fr >= fv[vh] {
				for i := 0; i < n; i++ { // outside contraction
					vc[i] = vm[i] + nmContraction*(vr[i]-vm[i])
				}
			} else {
				for i := 0; i < n; i++ { // inside contraction
					vc[i] = vm[i] - nmContraction*(vm[i]-v[vg][i])
				}
			}
			fc := f(vc)
			if fc < fv[vg] {
				copy(v[vg], vc)
				fv[vg] = fc
			} else {
				// Shrink the simplex towards the best vertex.
				for row := 0; row <= n; row++ {
					if row == vs {
						continue
					}
					for i := 0; i < n; i++ {
						v[row][i] = v[vs][i] + (v[row][i]-v[vs][i])/2.0
					}
				}
				fv[vg] = f(v[vg])
				fv[vh] = f(v[vh])
			}
		}

		// Converged when the values at the vertices hardly differ.
		sum := 0.0
		for i := 0; i <= n; i++ {
			sum += fv[i]
		}
		avg := sum / float64(n+1)
		s := 0.0
		for i := 0; i <= n; i++ {
			s += math.Pow(fv[i]-avg, 2.0) / float64(n)
		}
		if math.Sqrt(s) < hwEpsilon {
			break
		}
	}

	vs := 0
	for i := 0; i <= n; i++ {
		if fv[i] < fv[vs] {
			vs = i
		}
	}
	best := append([]float64(nil), v[vs]...)
	return f(v[vs]), best
}
