package server

import (
	"strings"
	"testing"
)

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

func TestRefusedStoreHidesThePassword(t *testing.T) {
	_, err := openStore(t.Context(), Config{Store: "host=db user=central password='hun ter2' dbname=c", DataDir: t.TempDir()})
	if err == nil || strings.Contains(err.Error(), "hun") || !strings.Contains(err.Error(), "password=xxxxx") {
		t.Fatalf("err = %v, want the DSN refused without its password", err)
	}
}
