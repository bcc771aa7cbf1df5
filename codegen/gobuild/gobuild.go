package gobuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tickc/tickc"
)

// Program is one generated program to build.
type Program struct {
	Name   string // names the program's package directory and module; letters, digits, '_', '-' and '.'
	Source []byte // the generated main.go
	Output string // where the binary goes
	// Packages are further packages of the program, each written to the
	// directory Name/PKG of the module; main.go imports them with
	// PackagePath(Name, PKG).
	Packages []Package
}

// Package is one further package of a program: its name (also its
// directory) and its one source file.
type Package struct {
	Name   string
	Source []byte
}

// multiModule is the module path of a build of several programs, or of
// programs with packages.
const multiModule = "tickc.local/programs"

// PackagePath returns the import path of the package pkg of program prog.
func PackagePath(prog, pkg string) string { return multiModule + "/" + prog + "/" + pkg }

// Options configure Build. The zero Options build with the default cache.
type Options struct {
	// CacheDir holds the extracted runtime source and the built binaries;
	// "" means DefaultCacheDir.
	CacheDir string
	// NoCache builds even when a cached binary exists (it still fills the cache).
	NoCache bool
	// Env is the environment of the go command; nil means os.Environ().
	Env []string
	// Vet runs go vet on the programs before building them; a finding fails
	// the build like a compile error. Tests of the code generator use it.
	Vet bool
}

// DefaultCacheDir returns $TICKC_CACHE when it is set, else os.UserCacheDir()/tickc.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("TICKC_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (set TICKC_CACHE): %v", err)
	}
	return filepath.Join(d, "tickc"), nil
}

// A BuildError is a failure of the go command on generated code. Generated code
// that does not compile is a bug in tickc, not in the user's script.
type BuildError struct {
	Dir    string // the build directory, kept for inspection
	Output string // what the go command printed
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("internal error: the generated Go code does not compile (this is a bug in tickc, please report it with your script); build directory %s:\n%s",
		e.Dir, strings.TrimRight(e.Output, "\n"))
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// validPackage matches the names Program.Packages may have: Go identifiers
// in lower case, which are also their directories.
var validPackage = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Build compiles the programs into their Output paths. Programs whose binary is
// in the cache (same source, same runtime, same Go toolchain) are copied from
// it; the others are built together, in one module and one go build run.
func Build(ctx context.Context, progs []Program, opts Options) error {
	cache := opts.CacheDir
	if cache == "" {
		var err error
		if cache, err = DefaultCacheDir(); err != nil {
			return err
		}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	env = buildEnv(env)
	seen := map[string]bool{}
	for _, p := range progs {
		if !validName.MatchString(p.Name) {
			return fmt.Errorf("invalid program name %q", p.Name)
		}
		pkgs := map[string]bool{}
		for _, pkg := range p.Packages {
			if !validPackage.MatchString(pkg.Name) || pkgs[pkg.Name] {
				return fmt.Errorf("program %q: invalid or repeated package name %q", p.Name, pkg.Name)
			}
			pkgs[pkg.Name] = true
		}
		if seen[p.Name] {
			return fmt.Errorf("program %q given twice", p.Name)
		}
		seen[p.Name] = true
	}
	toolchain, err := goToolchain(ctx, env)
	if err != nil {
		return err
	}
	binDir := filepath.Join(cache, "bin")
	var todo []Program
	var keys []string
	for _, p := range progs {
		key := binaryKey(p, toolchain)
		cached := filepath.Join(binDir, key)
		if !opts.NoCache {
			if _, err := os.Stat(cached); err == nil {
				if err := copyFile(cached, p.Output); err != nil {
					return err
				}
				now := time.Now()
				_ = os.Chtimes(cached, now, now) // in use: keep it in the cache
				continue
			}
		}
		todo = append(todo, p)
		keys = append(keys, key)
	}
	if len(todo) == 0 {
		return nil
	}
	src, err := ExtractSource(cache)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(cache, "build-")
	if err != nil {
		return err
	}
	if err := writeModule(dir, src, todo); err != nil {
		os.RemoveAll(dir)
		return err
	}
	outDir := filepath.Join(dir, "out")
	var pkgs []string
	for _, p := range todo {
		pkgs = append(pkgs, "./"+p.Name)
	}
	if opts.Vet {
		if err := goCommand(ctx, dir, env, append([]string{"vet"}, pkgs...)); err != nil {
			return err
		}
	}
	if err := goCommand(ctx, dir, env, append([]string{"build", "-trimpath", "-o", outDir + string(filepath.Separator)}, pkgs...)); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	trimWork(cache, src)
	now := time.Now()
	_ = os.Chtimes(src, now, now) // in use: keep this version's source
	for i, p := range todo {
		built := filepath.Join(outDir, p.Name+exeSuffix(env))
		if err := copyFile(built, filepath.Join(binDir, keys[i])); err != nil {
			return err
		}
		if err := copyFile(built, p.Output); err != nil {
			return err
		}
	}
	trimCache(binDir, time.Now().Add(-CacheTTL), cacheMaxBytes(env))
	return nil
}

// goCommand runs the go command in the build directory dir. When it fails on
// the code it returns a *BuildError and keeps dir for inspection; otherwise
// it removes dir with the error.
func goCommand(ctx context.Context, dir string, env, args []string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err == nil {
		return nil
	}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		os.RemoveAll(dir)
		return ctx.Err()
	case !errors.As(err, &exitErr):
		os.RemoveAll(dir)
		return fmt.Errorf("running go %s: %v", args[0], err)
	}
	return &BuildError{Dir: dir, Output: out.String()}
}

// CacheTTL is how long a cached binary that no build used stays in the cache.
const CacheTTL = 30 * 24 * time.Hour

// DefaultCacheMaxBytes bounds the cached binaries of one cache directory:
// beyond it, the least recently used are removed. $TICKC_CACHE_MAX_MB
// overrides it.
const DefaultCacheMaxBytes = 2 << 30

// keptBuildDirs is how many directories of failed builds, kept for
// inspection, stay in the cache; older ones are removed.
const keptBuildDirs = 8

// staleSourceAge is how long the extracted source of another tickc version
// stays in the cache after its last use.
const staleSourceAge = 7 * 24 * time.Hour

// cacheMaxBytes returns the size bound of the cached binaries.
func cacheMaxBytes(env []string) int64 {
	for i := len(env) - 1; i >= 0; i-- {
		v, ok := strings.CutPrefix(env[i], "TICKC_CACHE_MAX_MB=")
		if !ok {
			continue
		}
		if mb, err := strconv.ParseInt(v, 10, 64); err == nil && mb > 0 {
			return mb << 20
		}
		break
	}
	return DefaultCacheMaxBytes
}

// cacheEntry is one file or directory of the cache, with its last use.
type cacheEntry struct {
	path string
	size int64
	used time.Time
}

// readEntries lists the entries of dir whose names start with prefix,
// oldest use first.
func readEntries(dir, prefix string) []cacheEntry {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []cacheEntry
	for _, e := range des {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, cacheEntry{path: filepath.Join(dir, e.Name()), size: info.Size(), used: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].used.Before(out[j].used) })
	return out
}

