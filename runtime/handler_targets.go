package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// This file holds the alert handlers that deliver an event's body as it is:
// post (HTTP POST), tcp (one connection per event) and log (a line appended
// to a file). Each delivers through its own queue (see deliveryQueue).

// PostHandlerConfig configures a post handler, .post(url) and its
// properties.
type PostHandlerConfig struct {
	// URL is where events are posted. It is a Go text/template executed on
	// the event's alert data (.ID, .Message, .Level, …) when it holds "{{".
	URL string
	// Endpoint names an [[httppost]] entry of the configuration, resolved
	// when the task starts; when it exists it replaces URL, and brings its
	// basic auth, headers and alert-template. An unknown name falls back to
	// URL, as in Kapacitor, and is an error without one.
	Endpoint string
	// Headers are set on every request (over the endpoint's).
	Headers map[string]string
	// Timeout bounds one attempt; 0 means DefaultHandlerTimeout.
	Timeout time.Duration
	// CaptureResponse logs the body of a non-2xx answer.
	CaptureResponse bool
	// SkipSSLVerification accepts any certificate of an https URL.
	SkipSSLVerification bool
}

// PostHandler posts each event's body to a URL with Content-Type
// application/json, as Kapacitor's post handler does.
type PostHandler struct {
	cfg      PostHandlerConfig
	url      *template.Template // nil when the URL is plain text
	endpoint *httpPostEndpoint  // the [[httppost]] entry, or nil
	client   *http.Client
	err      error
	queue    *deliveryQueue
	stats    HandlerStats
}

