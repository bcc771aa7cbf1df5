package stdlib

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// FormatDuration writes d in InfluxQL notation, as string() and Kapacitor's
// outputs do: the largest unit that divides d exactly, among w, d, h, m, s,
// ms and u ("90m", "2d", "1500ms", "0s").
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	// There is no nanosecond unit in the output: what is left is written in
	// whole microseconds, truncated (1ns is "0u").
	return strconv.FormatInt(int64(d/time.Microsecond), 10) + "u"
}

// ErrInvalidDuration is the error of ParseDuration on malformed text.
var ErrInvalidDuration = errors.New("invalid duration")

// ParseDuration reads an InfluxQL duration: an optional '-', then one or more
// integer-and-unit pairs with the units ns, u or µ, ms, s, m, h, d and w
// ("5m", "1h30m", "-2d").
func ParseDuration(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, ErrInvalidDuration
	}
	r := []rune(s)
	i := 0
	neg := false
	if r[0] == '-' {
		neg = true
		i++
	}
	var d time.Duration
	var lastN int64
	var lastUnit string
	for i < len(r) {
		start := i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if i >= len(r) || i == start {
			return 0, ErrInvalidDuration
		}
		n, err := strconv.ParseInt(string(r[start:i]), 10, 64)
		if err != nil {
			return 0, ErrInvalidDuration
		}
		lastN, lastUnit = n, string(r[i])
		two := i+1 < len(r) && r[i+1] == 's'
		switch r[i] {
		case 'n':
			if !two {
				return 0, ErrInvalidDuration
			}
			lastUnit = "ns"
			d += time.Duration(n)
			i++
		case 'u', 'µ':
			d += time.Duration(n) * time.Microsecond
		case 'm':
			if two {
				lastUnit = "ms"
				d += time.Duration(n) * time.Millisecond
				i++
			} else {
				d += time.Duration(n) * time.Minute
			}
		case 's':
			d += time.Duration(n) * time.Second
		case 'h':
			d += time.Duration(n) * time.Hour
		case 'd':
			d += time.Duration(n) * day
		case 'w':
			d += time.Duration(n) * week
		default:
			return 0, ErrInvalidDuration
		}
		i++
	}
	if d < 0 && !neg {
		return 0, fmt.Errorf("overflowed duration %d%s: choose a smaller duration or INF", lastN, lastUnit)
	}
	if neg {
		d = -d
	}
	return d, nil
}

var byteUnits = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}

// FormatBytes writes n bytes in SI units the way go-humanize's Bytes does:
// below 10 as "n B", else rounded to one decimal in the largest power of 1000
// that fits, with the decimal shown only below 10 ("1.0 kB", "83 MB").
func FormatBytes(n uint64) string {
	if n < 10 {
		return fmt.Sprintf("%d B", n)
	}
	e := math.Floor(math.Log(float64(n)) / math.Log(1000))
	unit := byteUnits[int(e)]
	val := math.Floor(float64(n)/math.Pow(1000, e)*10+0.5) / 10
	if val < 10 {
		return fmt.Sprintf("%.1f %s", val, unit)
	}
	return fmt.Sprintf("%.0f %s", val, unit)
}
