// Package config reads and writes the CLI's settings. Each is resolved as
// flag > environment (CENTRAL_*, then the Amplify CLI's variable where it has
// one) > config file > default; the file lives in the user's config dir, or
// at $CENTRAL_CONFIG.
//
// It is a few dozen lines of its own rather than viper, whose dependencies
// (TOML, dotenv, x/text encodings, afero, fsnotify) cost every run of the
// CLI a millisecond of package initialisation for four string settings.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Keys are the settings the config file holds, with what each means.
var Keys = map[string]string{
	"base-url": "the server's URL (default http://127.0.0.1:8080)",
	"token":    "the API token (a local server's token is found by itself)",
	"org":      "the organization id sent as X-Axway-Tenant-Id",
	"output":   "the default output format: table, yaml or json",
	"timeout":  "how long a request waits for the server's answer, as 30s or 2m (default 30s)",
}

// DefaultBaseURL is where `central serve` listens by default.
const DefaultBaseURL = "http://127.0.0.1:8080"

// defaults are the values a key has when nothing sets it.
var defaults = map[string]string{"base-url": DefaultBaseURL}

// keyAliases are the Amplify CLI's spellings of keys ("axway central config
// set baseUrl"), accepted on the command line and stored under ours.
var keyAliases = map[string]string{"baseUrl": "base-url"}

// CanonicalKey returns the key an alias stands for, and any other key as is.
func CanonicalKey(key string) string {
	if k, ok := keyAliases[key]; ok {
		return k
	}
	return key
}

// KeyNames returns the keys, sorted.
func KeyNames() []string {
	out := make([]string, 0, len(Keys))
	for k := range Keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CheckKey returns the Amplify CLI's message for an unknown key.
func CheckKey(key string) error {
	if _, ok := Keys[key]; !ok {
		names := KeyNames()
		for i, k := range names {
			for alias, to := range keyAliases {
				if to == k {
					names[i] += " (or " + alias + ")"
				}
			}
		}
		return fmt.Errorf("central configuration doesn't support the %q key.\nSupported keys: %s", key, strings.Join(names, ", "))
	}
	return nil
}

// Path returns the config file's path.
func Path() string {
	if p := os.Getenv("CENTRAL_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "central", "config.yaml")
}

// EnvName is the environment variable that sets key: CENTRAL_BASE_URL for
// base-url.
func EnvName(key string) string {
	return "CENTRAL_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// envAliases are the Amplify CLI's variables, read after ours.
var envAliases = map[string][]string{"base-url": {"AXWAY_CENTRAL_BASE_URL"}}

// EnvNames returns the environment variables that set key, the first set
// one winning: CENTRAL_BASE_URL, then AXWAY_CENTRAL_BASE_URL for base-url.
func EnvNames(key string) []string {
	key = strings.ToLower(key)
	return append([]string{EnvName(key)}, envAliases[key]...)
}

// Config is the resolved settings.
type Config struct {
	path      string
	file      map[string]string
	overrides map[string]string
}

// Load reads the config file (a missing file is an empty one). The
// environment is read by Get; flags are applied by the caller with Override.
func Load() (*Config, error) {
	path := Path()
	file, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the config file %s: %w", path, err)
	}
	return &Config{path: path, file: file, overrides: map[string]string{}}, nil
}

// Get returns a setting's resolved value. Keys are case-insensitive; an
// environment variable set to "" counts as unset.
func (c *Config) Get(key string) string {
	v, _ := c.lookup(key)
	return v
}

// Source names where Get(key) finds its value, for messages: "--token" for
// a flag, "CENTRAL_TOKEN" for a variable, `the config file PATH ("central
// config set token")` for the file, and "" for a default or nothing.
func (c *Config) Source(key string) string {
	_, from := c.lookup(key)
	return from
}

// lookup finds key's value in order: a flag, the environment, the file, the
// default; and names where it came from (see Source).
func (c *Config) lookup(key string) (value, from string) {
	key = strings.ToLower(key)
	if v, ok := c.overrides[key]; ok {
		return v, "--" + key
	}
	for _, name := range EnvNames(key) {
		if v := os.Getenv(name); v != "" {
			return v, name
		}
	}
	if v, ok := c.file[key]; ok {
		return v, fmt.Sprintf("the config file %s (%q)", c.path, "central config set "+key)
	}
	return defaults[key], ""
}

// Override sets a value that wins over everything (a flag the user gave).
func (c *Config) Override(key, value string) { c.overrides[strings.ToLower(key)] = value }

// FileValues returns what the config file itself holds now.
func (c *Config) FileValues() (map[string]string, error) {
	return readFile(c.path)
}

// Write stores the file's values (set and unset edit a copy of FileValues).
func (c *Config) Write(values map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	b, err := encodeFile(values)
	if err != nil {
		return err
	}
	// 0600 from the start and again for a file that existed: it may hold a
	// token.
	if err := os.WriteFile(c.path, b, 0o600); err != nil {
		return err
	}
	return os.Chmod(c.path, 0o600)
}

// FilePath is where the config file is.
func (c *Config) FilePath() string { return c.path }

// ParseTimeout reads a timeout setting: a positive duration such as 30s or 2m.
func ParseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q is not a positive duration such as 30s or 2m", v)
	}
	return d, nil
}

// Timeout is the timeout setting, zero when nothing sets it; an error
// names where a value it cannot read came from.
func (c *Config) Timeout() (time.Duration, error) {
	v, from := c.lookup("timeout")
	if v == "" {
		return 0, nil
	}
	d, err := ParseTimeout(v)
	if err != nil {
		return 0, fmt.Errorf("%w (from %s)", err, from)
	}
	return d, nil
}
