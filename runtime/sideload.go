package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"text/template"
	"time"

	"github.com/tickc/tickc/stdlib"
	"sigs.k8s.io/yaml"
)

// SideloadConfig is the configuration of a sideload node, the properties of
// |sideload().
type SideloadConfig struct {
	// Source is where the values live: a file:// URL of an absolute directory
	// of YAML (.yml, .yaml) and JSON (.json) files, or an http:// or https://
	// URL answering a JSON object that maps file paths to objects of values.
	Source string
	// Order lists Go text/template paths, relative to the source, executed on
	// the point's tags (e.g. "hosts/{{.host}}.yml"); the first file that
	// holds a key wins.
	Order []string
	// Fields lists the fields to set and their defaults (float, int, string
	// or bool); a loaded value is converted to the default's type.
	Fields Fields
	// Tags lists the tags to set and their defaults.
	Tags Tags
}

// Sideload adds fields and tags looked up in hierarchical files to each point,
// as Kapacitor's SideloadNode does. For each point the Order templates give
// the files to search, in order; each configured key takes the first value
// found, converted to the type of its default, or the default when no file
// has it or the value does not convert (an error is logged). Batches have
// each of their points sideloaded with that point's tags.
//
// The source is read once by NewSideload and again by Reload. A serving
// program reloads every sideload node on SIGHUP (Kapacitor's POST
// /sideload/reload); the node's values change, nothing else of the program.
type Sideload struct {
	Base
	cfg   SideloadConfig
	order []*template.Template

	mu      sync.RWMutex
	cache   map[string]map[string]any // values per file path relative to the source
	loadErr error
}

// NewSideload returns a sideload node and loads its source. A template or
// load error is logged and kept: Err returns it (generated code can fail the
// task with it, as Kapacitor fails to start such a task), and the node then
// sets every key to its default.
func NewSideload(t *Task, info NodeInfo, cfg SideloadConfig) *Sideload {
	s := &Sideload{Base: Base{Task: t, Info: info}, cfg: cfg}
	for _, o := range cfg.Order {
		tmpl, err := template.New("order").Parse(o)
		if err != nil {
			s.loadErr = fmt.Errorf("sideload order %q: %w", o, err)
			s.Error(s.loadErr)
			return s
		}
		s.order = append(s.order, tmpl)
	}
	if err := s.Reload(); err != nil {
		s.Error(err)
	}
	watchSIGHUP(s)
	return s
}

// Err returns the error of the node's configuration or of its last load, or
// nil.
func (s *Sideload) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loadErr
}

// Reload reads the source again and replaces the values. On error the
// previous values are kept. It is safe to call from any goroutine.
func (s *Sideload) Reload() error {
	cache, err := loadSideload(s.cfg.Source)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loadErr = err
	if err == nil {
		s.cache = cache
	}
	return err
}

// loadSideload reads every value file of source.
func loadSideload(source string) (map[string]map[string]any, error) {
	u, err := url.Parse(source)
	if err != nil {
		return nil, fmt.Errorf("sideload source %q: %w", source, err)
	}
	switch u.Scheme {
	case "file":
		return loadSideloadDir(u.Path)
	case "http", "https":
		return loadSideloadHTTP(source)
	case "":
		return nil, fmt.Errorf("sideload source %q: named endpoints are not supported, use a file:// or http(s):// URL", source)
	}
	return nil, fmt.Errorf("unsupported source scheme %q, must be 'file', 'http', or 'https'", u.Scheme)
}

func loadSideloadDir(dir string) (map[string]map[string]any, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("sideload source path must be absolute %q", dir)
	}
	dir = filepath.Clean(dir)
	cache := map[string]map[string]any{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		values := map[string]any{}
		switch filepath.Ext(path) {
		case ".yml", ".yaml":
			err = yaml.Unmarshal(data, &values)
		case ".json":
			err = json.Unmarshal(data, &values)
		}
		if err != nil {
			return fmt.Errorf("failed to unmarshal values %q: %w", path, err)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		cache[rel] = values
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to update sideload cache for source file %q: %w", dir, err)
	}
	return cache, nil
}

