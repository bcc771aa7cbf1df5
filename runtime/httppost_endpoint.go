package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// This file holds the [[httppost]] section: named endpoints that the alert
// post handler, .post().endpoint(name), and the httpPost node,
// |httpPost().endpoint(name), post to.

// HTTPPostEndpointConfig is one [[httppost]] entry, with Kapacitor's keys.
type HTTPPostEndpointConfig struct {
	// Endpoint is the name scripts give to endpoint().
	Endpoint string `toml:"endpoint"`
	// URL is where data is posted; it is always a Go text/template, executed
	// on the alert data (alerts) or on the row (httpPost).
	URL string `toml:"url"`
	// Headers are added to every request.
	Headers map[string]string `toml:"headers"`
	// BasicAuth sets the Authorization header when both its fields are set.
	BasicAuth HTTPPostBasicAuth `toml:"basic-auth"`
	// AlertTemplate, or the template in the file AlertTemplateFile, replaces
	// the JSON body of an alert; it is executed on the alert data.
	AlertTemplate     string `toml:"alert-template"`
	AlertTemplateFile string `toml:"alert-template-file"`
	// RowTemplate, or the template in the file RowTemplateFile, replaces the
	// JSON body of httpPost; it is executed on the row (.Name, .Tags, .Values).
	RowTemplate     string `toml:"row-template"`
	RowTemplateFile string `toml:"row-template-file"`
}

// HTTPPostBasicAuth is the basic-auth table of an [[httppost]] entry.
type HTTPPostBasicAuth struct {
	Username string `toml:"username"`
	Password string `toml:"password"`
}

// HTTPPostEndpoints is the [[httppost]] section, every entry of the file.
// A file without any has Kapacitor's default entry, "example", which posts
// to http://example.com (see DefaultHTTPPostEndpoints).
type HTTPPostEndpoints []HTTPPostEndpointConfig

// The default [[httppost]] entry, Kapacitor's.
const (
	DefaultHTTPPostEndpoint = "example"
	DefaultHTTPPostURL      = "http://example.com"
)

// DefaultHTTPPostEndpoints is the section of a file without [[httppost]].
func DefaultHTTPPostEndpoints() HTTPPostEndpoints {
	return HTTPPostEndpoints{{Endpoint: DefaultHTTPPostEndpoint, URL: DefaultHTTPPostURL}}
}

