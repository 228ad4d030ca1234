package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

var listPath = Path{Group: "management", Version: "v1alpha1", Plural: "environments"}

// items returns n resources named env-000, env-001, ...
func items(n int) []*api.ResourceInstance {
	out := make([]*api.ResourceInstance, n)
	for i := range out {
		out[i] = &api.ResourceInstance{Kind: "Environment", Name: fmt.Sprintf("env-%03d", i)}
	}
	return out
}

// pageOf serves page of all as the server does; maxSize caps the page size
// like a server with a limit of its own (0: no cap).
func pageOf(r *http.Request, all []*api.ResourceInstance, maxSize int) []*api.ResourceInstance {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
	if page < 1 {
		page = 1
	}
	if maxSize > 0 && size > maxSize {
		size = maxSize
	}
	from := min((page-1)*size, len(all))
	return all[from:min(from+size, len(all))]
}

func checkNames(t *testing.T, got []*api.ResourceInstance, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d resources, want %d", len(got), n)
	}
	for i, r := range got {
		if want := fmt.Sprintf("env-%03d", i); r.Name != want {
			t.Fatalf("resource %d = %s, want %s (pages out of order?)", i, r.Name, want)
		}
	}
}

func TestListByTotalCount(t *testing.T) {
	all := items(120)
	var mu sync.Mutex
	var queries []string
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(all)))
		writeJSON(w, http.StatusOK, pageOf(r, all, 0))
	}, Options{})
	got, err := c.List(context.Background(), listPath, ListOptions{
		Query: `name=="env*"`, Sort: "name,ASC", Fields: []string{"name", "metadata"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, got, 120)
	if len(queries) != 3 {
		t.Fatalf("%d requests, want 3 pages of 50: %v", len(queries), queries)
	}
	want := "fields=name%2Cmetadata&page=1&pageSize=50&query=name%3D%3D%22env%2A%22&sort=name%2CASC"
	if queries[0] != want {
		t.Errorf("first query = %s\nwant          %s", queries[0], want)
	}
}

func TestListAdaptsToServerPageCap(t *testing.T) {
	all := items(45)
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(all)))
		writeJSON(w, http.StatusOK, pageOf(r, all, 20))
	}, Options{})
	got, err := c.List(context.Background(), listPath, ListOptions{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, got, 45)
}

func TestListFollowsLinkWithoutTotal(t *testing.T) {
	all := items(7)
	var requests atomic.Int32
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page*3 < len(all) {
			// Commas inside the URL must not split the link.
			next := fmt.Sprintf("</apis/management/v1alpha1/environments?pageSize=3&sort=name,ASC&page=%d>", page+1)
			w.Header().Set("Link", next+`; rel="next", </apis/management/v1alpha1/environments?page=1>; rel="first"`)
		}
		writeJSON(w, http.StatusOK, pageOf(r, all, 0))
	}, Options{})
	got, err := c.List(context.Background(), listPath, ListOptions{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, got, 7)
	if n := requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestListStopsOnCircularLink(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `</apis/management/v1alpha1/environments?page=2>; rel="next"`)
		writeJSON(w, http.StatusOK, items(1))
	}, Options{})
	got, err := c.List(context.Background(), listPath, ListOptions{})
	if err != nil || len(got) != 2 {
		t.Fatalf("got %d, %v; want page 1 and page 2 once", len(got), err)
	}
}

func TestListConcurrencyIsCapped(t *testing.T) {
	all := items(200) // 20 pages of 10: page 1, then 19 in parallel
	var inFlight, peak atomic.Int32
	release, over := make(chan struct{}), make(chan struct{})
	var releaseOnce, overOnce sync.Once
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(all)))
		if r.URL.Query().Get("page") != "1" {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			switch {
			case n > maxConcurrentPages:
				overOnce.Do(func() { close(over) })
			case n == maxConcurrentPages:
				// Hold the first pages until the cap is reached, then give a
				// client without a cap a moment to send one more; proving
				// that nothing more comes needs a time window.
				releaseOnce.Do(func() {
					go func() {
						select {
						case <-over:
						case <-time.After(100 * time.Millisecond):
						}
						close(release)
					}()
				})
			}
			select {
			case <-release:
			case <-time.After(5 * time.Second): // a client that never reaches the cap
			}
		}
		writeJSON(w, http.StatusOK, pageOf(r, all, 0))
	}, Options{})
	got, err := c.List(context.Background(), listPath, ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, got, 200)
	if p := peak.Load(); p != maxConcurrentPages {
		t.Errorf("peak concurrency = %d, want %d", p, maxConcurrentPages)
	}
}

func TestListPageFailure(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Axway-Total-Count", "30")
		if r.URL.Query().Get("page") == "2" {
			writeJSON(w, http.StatusInternalServerError, api.ErrorResponse{Errors: []api.Error{{Status: 500, Title: api.TitleInternal}}})
			return
		}
		writeJSON(w, http.StatusOK, items(10))
	}, Options{})
	_, err := c.List(context.Background(), listPath, ListOptions{PageSize: 10})
	if !HasStatus(err, http.StatusInternalServerError) {
		t.Fatalf("err = %v, want the 500 of page 2", err)
	}
}

func TestCount(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead || r.URL.Query().Get("query") != "tags==a" {
			t.Errorf("request = %s %s", r.Method, r.URL)
		}
		w.Header().Set("X-Axway-Total-Count", "42")
	}, Options{})
	n, err := c.Count(context.Background(), listPath, "tags==a")
	if err != nil || n != 42 {
		t.Fatalf("Count = %d, %v; want 42", n, err)
	}
}

func TestNextLink(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `</a?page=1>; rel="self", </a?sort=name,ASC&page=2>; rel="prev next"`)
	if got := nextLink(h); got != "/a?sort=name,ASC&page=2" {
		t.Errorf("nextLink = %q", got)
	}
	h = http.Header{"Link": {`</a?page=1>; rel=last`}}
	if got := nextLink(h); got != "" {
		t.Errorf("nextLink = %q, want none", got)
	}
}