func loadSideloadHTTP(source string) (map[string]map[string]any, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(source)
	if err != nil {
		return nil, fmt.Errorf("error fetching sideload data from %s: %w", source, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("error fetching sideload data from %s: %w", source, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("error fetching sideload data from %s: %s", source, resp.Status)
	}
	cache := map[string]map[string]any{}
	if err := json.Unmarshal(data, &cache); err != nil {
		return nil, fmt.Errorf("failed to unmarshal json values in response body from %s: %w", source, err)
	}
	return cache, nil
}

// lookup returns the first value of key in the files of paths, or nil.
func (s *Sideload) lookup(paths []string, key string) any {
	key = filepath.Clean(key)
	for _, p := range paths {
		if v, ok := s.cache[p][key]; ok {
			return v
		}
	}
	return nil
}

// sideload returns tags and fields with the configured keys set; ok is false
// when the order templates fail (the data is then passed on unchanged).
func (s *Sideload) sideload(tags Tags, fields Fields) (Tags, Fields, bool) {
	paths := make([]string, len(s.order))
	if len(s.order) > 0 {
		vars := make(map[string]string, len(tags))
		for _, t := range tags {
			vars[t.Key] = t.Value
		}
		var buf bytes.Buffer
		for i, tmpl := range s.order {
			buf.Reset()
			if err := tmpl.Execute(&buf, vars); err != nil {
				s.Error(fmt.Errorf("failed to evaluate order template %q: %w", s.cfg.Order[i], err))
				return tags, fields, false
			}
			paths[i] = buf.String()
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.cfg.Fields {
		v := f.Value
		if raw := s.lookup(paths, f.Key); raw != nil {
			c, err := sideloadConvert(raw, f.Value)
			if err != nil {
				s.Error(fmt.Errorf("failed to load key %q: %w", f.Key, err))
			} else {
				v = c
			}
		}
		fields = fields.With(f.Key, v)
	}
	for _, t := range s.cfg.Tags {
		v := t.Value
		if raw := s.lookup(paths, t.Key); raw != nil {
			c, err := sideloadConvert(raw, stdlib.String(t.Value))
			if err != nil {
				s.Error(fmt.Errorf("failed to load key %q: %w", t.Key, err))
			} else {
				v = c.Str()
			}
		}
		tags = tags.With(t.Key, v)
	}
	return tags, fields, true
}

// sideloadConvert converts a loaded value (float64, string or bool, as YAML
// and JSON decode) to the type of dflt, as Kapacitor does.
func sideloadConvert(src any, dflt stdlib.Value) (stdlib.Value, error) {
	switch dflt.Type() {
	case stdlib.TypeInt:
		switch v := src.(type) {
		case float64:
			if i := int64(v); float64(i) == v {
				return stdlib.Int(i), nil
			}
		case string:
			i, err := strconv.Atoi(v)
			if err != nil {
				return stdlib.Missing, fmt.Errorf("cannot convert string to int64: %w", err)
			}
			return stdlib.Int(int64(i)), nil
		}
	case stdlib.TypeFloat:
		switch v := src.(type) {
		case float64:
			return stdlib.Float(v), nil
		case string:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return stdlib.Missing, fmt.Errorf("cannot convert string to float64: %w", err)
			}
			return stdlib.Float(f), nil
		}
	case stdlib.TypeBool:
		switch v := src.(type) {
		case bool:
			return stdlib.Bool(v), nil
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return stdlib.Missing, fmt.Errorf("cannot convert string to bool: %w", err)
			}
			return stdlib.Bool(b), nil
		}
	case stdlib.TypeString:
		switch v := src.(type) {
		case float64:
			return stdlib.String(strconv.FormatFloat(v, 'f', -1, 64)), nil
		case bool:
			return stdlib.String(strconv.FormatBool(v)), nil
		case string:
			return stdlib.String(v), nil
		}
	}
	return stdlib.Missing, fmt.Errorf("cannot convert value of type %s to type %s", sideloadTypeName(src), dflt.Type())
}

// sideloadTypeName names the Go type of a loaded value as Kapacitor's
// messages do.
func sideloadTypeName(v any) string {
	switch v.(type) {
	case float64:
		return "float64"
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "map"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

// Point sideloads p and passes it on.
func (s *Sideload) Point(p Point) {
	s.PointsIn++
	tags, fields, ok := s.sideload(p.Tags, p.Fields)
	if ok {
		p.Tags, p.Fields = tags, fields
		p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	}
	s.EmitPoint(p)
}

// Batch sideloads each point of b and passes it on.
func (s *Sideload) Batch(b Batch) {
	s.PointsIn++
	pts := make([]BatchPoint, len(b.Points))
	for i, bp := range b.Points {
		if tags, fields, ok := s.sideload(bp.Tags, bp.Fields); ok {
			bp.Tags, bp.Fields = tags, fields
		}
		pts[i] = bp
	}
	b.Points = pts
	s.EmitBatch(b)
}

// Barrier passes the barrier on.
func (s *Sideload) Barrier(g GroupID, t int64) { s.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (s *Sideload) DeleteGroup(g GroupID) { s.EmitDeleteGroup(g) }

// Done passes Done on.
func (s *Sideload) Done() { unwatchSIGHUP(s); s.EmitDone() }
