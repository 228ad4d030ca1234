package main

import (
	"os"
	"strings"
)

// fixedEnv is the environment the tree is built in. Some flag defaults are
// computed when the tree is built (serve's --data-dir from XDG_DATA_HOME or
// the home directory, its other flags from CENTRAL_*), so without this the
// pages would differ from machine to machine.
var fixedEnv = map[string]string{
	"HOME":            "/home/user",
	"USERPROFILE":     "/home/user", // os.UserHomeDir on Windows
	"XDG_DATA_HOME":   "/home/user/.local/share",
	"XDG_CONFIG_HOME": "/home/user/.config",
	"XDG_CACHE_HOME":  "/home/user/.cache",
}

// envPrefix marks the variables central reads; all of them are unset while
// the tree is built.
const envPrefix = "CENTRAL_"

// pinEnvironment sets fixedEnv, unsets every CENTRAL_* variable and returns
// a func that puts the previous environment back. It changes the process
// environment, so callers must not run in parallel with anything reading it.
func pinEnvironment() (restore func()) {
	type saved struct {
		value string
		set   bool
	}
	prev := map[string]saved{}
	remember := func(key string) {
		v, ok := os.LookupEnv(key)
		prev[key] = saved{v, ok}
	}
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(key, envPrefix) {
			remember(key)
			os.Unsetenv(key)
		}
	}
	for key, v := range fixedEnv {
		remember(key)
		os.Setenv(key, v)
	}
	return func() {
		for key, s := range prev {
			if s.set {
				os.Setenv(key, s.value)
			} else {
				os.Unsetenv(key)
			}
		}
	}
}