// trimCache removes the cached binaries last used before cutoff, then the
// least recently used ones until the rest take at most maxBytes.
func trimCache(binDir string, cutoff time.Time, maxBytes int64) {
	entries := readEntries(binDir, "")
	var total int64
	for _, e := range entries {
		total += e.size
	}
	for _, e := range entries {
		if !e.used.Before(cutoff) && total <= maxBytes {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
}

// trimWork removes what builds leave in the cache directory besides
// binaries: the directories of failed builds beyond the most recent
// keptBuildDirs (once half an hour old: a newer one may be a build still
// running in another process), the directories of builds that were killed
// (after six hours), and the extracted sources of other tickc versions unused for
// staleSourceAge.
func trimWork(cache, currentSrc string) {
	builds := readEntries(cache, "build-")
	settled, abandoned := time.Now().Add(-30*time.Minute), time.Now().Add(-6*time.Hour)
	for i, e := range builds {
		if (i < len(builds)-keptBuildDirs && e.used.Before(settled)) || e.used.Before(abandoned) {
			os.RemoveAll(e.path)
		}
	}
	cutoff := time.Now().Add(-staleSourceAge)
	for _, e := range readEntries(filepath.Join(cache, "src"), "") {
		if e.path != currentSrc && e.used.Before(cutoff) {
			os.RemoveAll(e.path)
		}
	}
}

// buildEnv returns env prepared for building generated modules: modules on,
// no workspace, and -mod=mod so go.sum may be completed from the module cache.
func buildEnv(env []string) []string {
	var out []string
	goflags := ""
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "GOFLAGS="):
			for _, f := range strings.Fields(strings.TrimPrefix(kv, "GOFLAGS=")) {
				if !strings.HasPrefix(f, "-mod=") {
					goflags += f + " "
				}
			}
		case strings.HasPrefix(kv, "GOWORK="), strings.HasPrefix(kv, "GO111MODULE="):
		default:
			out = append(out, kv)
		}
	}
	return append(out, "GOFLAGS="+goflags+"-mod=mod", "GOWORK=off", "GO111MODULE=on")
}

