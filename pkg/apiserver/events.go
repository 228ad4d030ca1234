package apiserver

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

var afterSequence = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sequenceID\s*(?:>|=gt=)\s*(\d+)$`) })

// handleEvents serves the event log: GET /events?query=sequenceID>N returns
// the events after N in order, so a consumer catches up without webhooks.
// sort=sequenceID,DESC returns the newest first (pageSize=1 finds the head).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := store.EventFilter{Org: s.Org, Limit: 100}
	if v := q.Get("query"); v != "" {
		m := afterSequence().FindStringSubmatch(strings.TrimSpace(v))
		if m == nil {
			return nil, invalid("", "The event log takes query=sequenceID>N (N a sequence id); got %q.", v)
		}
		f.AfterSequence, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return nil, invalid("", "pageSize must be a whole number from 1 to %d; got %q.", MaxPageSize, v)
		}
		f.Limit = n
	}
	switch q.Get("sort") {
	case "", "sequenceID,ASC", "sequenceID":
	case "sequenceID,DESC":
		f.Newest = true
	default:
		return nil, invalid("", "The event log sorts by sequenceID,ASC or sequenceID,DESC; got %q.", q.Get("sort"))
	}
	var evs []*api.Event
	err := s.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		evs, err = tx.EventList(r.Context(), f)
		return err
	})
	if evs == nil {
		evs = []*api.Event{}
	}
	return evs, err
}
