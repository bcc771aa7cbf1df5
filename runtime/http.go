package runtime

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"
)

// Version is what the X-Kapacitor-Version header of every response says.
var Version = "1.5.9-tickc"

// The API's path prefixes, Kapacitor's.
const (
	BasePath        = "/kapacitor/v1"
	BasePreviewPath = "/kapacitor/v1preview"
)

// Handler is the HTTP API of a serving program: the write endpoints, ping,
// and the httpOut endpoints of its tasks, with Kapacitor's paths, status
// codes, headers and bodies.
type Handler struct {
	Program *Program
	Config  *Config
	Log     *slog.Logger

	metrics metricsCache // the Prometheus handler of /metrics, made on first use
}

// NewHandler returns the HTTP API of p.
func NewHandler(p *Program, cfg *Config, log *slog.Logger) *Handler {
	if cfg == nil {
		cfg = NewConfig()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{Program: p, Config: cfg, Log: log}
}

// ServeHTTP routes a request. A panic in a handler is answered with a 500 and
// logged; it never ends the program.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			h.Log.Error("http handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if !rec.wrote {
				httpError(rec, "internal error", http.StatusInternalServerError)
			}
		}
		if h.Config.HTTP.LogEnabled {
			h.Log.Info("http request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start), "request_id", rec.Header().Get("Request-Id"))
		}
	}()
	id := r.Header.Get("Request-Id")
	if id == "" {
		id = newRequestID()
	}
	rec.Header().Set("Request-Id", id)
	rec.Header().Set("X-Kapacitor-Version", Version)
	// Kapacitor marks every answer of its API as JSON, even the plain-text
	// errors of the write endpoint and the empty 204s.
	rec.Header().Set("Content-Type", "application/json; charset=utf-8")
	if origin := r.Header.Get("Origin"); origin != "" {
		rec.Header().Set("Access-Control-Allow-Origin", origin)
		rec.Header().Set("Access-Control-Allow-Methods", "DELETE, GET, OPTIONS, POST, PATCH")
		rec.Header().Set("Access-Control-Allow-Headers",
			"Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override")
	}

	path := r.URL.Path
	if strings.HasPrefix(path, BasePreviewPath+"/") {
		path = BasePath + strings.TrimPrefix(path, BasePreviewPath)
	}
	switch {
	case path == "/write" || path == BasePath+"/write":
		switch r.Method {
		case http.MethodPost:
			h.serveWrite(rec, r)
		case http.MethodOptions:
			rec.WriteHeader(http.StatusNoContent)
		default:
			h.notFound(rec)
		}
	case path == BasePath+"/ping":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			rec.WriteHeader(http.StatusNoContent)
		case http.MethodOptions:
			rec.WriteHeader(http.StatusNoContent)
		default:
			h.notFound(rec)
		}
	case isOpsPath(path):
		h.serveOps(rec, r, path)
	case (path == topicsPath || strings.HasPrefix(path, topicsPath+"/")) && r.Method == http.MethodGet:
		h.serveTopics(rec, r, path)
	case strings.HasPrefix(path, BasePath+"/tasks/") && r.Method == http.MethodGet:
		h.serveHTTPOut(rec, r, strings.TrimPrefix(path, BasePath+"/tasks/"))
	case strings.HasPrefix(path, BasePath+"/debug/pprof/") && h.Config.HTTP.PprofEnabled:
		r.URL.Path = strings.TrimPrefix(path, BasePath)
		switch name := strings.TrimPrefix(path, BasePath+"/debug/pprof/"); name {
		case "cmdline":
			pprof.Cmdline(rec, r)
		case "profile":
			pprof.Profile(rec, r)
		case "symbol":
			pprof.Symbol(rec, r)
		case "trace":
			pprof.Trace(rec, r)
		default:
			pprof.Index(rec, r)
		}
	case r.Method == http.MethodOptions:
		rec.WriteHeader(http.StatusNoContent)
	default:
		h.notFound(rec)
	}
}

