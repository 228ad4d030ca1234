package discovery

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// cacheTTL bounds how long a cache is trusted even when no group's
// resourceVersion changed, as the Amplify CLI does, in case a server changes
// definitions without bumping the version.
const cacheTTL = 12 * time.Hour

// cacheFormat changes whenever cacheEntry or Definition change shape, so an
// older CLI's cache is refetched rather than misread.
const cacheFormat = 1

// cacheEntry is the content of one server's cache file.
type cacheEntry struct {
	Format    int       `json:"format"`
	BaseURL   string    `json:"baseURL"`
	FetchedAt time.Time `json:"fetchedAt"`
	// Groups maps each group to its metadata.resourceVersion at FetchedAt.
	Groups map[string]string `json:"groups"`
	Set    *Set              `json:"set"`
}

var unsafeChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9.-]+`) })

// cachePath names the cache file of the server at baseURL, so switching
// between servers does not throw away each one's cache. Distinct URLs may
// sanitise alike; the BaseURL inside tells them apart. "" disables caching.
func cachePath(dir, baseURL string) string {
	if dir == "" {
		return ""
	}
	name := unsafeChars().ReplaceAllString(baseURL, "_")
	if len(name) > 200 {
		name = name[:200]
	}
	return filepath.Join(dir, "definitions-"+name+".json")
}

// readCache returns the cached Set when the file holds one for baseURL,
// fetched less than cacheTTL before now, with the same resourceVersion for
// exactly the same groups. A missing, unreadable or corrupt file is a miss,
// never an error: refetching repairs it.
func readCache(path, baseURL string, groups map[string]string, now time.Time) (*Set, bool) {
	if path == "" {
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Format != cacheFormat || e.Set == nil || e.BaseURL != baseURL {
		return nil, false
	}
	if age := now.Sub(e.FetchedAt); age < 0 || age >= cacheTTL {
		return nil, false
	}
	if !maps.Equal(e.Groups, groups) {
		return nil, false
	}
	return e.Set, true
}

// writeCache stores e, replacing the file atomically so a concurrent CLI
// never reads half of it. Failures are ignored: the cache only saves time.
func writeCache(path string, e cacheEntry) {
	if path == "" {
		return
	}
	e.Format = cacheFormat
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	dir := filepath.Dir(path)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".definitions-*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}
