package bench

import (
	"strconv"
	"testing"

	tickrt "github.com/tickc/tickc/runtime"
	"github.com/tickc/tickc/stdlib"
)

const services = 1000 // distinct values of the service tag in the join benchmark

// joinCounter counts the joined points and checks one of them.
type joinCounter struct {
	points int
	bad    bool
}

func (c *joinCounter) Point(p tickrt.Point) {
	c.points++
	if len(p.Fields) != 2 || p.Fields[0].Key != "errors.value" || p.Fields[1].Key != "requests.value" {
		c.bad = true
	}
}
func (c *joinCounter) Batch(tickrt.Batch)            {}
func (c *joinCounter) Barrier(tickrt.GroupID, int64) {}
func (c *joinCounter) DeleteGroup(tickrt.GroupID)    {}
func (c *joinCounter) Done()                         {}

// BenchmarkJoinErrorsRequests joins two measurements, errors and requests,
// grouped by service over 1,000 services, one point per service and
// measurement per second, as
//
//	errors|join(requests).as('errors', 'requests').tolerance(1s)
//
// does; b.N counts joined points. The join's buffers must stay bounded: a
// set is emitted as soon as both parents have sent their point.
func BenchmarkJoinErrorsRequests(b *testing.B) {
	dims := tickrt.Dimensions{TagNames: []string{"service"}}
	type src struct {
		tags  tickrt.Tags
		group tickrt.GroupID
	}
	srcs := make([]src, services)
	for i := range srcs {
		tags := tickrt.Tags{{Key: "service", Value: "service" + strconv.Itoa(i)}}
		srcs[i] = src{tags, tickrt.NewGroupID("errors", tags, dims)}
	}
	join := tickrt.NewJoin(nil, tickrt.NodeInfo{Name: "join3"}, tickrt.JoinConfig{
		As: []string{"errors", "requests"}, Delimiter: ".", Tolerance: 1e9,
	})
	out := &joinCounter{}
	join.AddChild(out)
	errorsIn, requestsIn := join.Input(0), join.Input(1)
	errFields := tickrt.Fields{{Key: "value", Value: stdlib.Float(3)}}
	reqFields := tickrt.Fields{{Key: "value", Value: stdlib.Float(100)}}

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := srcs[i%services]
		t := t0 + int64(i/services)*pointEvery
		errorsIn.Point(tickrt.Point{Name: "errors", Time: t, Group: s.group, Dimensions: dims, Tags: s.tags, Fields: errFields})
		requestsIn.Point(tickrt.Point{Name: "requests", Time: t + 3e8, Group: s.group, Dimensions: dims, Tags: s.tags, Fields: reqFields})
	}
	b.StopTimer()
	if out.points != b.N || out.bad {
		b.Fatalf("joined %d points (bad fields: %v), want %d", out.points, out.bad, b.N)
	}
	if n := join.Buffered(); n != 0 {
		b.Fatalf("join still buffers %d points", n)
	}
	if g := join.Groups(); g > services {
		b.Fatalf("join holds %d groups for %d services", g, services)
	}
}
