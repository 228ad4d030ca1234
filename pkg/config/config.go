// Package config reads and writes the CLI's settings. Each is resolved as
// flag > environment (CENTRAL_*) > config file > default; the file lives in
// the user's config dir, or at $CENTRAL_CONFIG.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/viper"
)

// Keys are the settings the config file holds, with what each means.
var Keys = map[string]string{
	"base-url": "the server's URL (default http://127.0.0.1:8080)",
	"token":    "the API token (a local server's token is found by itself)",
	"org":      "the organization id sent as X-Axway-Tenant-Id",
	"output":   "the default output format: yaml or json",
}

// DefaultBaseURL is where `central serve` listens by default.
const DefaultBaseURL = "http://127.0.0.1:8080"

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
		return fmt.Errorf("central configuration doesn't support the %q key. Supported keys: %s", key, strings.Join(KeyNames(), ", "))
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

// Config is the resolved settings.
type Config struct {
	v    *viper.Viper
	path string
}

// Load reads the config file (a missing file is an empty one) and binds the
// environment. Flags are bound by the caller with BindFlag.
func Load() (*Config, error) {
	v := viper.New()
	path := Path()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	v.SetEnvPrefix("CENTRAL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	v.SetDefault("base-url", DefaultBaseURL)
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, fmt.Errorf("read the config file %s: %w", path, err)
		}
	}
	return &Config{v: v, path: path}, nil
}

// Get returns a setting's resolved value.
func (c *Config) Get(key string) string { return c.v.GetString(key) }

// Override sets a value that wins over everything (a flag the user gave).
func (c *Config) Override(key, value string) { c.v.Set(key, value) }

// FileValues returns what the config file itself holds.
func (c *Config) FileValues() (map[string]string, error) {
	v := viper.New()
	v.SetConfigFile(c.path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, err
		}
	}
	out := map[string]string{}
	for _, k := range v.AllKeys() {
		out[k] = v.GetString(k)
	}
	return out, nil
}

// Write stores the file's values (set and unset edit a copy of FileValues).
func (c *Config) Write(values map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	v := viper.New()
	for k, val := range values {
		v.Set(k, val)
	}
	v.SetConfigType("yaml")
	if err := v.WriteConfigAs(c.path); err != nil {
		return err
	}
	return os.Chmod(c.path, 0o600) // it may hold a token
}

// FilePath is where the config file is.
func (c *Config) FilePath() string { return c.path }