// serveWrite takes line protocol: gzip bodies, a size limit, db/rp/precision
// parameters; it returns once the tasks have processed the points.
func (h *Handler) serveWrite(w http.ResponseWriter, r *http.Request) {
	limit := h.Config.HTTP.MaxBodySize
	wb := getWriteBuffers()
	defer wb.release()
	var body io.Reader = r.Body
	if limit > 0 {
		body = http.MaxBytesReader(w, r.Body, limit)
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		gz, err := getGzipReader(body)
		if err != nil {
			if tooLarge(err) {
				h.Program.writes.BodyTooLarge.Add(1)
				plainError(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
				return
			}
			h.Program.writes.BadRequest.Add(1)
			plainError(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer putGzipReader(gz)
		body = gz
	}
	var data []byte
	var err error
	if limit > 0 {
		// The limit holds for the decompressed body too.
		data, err = readBody(io.LimitReader(body, limit+1), r.ContentLength, limit+1, wb.body)
		if err == nil && int64(len(data)) > limit {
			err = &http.MaxBytesError{Limit: limit}
		}
	} else {
		data, err = readBody(body, r.ContentLength, -1, wb.body)
	}
	wb.body = data
	if err != nil {
		if tooLarge(err) {
			h.Program.writes.BodyTooLarge.Add(1)
			plainError(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		h.Program.writes.BadRequest.Add(1)
		plainError(w, err.Error(), http.StatusBadRequest)
		return
	}
	if h.Config.HTTP.WriteTracing {
		h.Log.Debug("write body received", "body", string(data))
	}
	q := r.URL.Query()
	prec, err := ParsePrecision(q.Get("precision"))
	if err != nil {
		h.Program.writes.BadRequest.Add(1)
		plainError(w, err.Error(), http.StatusBadRequest)
		return
	}
	db, rp := q.Get("db"), q.Get("rp")
	if rp == "" {
		rp = h.Config.DefaultRetentionPolicy
	}
	points, err := wb.parse(data, db, rp, prec, time.Now().UnixNano())
	if err != nil {
		h.Program.writes.MalformedLine.Add(1)
		plainError(w, err.Error(), http.StatusBadRequest)
		return
	}
	if db == "" {
		h.Program.writes.MissingDB.Add(1)
		plainError(w, "database is required", http.StatusBadRequest)
		return
	}
	if err := h.Program.Write(points); errors.Is(err, ErrStopped) {
		plainError(w, err.Error(), http.StatusServiceUnavailable)
		return
	} else if err != nil {
		plainError(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// serveHTTPOut serves GET /kapacitor/v1/tasks/<task>/<endpoint>.
func (h *Handler) serveHTTPOut(w http.ResponseWriter, r *http.Request, rest string) {
	task, endpoint, ok := strings.Cut(rest, "/")
	t := h.Program.Task(task)
	if !ok || t == nil {
		h.notFound(w)
		return
	}
	o := t.HTTPOut(endpoint)
	if o == nil {
		h.notFound(w)
		return
	}
	body, ok := o.JSON()
	status := http.StatusOK
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, r, body, status)
}

func (h *Handler) notFound(w http.ResponseWriter) {
	httpError(w, "Not Found", http.StatusNotFound)
}

// writeJSON writes a JSON body, gzipped when the client accepts it.
func writeJSON(w http.ResponseWriter, r *http.Request, body []byte, status int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		gz := gzip.NewWriter(w)
		_, _ = gz.Write(body)
		_ = gz.Close()
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// httpError writes Kapacitor's JSON error body, {"error":…,"message":…}
// indented as Kapacitor does.
func httpError(w http.ResponseWriter, msg string, status int) {
	b, _ := json.MarshalIndent(struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}{msg, msg}, "", "    ")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// plainError writes the plain-text error of the write endpoint: the message
// and a newline, as Kapacitor writes it (under its JSON content type).
func plainError(w http.ResponseWriter, msg string, status int) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// newRequestID returns a random UUID (version 4) for the Request-Id header.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// statusWriter remembers the status a handler wrote, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status = code
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}