// Endpoints returns the entries in effect: those of the file, or the default
// entry when it has none.
func (s HTTPPostEndpoints) Endpoints() HTTPPostEndpoints {
	if len(s) == 0 {
		return DefaultHTTPPostEndpoints()
	}
	return s
}

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "httppost",
		// The section starts empty, so that the file's entries never inherit
		// the default entry's keys; Endpoints supplies it.
		New: func() any { return &HTTPPostEndpoints{} },
		Check: func(v any) error {
			for _, c := range *v.(*HTTPPostEndpoints) {
				if err := c.validate(); err != nil {
					return err
				}
				if _, err := c.compile(); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// validate checks an entry as Kapacitor does.
func (c *HTTPPostEndpointConfig) validate() error {
	switch {
	case c.Endpoint == "":
		return errors.New("must specify endpoint name")
	case c.URL == "":
		return fmt.Errorf("endpoint %q: must specify url", c.Endpoint)
	case c.AlertTemplate != "" && c.AlertTemplateFile != "":
		return fmt.Errorf("endpoint %q: must specify only one of alert-template and alert-template-file", c.Endpoint)
	case c.AlertTemplateFile != "" && !filepath.IsAbs(c.AlertTemplateFile):
		return fmt.Errorf("endpoint %q: must use an absolute path for alert-template-file", c.Endpoint)
	case c.RowTemplate != "" && c.RowTemplateFile != "":
		return fmt.Errorf("endpoint %q: must specify only one of row-template and row-template-file", c.Endpoint)
	case c.RowTemplateFile != "" && !filepath.IsAbs(c.RowTemplateFile):
		return fmt.Errorf("endpoint %q: must use an absolute path for row-template-file", c.Endpoint)
	}
	if !strings.Contains(c.URL, "{{") {
		if _, err := url.Parse(c.URL); err != nil {
			return fmt.Errorf("endpoint %q: invalid URL %q: %w", c.Endpoint, c.URL, err)
		}
	}
	return nil
}

// httpPostEndpoint is a compiled [[httppost]] entry.
type httpPostEndpoint struct {
	name    string
	url     *template.Template
	headers map[string]string
	auth    HTTPPostBasicAuth
	alert   *template.Template // nil: the alert's JSON body
	row     *template.Template // nil: the row's JSON body
}

// compile parses the entry's templates, reading the template files.
func (c *HTTPPostEndpointConfig) compile() (*httpPostEndpoint, error) {
	e := &httpPostEndpoint{name: c.Endpoint, headers: c.Headers, auth: c.BasicAuth}
	var err error
	if e.url, err = bodyTemplate(c.URL, ""); err != nil {
		return nil, fmt.Errorf("endpoint %q: invalid URL template syntax %q: %w", c.Endpoint, c.URL, err)
	}
	if e.alert, err = bodyTemplate(c.AlertTemplate, c.AlertTemplateFile); err != nil {
		return nil, fmt.Errorf("endpoint %q: failed to get alert-template: %w", c.Endpoint, err)
	}
	if e.row, err = bodyTemplate(c.RowTemplate, c.RowTemplateFile); err != nil {
		return nil, fmt.Errorf("endpoint %q: failed to get row-template: %w", c.Endpoint, err)
	}
	return e, nil
}

// bodyTemplate parses an [[httppost]] template given inline (with the json
// and jsonCompact functions) or in a file (without them, as in Kapacitor);
// it returns nil when both are empty.
func bodyTemplate(text, file string) (*template.Template, error) {
	switch {
	case text != "":
		t, err := template.New("body").Funcs(bodyTemplateFuncs).Parse(text)
		if err != nil {
			return nil, fmt.Errorf("failed to parse template: %w", err)
		}
		return t, nil
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("failed to read template file %q: %w", file, err)
		}
		t, err := template.New("body").Parse(string(data))
		if err != nil {
			return nil, fmt.Errorf("failed to parse template from file %q: %w", file, err)
		}
		return t, nil
	}
	return nil, nil
}

// lookupHTTPPostEndpoint returns the [[httppost]] entry named name of t's
// configuration (the last of that name), compiled, or false when there is
// none.
func lookupHTTPPostEndpoint(t *Task, name string) (*httpPostEndpoint, bool, error) {
	entries := serviceSection[HTTPPostEndpoints](t, "httppost").Endpoints()
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Endpoint == name {
			e, err := entries[i].compile()
			return e, true, err
		}
	}
	return nil, false, nil
}

// postRequest is one POST: the endpoint's URL template executed on data,
// its basic auth and headers (added), then the script's headers (set over
// them); the Content-Type, when not empty, is set after the endpoint's
// headers and, when contentTypeLast, after the script's too.
type postRequest struct {
	url             string
	urlTemplate     *template.Template // when not nil, executed on data for the URL
	data            any
	body            []byte
	auth            HTTPPostBasicAuth
	baseHeaders     map[string]string
	headers         map[string]string
	contentType     string
	contentTypeLast bool
}

// do sends the request and returns the status code as postJSON does.
func (r *postRequest) do(ctx context.Context, client *http.Client, capture bool) (int, error) {
	target := r.url
	if r.urlTemplate != nil {
		var b strings.Builder
		if err := r.urlTemplate.Execute(&b, r.data); err != nil {
			return 0, permanent(fmt.Errorf("failed to execute url template: %w", err))
		}
		target = b.String()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(r.body))
	if err != nil {
		return 0, permanent(fmt.Errorf("failed to create POST request: %w", err))
	}
	if r.auth.Username != "" && r.auth.Password != "" {
		req.SetBasicAuth(r.auth.Username, r.auth.Password)
	}
	for k, v := range r.baseHeaders {
		req.Header.Add(k, v)
	}
	if r.contentType != "" && !r.contentTypeLast {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if r.contentType != "" && r.contentTypeLast {
		req.Header.Set("Content-Type", r.contentType)
	}
	return sendPost(client, req, capture)
}

// sendPost sends req and returns the status code; a non-2xx answer is an
// *httpStatusError, carrying the answer's body when capture is set, and
// permanent unless it is a 5xx or a 429.
func sendPost(client *http.Client, req *http.Request, capture bool) (int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, nil
	}
	se := &httpStatusError{code: resp.StatusCode}
	if capture {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		se.body = string(b)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return resp.StatusCode, se
	}
	return resp.StatusCode, permanent(se)
}