// NewPostHandler returns a post handler of task t. A URL that is not a valid
// template is reported by Err, and the handler then delivers nothing.
func NewPostHandler(t *Task, cfg PostHandlerConfig) *PostHandler {
	h := &PostHandler{cfg: cfg}
	if cfg.Endpoint != "" {
		e, ok, err := lookupHTTPPostEndpoint(t, cfg.Endpoint)
		switch {
		case err != nil:
			h.err = fmt.Errorf("post handler: %w", err)
		case ok:
			h.endpoint = e
		case cfg.URL == "":
			h.err = fmt.Errorf("post handler: endpoint %q does not exist in the [[httppost]] configuration, and no url is given", cfg.Endpoint)
		}
	}
	switch {
	case h.err != nil || h.endpoint != nil:
	case cfg.URL == "":
		h.err = errors.New("post handler: an appropriately formatted url must be specified")
	case strings.Contains(cfg.URL, "{{"):
		tmpl, err := template.New("url").Funcs(bodyTemplateFuncs).Parse(cfg.URL)
		if err != nil {
			h.err = fmt.Errorf("post handler: failed to parse url template: %w", err)
		}
		h.url = tmpl
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.SkipSSLVerification {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	h.client = &http.Client{Transport: tr}
	target := cfg.URL
	if h.endpoint != nil {
		target = "endpoint " + cfg.Endpoint
	}
	h.queue = newDeliveryQueue(t, "post "+target, cfg.Timeout, h.send, &h.stats)
	return h
}

// bodyTemplateFuncs are the functions of Kapacitor's httppost templates.
var bodyTemplateFuncs = template.FuncMap{
	"json": func(v any) string {
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(v)
		return b.String()
	},
	"jsonCompact": func(v any) string {
		var b, c bytes.Buffer
		_ = json.NewEncoder(&b).Encode(v)
		_ = json.Compact(&c, b.Bytes())
		return c.String()
	},
}

// Handle queues ev for delivery.
func (h *PostHandler) Handle(ev *AlertEvent) {
	if h.err == nil {
		h.queue.enqueue(ev)
	}
}

// Close delivers what is queued and stops the handler.
func (h *PostHandler) Close() error { return h.queue.Close() }

// Err returns the handler's configuration error, or nil.
func (h *PostHandler) Err() error { return h.err }

// Stats returns the handler's counters.
func (h *PostHandler) Stats() *HandlerStats { return &h.stats }

func (h *PostHandler) attach(info NodeInfo) { h.queue.attach(info) }

func (h *PostHandler) send(ctx context.Context, ev *AlertEvent) error {
	if e := h.endpoint; e != nil {
		data := ev.data()
		r := &postRequest{
			urlTemplate: e.url, data: data, body: ev.Body, auth: e.auth,
			baseHeaders: e.headers, headers: h.cfg.Headers,
			contentType: "application/json", contentTypeLast: true,
		}
		if e.alert != nil {
			var body bytes.Buffer
			if err := e.alert.Execute(&body, data); err != nil {
				return permanent(fmt.Errorf("failed to execute alert template: %w", err))
			}
			r.body, r.contentType = body.Bytes(), ""
		}
		_, err := r.do(ctx, h.client, h.cfg.CaptureResponse)
		return err
	}
	url := h.cfg.URL
	if h.url != nil {
		var b strings.Builder
		if err := h.url.Execute(&b, ev.data()); err != nil {
			return permanent(fmt.Errorf("failed to execute url template: %w", err))
		}
		url = b.String()
	}
	_, err := postJSON(ctx, h.client, url, ev.Body, h.cfg.Headers, h.cfg.CaptureResponse)
	return err
}

// data returns the alert data that templates of the event see.
func (ev *AlertEvent) data() alertData {
	return alertData{
		ID: ev.ID, Message: ev.Message, Details: ev.Details, Time: TimeValue(ev.Time), Duration: ev.Duration,
		Level: ev.Level, Data: ev.Data, PreviousLevel: ev.PreviousLevel, Recoverable: ev.Recoverable,
	}
}

// httpStatusError is a non-2xx answer to a POST.
type httpStatusError struct {
	code int
	body string // the answer's body with captureResponse
}

func (e *httpStatusError) Error() string {
	if e.body != "" {
		return fmt.Sprintf("POST returned non 2xx status code %d: %s", e.code, e.body)
	}
	return fmt.Sprintf("POST returned non 2xx status code %d: unknown error, use .captureResponse() to capture the HTTP response", e.code)
}

// postJSON posts body to url with Content-Type application/json and returns
// the status code; a non-2xx answer is an *httpStatusError, carrying the
// answer's body when capture is set.
func postJSON(ctx context.Context, client *http.Client, url string, body []byte, headers map[string]string, capture bool) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, permanent(fmt.Errorf("failed to create POST request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return sendPost(client, req, capture)
}

// TCPHandlerConfig configures a tcp handler, .tcp(address).
type TCPHandlerConfig struct {
	Address string        // host:port
	Timeout time.Duration // bounds one attempt (connect and write); 0 means DefaultHandlerTimeout
}

// TCPHandler writes each event's body followed by a newline on a new TCP
// connection, as Kapacitor's tcp handler does.
type TCPHandler struct {
	cfg   TCPHandlerConfig
	err   error
	queue *deliveryQueue
	stats HandlerStats
}

// NewTCPHandler returns a tcp handler of task t. An empty address is
// reported by Err.
func NewTCPHandler(t *Task, cfg TCPHandlerConfig) *TCPHandler {
	h := &TCPHandler{cfg: cfg}
	if cfg.Address == "" {
		h.err = errors.New("tcp handler: an address must be specified")
	}
	h.queue = newDeliveryQueue(t, "tcp "+cfg.Address, cfg.Timeout, h.send, &h.stats)
	return h
}

// Handle queues ev for delivery.
func (h *TCPHandler) Handle(ev *AlertEvent) {
	if h.err == nil {
		h.queue.enqueue(ev)
	}
}

// Close delivers what is queued and stops the handler.
func (h *TCPHandler) Close() error { return h.queue.Close() }

// Err returns the handler's configuration error, or nil.
func (h *TCPHandler) Err() error { return h.err }

// Stats returns the handler's counters.
func (h *TCPHandler) Stats() *HandlerStats { return &h.stats }

func (h *TCPHandler) attach(info NodeInfo) { h.queue.attach(info) }

func (h *TCPHandler) send(ctx context.Context, ev *AlertEvent) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", h.cfg.Address)
	if err != nil {
		return fmt.Errorf("tcp handler failed to connect: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetWriteDeadline(dl)
	}
	msg := make([]byte, 0, len(ev.Body)+1)
	msg = append(append(msg, ev.Body...), '\n')
	if _, err := conn.Write(msg); err != nil {
		return fmt.Errorf("tcp handler failed to write: %w", err)
	}
	return nil
}

// LogHandlerConfig configures a log handler, .log(path).mode(m).
type LogHandlerConfig struct {
	Path string      // an absolute file path
	Mode os.FileMode // permissions of a file the handler creates; 0 means 0600
}

// DefaultLogHandlerMode is the mode of a file a log handler creates.
const DefaultLogHandlerMode os.FileMode = 0o600

// LogHandler appends each event's body, one line, to a file, opening it for
// every event (so that the file may be rotated), as Kapacitor's log handler
// does.
type LogHandler struct {
	cfg   LogHandlerConfig
	err   error
	queue *deliveryQueue
	stats HandlerStats
}

// NewLogHandler returns a log handler of task t. A relative path or a mode
// that is not user-writable is reported by Err, with Kapacitor's words.
func NewLogHandler(t *Task, cfg LogHandlerConfig) *LogHandler {
	if cfg.Mode == 0 {
		cfg.Mode = DefaultLogHandlerMode
	}
	h := &LogHandler{cfg: cfg}
	switch {
	case cfg.Mode.Perm()&0o200 == 0:
		h.err = fmt.Errorf("failed to create log alert handler: invalid file mode %v, must be user writable", cfg.Mode)
	case !filepath.IsAbs(cfg.Path):
		h.err = fmt.Errorf("failed to create log alert handler: log path must be absolute: %s is not absolute", cfg.Path)
	}
	h.queue = newDeliveryQueue(t, "log "+cfg.Path, 0, h.send, &h.stats)
	return h
}

// Handle queues ev for delivery.
func (h *LogHandler) Handle(ev *AlertEvent) {
	if h.err == nil {
		h.queue.enqueue(ev)
	}
}

// Close writes what is queued and stops the handler.
func (h *LogHandler) Close() error { return h.queue.Close() }

// Err returns the handler's configuration error, or nil.
func (h *LogHandler) Err() error { return h.err }

// Stats returns the handler's counters.
func (h *LogHandler) Stats() *HandlerStats { return &h.stats }

func (h *LogHandler) attach(info NodeInfo) { h.queue.attach(info) }

func (h *LogHandler) send(_ context.Context, ev *AlertEvent) error {
	f, err := os.OpenFile(h.cfg.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, h.cfg.Mode)
	if err != nil {
		return fmt.Errorf("failed to open file for alert logging: %w", err)
	}
	_, werr := f.Write(ev.Body)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("failed to write alert log: %w", werr)
	}
	if cerr != nil {
		return fmt.Errorf("failed to write alert log: %w", cerr)
	}
	return nil
}
