package runtime

import (
	"bytes"
	"testing"
)

// FuzzParseLines checks that no body makes the write parser panic, and that
// every point it returns is well formed: sorted unique tags and fields, at
// least one field.
func FuzzParseLines(f *testing.F) {
	for _, s := range []string{
		"cpu,host=serverA,type=idle value=97.1 31536000000000000\n",
		"m v=1i,s=\"x\\\"y\",b=t 1\nm,t\\ k=a\\,b v=-1.5e3\n# comment\n",
		"cpu value= 1\ncpu\n,a=1 v=1\ncpu v=1 99999999999999999999\n",
		"m,a=1,a=2 v=1,v=2\r\n",
	} {
		f.Add([]byte(s), int64(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, prec int64) {
		pts, _ := ParseLines(body, "db", "rp", prec, 1e18)
		for _, p := range pts {
			if len(p.Fields) == 0 {
				t.Fatalf("point without fields from %q", body)
			}
			for i := 1; i < len(p.Tags); i++ {
				if p.Tags[i-1].Key >= p.Tags[i].Key {
					t.Fatalf("tags not sorted and unique: %v", p.Tags)
				}
			}
			for i := 1; i < len(p.Fields); i++ {
				if p.Fields[i-1].Key >= p.Fields[i].Key {
					t.Fatalf("fields not sorted and unique: %v", p.Fields)
				}
			}
		}
	})
}

// FuzzReadBatchRecording checks that no input makes the batch recording
// reader panic, and that every batch it returns has points and a tmax not
// before its last point.
func FuzzReadBatchRecording(f *testing.F) {
	f.Add([]byte(`{"name":"cpu","tmax":"1971-01-01T00:00:08Z","tags":{"cpu":"cpu0"},"points":[{"fields":{"mean":83.5,"s":"x","b":true},"time":"1971-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"name":"a","points":[]} {"name":"b","byname":true,"points":[{"fields":{"v":null},"tags":{"t":"1"},"time":"2015-10-30T00:00:10Z"}]}`))
	f.Add([]byte(`{"name":"cpu","points":[{"fields":{"v":[1]},"time":"yesterday"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := ReadBatchRecording(bytes.NewReader(data), "fuzz.brpl")
		if err != nil {
			return
		}
		for _, b := range bs {
			if len(b.Points) == 0 || b.TMax < b.Points[len(b.Points)-1].Time {
				t.Fatalf("bad batch %+v", b)
			}
		}
	})
}
