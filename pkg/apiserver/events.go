package apiserver

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

var afterSequence = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sequenceID\s*(?:>|=gt=)\s*(\d+)$`) })

// defaultEventPageSize is the page of the event log when pageSize is not given.
const defaultEventPageSize = 100

// eventParams are the query parameters of the event log and of a watch
// topic's events, checked.
type eventParams struct {
	after    int64 // query=sequenceID>N
	pageSize int
	newest   bool // sort=sequenceID,DESC
}

func parseEventParams(q url.Values) (eventParams, error) {
	p := eventParams{pageSize: defaultEventPageSize}
	if v := q.Get("query"); v != "" {
		m := afterSequence().FindStringSubmatch(strings.TrimSpace(v))
		if m == nil {
			return p, invalid("", "The event log takes query=sequenceID>N (N a sequence id); got %q.", v)
		}
		p.after, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, invalid("", "pageSize must be a whole number from 1 to %d; got %q.", MaxPageSize, v)
		}
		p.pageSize = n
	}
	switch q.Get("sort") {
	case "", "sequenceID,ASC", "sequenceID":
	case "sequenceID,DESC":
		p.newest = true
	default:
		return p, invalid("", "The event log sorts by sequenceID,ASC or sequenceID,DESC; got %q.", q.Get("sort"))
	}
	return p, nil
}

// handleEvents serves the event log: GET /events?query=sequenceID>N returns
// the events after N in order, so a consumer catches up without webhooks.
// sort=sequenceID,DESC returns the newest first (pageSize=1 finds the head).
// It reads no page parameter: a consumer pages with sequenceID>N.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) (any, error) {
	p, err := parseEventParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	f := store.EventFilter{Org: s.Org, AfterSequence: p.after, Limit: p.pageSize, Newest: p.newest}
	var evs []*api.Event
	err = s.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		evs, err = tx.EventList(r.Context(), f)
		return err
	})
	if evs == nil {
		evs = []*api.Event{}
	}
	return evs, err
}
