package ir_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/ir"
)

// TestQueryGroupByOrder checks that a query's groupBy keeps where time()
// stands among the other dimensions, which its GROUP BY repeats.
func TestQueryGroupByOrder(t *testing.T) {
	tests := []struct {
		groupBy string
		tags    []string
		all     bool
		time    time.Duration
		at      int
	}{
		{"time(1m), 'host'", []string{"host"}, false, time.Minute, 0},
		{"'host', time(1m)", []string{"host"}, false, time.Minute, 1},
		{"'host', time(10s, -5s), 'dc'", []string{"host", "dc"}, false, 10 * time.Second, 1},
		{"*, time(1h)", nil, true, time.Hour, 1},
		{"'host', 'dc'", []string{"host", "dc"}, false, 0, 0},
	}
	for _, tt := range tests {
		src := fmt.Sprintf("dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT mean(v) FROM db.rp.m')\n        .period(1m)\n        .every(1m)\n        .groupBy(%s)\n    |log()\n", tt.groupBy)
		p, err := lowerSource([]byte(src), ir.LowerOptions{})
		if err != nil {
			t.Errorf("groupBy(%s): %v", tt.groupBy, err)
			continue
		}
		var dims *ir.Dimensions
		for _, n := range p.Nodes {
			if q, ok := n.Props.(*ir.QueryProps); ok {
				dims = &q.GroupBy
			}
		}
		if dims == nil {
			t.Fatalf("groupBy(%s): no query node", tt.groupBy)
		}
		var length time.Duration
		if dims.Time != nil {
			length = dims.Time.Length
		}
		if fmt.Sprint(dims.Tags) != fmt.Sprint(tt.tags) || dims.All != tt.all || length != tt.time || dims.TimeAt != tt.at {
			t.Errorf("groupBy(%s) = %+v (time %v), want tags %v, all %v, time %v at %d", tt.groupBy, *dims, length, tt.tags, tt.all, tt.time, tt.at)
		}
	}
}

// TestQueryGroupByTwoTimes checks Kapacitor's error for a second time().
func TestQueryGroupByTwoTimes(t *testing.T) {
	src := "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT mean(v) FROM db.rp.m')\n        .every(1m)\n        .groupBy(time(1m), 'host', time(5m))\n"
	_, err := lowerSource([]byte(src), ir.LowerOptions{})
	if err == nil || !strings.Contains(err.Error(), "in.tick:5:36: groupBy cannot have more than one time dimension") {
		t.Errorf("err = %v", err)
	}
}