func exeSuffix(env []string) string {
	goos := ""
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOOS=") {
			goos = strings.TrimPrefix(kv, "GOOS=")
		}
	}
	if goos == "windows" || goos == "" && filepath.Separator == '\\' {
		return ".exe"
	}
	return ""
}

var (
	toolchainMu    sync.Mutex
	toolchainCache = map[string]string{}
)

// goToolchain identifies the Go toolchain and target the binaries are built
// with, for the cache key.
func goToolchain(ctx context.Context, env []string) (string, error) {
	k := strings.Join(env, "\x00")
	toolchainMu.Lock()
	defer toolchainMu.Unlock()
	if v, ok := toolchainCache[k]; ok {
		return v, nil
	}
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION", "GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS", "GOAMD64", "GOARM64")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errors.New("the go command is not installed or not in PATH; tickc build needs Go to compile the generated program")
		}
		return "", fmt.Errorf("go env: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	v := string(out)
	toolchainCache[k] = v
	return v, nil
}

// binaryKey is the cache key of the binary built from source.
func binaryKey(p Program, toolchain string) string {
	h := sha256.New()
	h.Write([]byte(tickc.SourceHash()))
	h.Write([]byte{0})
	h.Write([]byte(toolchain))
	h.Write([]byte{0})
	h.Write(p.Source)
	for _, pkg := range p.Packages {
		h.Write([]byte{0})
		h.Write([]byte(pkg.Name))
		h.Write([]byte{0})
		h.Write(pkg.Source)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ExtractSource writes the embedded runtime source into cache/src/HASH, once,
// and returns that directory.
func ExtractSource(cache string) (string, error) {
	dst := filepath.Join(cache, "src", tickc.SourceHash()[:24])
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "tmp-")
	if err != nil {
		return "", err
	}
	src := tickc.Source()
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(tmp, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("extracting the runtime source: %v", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		// Another tickc extracted the same source at the same time.
		if _, statErr := os.Stat(filepath.Join(dst, "go.mod")); statErr == nil {
			return dst, nil
		}
		return "", fmt.Errorf("extracting the runtime source: %v", err)
	}
	return dst, nil
}

// writeModule lays out the build module in dir: go.mod and go.sum derived from
// tickc's, and one package directory per program.
func writeModule(dir, src string, progs []Program) error {
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return err
	}
	gosum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return err
	}
	module := multiModule
	if len(progs) == 1 && len(progs[0].Packages) == 0 {
		module = "tickc.local/" + progs[0].Name
	}
	mod, err := ModFile(gomod, module, src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), mod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644); err != nil {
		return err
	}
	for _, p := range progs {
		pkg := filepath.Join(dir, p.Name)
		if err := os.MkdirAll(pkg, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(pkg, "main.go"), p.Source, 0o644); err != nil {
			return err
		}
		for _, sub := range p.Packages {
			subDir := filepath.Join(pkg, sub.Name)
			if err := os.MkdirAll(subDir, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(subDir, sub.Name+".go"), sub.Source, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// ModFile derives the go.mod of a generated program's module from tickc's own
// go.mod: same go version and requirements (so the versions match tickc's
// go.sum), under the module path module, with tickc itself required and
// replaced by the extracted source in srcDir.
func ModFile(tickcMod []byte, module, srcDir string) ([]byte, error) {
	lines := strings.Split(string(tickcMod), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "module ") {
			lines[i] = "module " + module
			found = true
			break
		}
	}
	if !found {
		return nil, errors.New("embedded go.mod has no module line")
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(strings.Join(lines, "\n"), "\n"))
	fmt.Fprintf(&b, "\n\nrequire github.com/tickc/tickc v0.0.0\n\nreplace github.com/tickc/tickc => %s\n", quoteModPath(srcDir))
	return []byte(b.String()), nil
}

// quoteModPath quotes a file path for go.mod when it needs it.
func quoteModPath(p string) string {
	if strings.ContainsAny(p, " \t\"'`\\") {
		return fmt.Sprintf("%q", p)
	}
	return p
}

// copyFile copies src to dst through a temporary file, so dst is never half
// written, and makes it executable.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, ".tickc-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
