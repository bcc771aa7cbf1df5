package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"text/template"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// HTTPPostConfig is the configuration of an httpPost node, |httpPost(url)
// and its properties.
type HTTPPostConfig struct {
	// URL is where the data is posted. It is a Go text/template executed on
	// the row (.Name, .Tags, .Values, a list of column→value maps) when it
	// holds "{{".
	URL string
	// Endpoint names an [[httppost]] entry of the configuration, used
	// instead of URL: its URL template, basic auth, headers and row-template.
	// It is resolved when the task starts; an unknown name is an error.
	Endpoint string
	// Headers are set on every request (after Content-Type, and over the
	// endpoint's headers).
	Headers map[string]string
	// Timeout bounds one request; 0 means DefaultHandlerTimeout.
	Timeout time.Duration
	// CodeField names an int field set to the answer's status code (0 when the
	// request failed); "" adds no field.
	CodeField string
	// CaptureResponse logs the body of a non-2xx answer.
	CaptureResponse bool
}

// HTTPPost is the httpPost node. It posts every point, and every batch, as
// Kapacitor's JSON result {"series":[ROW]} (plus a newline) with Content-Type
// application/json, waits for the answer, and passes the data on, with the
// status code field when configured. A failed request is logged and the data
// still goes on.
type HTTPPost struct {
	Base
	cfg      HTTPPostConfig
	url      *template.Template // nil when the URL is plain text
	endpoint *httpPostEndpoint  // the [[httppost]] entry, or nil
	client   *http.Client
	err      error
}

// NewHTTPPost returns an httpPost node of task t. An empty URL or a URL
// template that does not parse is reported by Err; the node then posts
// nothing and sets the code field to 0.
func NewHTTPPost(t *Task, info NodeInfo, cfg HTTPPostConfig) *HTTPPost {
	n := &HTTPPost{Base: Base{Task: t, Info: info}, cfg: cfg}
	if n.cfg.Timeout <= 0 {
		n.cfg.Timeout = DefaultHandlerTimeout
	}
	switch {
	case cfg.Endpoint != "":
		e, ok, err := lookupHTTPPostEndpoint(t, cfg.Endpoint)
		switch {
		case err != nil:
			n.err = fmt.Errorf("httpPost: %w", err)
		case !ok:
			n.err = fmt.Errorf("httpPost: endpoint '%s' does not exist", cfg.Endpoint)
		}
		n.endpoint = e
	case cfg.URL == "":
		n.err = fmt.Errorf("httpPost: must provide url or endpoint")
	case strings.Contains(cfg.URL, "{{"):
		tmpl, err := template.New("url").Funcs(bodyTemplateFuncs).Parse(cfg.URL)
		if err != nil {
			n.err = fmt.Errorf("httpPost: error in url templating: %w", err)
		}
		n.url = tmpl
	}
	if n.err != nil {
		n.Error(n.err)
	}
	n.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return n
}

// Err returns the node's configuration error, or nil.
func (n *HTTPPost) Err() error { return n.err }

// Point posts p's row and passes p on.
func (n *HTTPPost) Point(p Point) {
	n.PointsIn++
	code := n.post(PointRow(p))
	if n.cfg.CodeField != "" {
		p.Fields = p.Fields.With(n.cfg.CodeField, stdlib.Int(int64(code)))
	}
	n.EmitPoint(p)
}

// Batch posts b's row and passes b on.
func (n *HTTPPost) Batch(b Batch) {
	n.PointsIn++
	code := n.post(BatchRow(b))
	if n.cfg.CodeField != "" {
		pts := make([]BatchPoint, len(b.Points))
		for i, bp := range b.Points {
			bp.Fields = bp.Fields.With(n.cfg.CodeField, stdlib.Int(int64(code)))
			pts[i] = bp
		}
		b.Points = pts
	}
	n.EmitBatch(b)
}

// Barrier passes the barrier on.
func (n *HTTPPost) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *HTTPPost) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *HTTPPost) Done() { n.EmitDone() }

// post sends row and returns the status code, 0 when the request failed.
func (n *HTTPPost) post(row *Row) int {
	if n.err != nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.Timeout)
	defer cancel()
	if e := n.endpoint; e != nil {
		mr := newMappedRow(row)
		r := &postRequest{
			urlTemplate: e.url, data: mr, auth: e.auth,
			baseHeaders: e.headers, headers: n.cfg.Headers,
		}
		var body bytes.Buffer
		if e.row != nil {
			if err := e.row.Execute(&body, mr); err != nil {
				n.Error(fmt.Errorf("failed to POST data: failed to execute template: %w", err))
				return 0
			}
		} else {
			if err := json.NewEncoder(&body).Encode(Result{Series: []*Row{row}}); err != nil {
				n.Error(fmt.Errorf("failed to POST data: failed to marshal row data json: %w", err))
				return 0
			}
			r.contentType = "application/json"
		}
		r.body = body.Bytes()
		code, err := r.do(ctx, n.client, n.cfg.CaptureResponse)
		return n.posted(code, err)
	}
	var body bytes.Buffer
	if err := json.NewEncoder(&body).Encode(Result{Series: []*Row{row}}); err != nil {
		n.Error(fmt.Errorf("failed to POST data: failed to marshal row data json: %w", err))
		return 0
	}
	url := n.cfg.URL
	if n.url != nil {
		var b strings.Builder
		if err := n.url.Execute(&b, newMappedRow(row)); err != nil {
			n.Error(fmt.Errorf("failed to POST data: failed to execute url template: %w", err))
			return 0
		}
		url = b.String()
	}
	code, err := postJSON(ctx, n.client, url, body.Bytes(), n.cfg.Headers, n.cfg.CaptureResponse)
	return n.posted(code, err)
}

// posted logs a failed request and returns its status code.
func (n *HTTPPost) posted(code int, err error) int {
	if err != nil {
		if code == 0 {
			err = fmt.Errorf("failed to POST data: %w", err)
		}
		n.Error(err)
	}
	return code
}

// mappedRow is the data of an httpPost URL template: the row with each
// line of values as a map from column to value.
type mappedRow struct {
	Name   string
	Tags   map[string]string
	Values []map[string]any
}

func newMappedRow(row *Row) *mappedRow {
	m := &mappedRow{Name: row.Name, Tags: row.Tags, Values: make([]map[string]any, len(row.Values))}
	for i, vals := range row.Values {
		m.Values[i] = make(map[string]any, len(row.Columns))
		for c, col := range row.Columns {
			if c < len(vals) {
				m.Values[i][col] = vals[c]
			}
		}
	}
	return m
}
