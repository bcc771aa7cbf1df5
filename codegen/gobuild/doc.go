// Package gobuild compiles generated programs with the go command.
//
// A generated program is a main package that imports tickc's runtime and
// stdlib. tickc embeds their source (package github.com/tickc/tickc);
// gobuild extracts it once into a cache directory keyed by its content hash,
// writes a module that requires github.com/tickc/tickc and replaces it with the
// extracted copy (dependency versions and checksums come from tickc's own
// go.mod and go.sum), and runs go build. Built binaries are cached by a hash of
// the generated source, the runtime source and the Go toolchain, so building
// an unchanged script again is a file copy.
//
// The cache stays bounded: binaries unused for CacheTTL go, and beyond
// DefaultCacheMaxBytes ($TICKC_CACHE_MAX_MB) the least recently used go
// first; failed build directories kept for inspection are limited to the
// last few, and the extracted source of an older tickc is removed a week
// after its last use. $TICKC_CACHE moves the cache.
package gobuild
