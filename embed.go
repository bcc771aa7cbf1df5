// Package tickc carries the source that every generated program is built
// against: the runtime and stdlib packages, the udf packages the runtime
// uses, and the module's go.mod and go.sum.
// The tickc command embeds it so that `tickc build` works without a checkout of
// the tickc source. Generated programs never import this package.
package tickc

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed go.mod go.sum runtime stdlib udf
var source embed.FS

// Source returns the embedded source tree: go.mod, go.sum and the runtime,
// stdlib and udf packages (with their subpackages), minus tests and test
// data. TestSourceHoldsRuntimeDeps checks that it is all the runtime needs.
func Source() fs.FS { return filteredFS{source} }

// SourceHash returns a hex SHA-256 digest of everything Source holds, names and
// contents. It identifies one version of the runtime in caches.
func SourceHash() string {
	hashOnce.Do(func() { hashValue = computeHash() })
	return hashValue
}

var (
	hashOnce  sync.Once
	hashValue string
)

func computeHash() string {
	var names []string
	_ = fs.WalkDir(Source(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		data, err := fs.ReadFile(Source(), n)
		if err != nil {
			continue
		}
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// filteredFS hides the files a build of generated code does not need: tests,
// test data and anything but Go source and module files.
type filteredFS struct{ fsys embed.FS }

func (f filteredFS) Open(name string) (fs.File, error) {
	if inTestdata(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if !st.IsDir() && !keepFile(name) {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, nil
}

func (f filteredFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if inTestdata(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := f.fsys.ReadDir(name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range entries {
		p := path.Join(name, e.Name())
		if e.IsDir() && !inTestdata(p) || !e.IsDir() && keepFile(p) {
			out = append(out, e)
		}
	}
	return out, nil
}

// inTestdata reports whether name lies in a testdata directory.
func inTestdata(name string) bool {
	for _, elem := range strings.Split(name, "/") {
		if elem == "testdata" {
			return true
		}
	}
	return false
}

// keepFile reports whether the file belongs to the build source.
func keepFile(name string) bool {
	base := path.Base(name)
	if strings.HasSuffix(base, "_test.go") {
		return false
	}
	return strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum"
}
