package server

import "testing"

func TestStoreNameHidesThePassword(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://central:hunter2@db:5432/central?sslmode=disable": "postgres://central:xxxxx@db:5432/central?sslmode=disable",
		"postgres://db/central?password=hunter2&search_path=a":       "postgres://db/central?password=xxxxx&search_path=a",
		"sqlite:///var/lib/central/c.db":                             "sqlite:///var/lib/central/c.db",
	} {
		if got := storeName(Config{Store: dsn}); got != want {
			t.Errorf("storeName(%s) = %s, want %s", dsn, got, want)
		}
	}
}
