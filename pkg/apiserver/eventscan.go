package apiserver

import (
	"context"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// DefaultMaxEventScan is how many events of the log one request for a
// WatchTopic's events reads at most (Server.MaxEventScan overrides it). A
// topic that matches little would otherwise make one request read the whole
// log; past the cap the request answers with what it found, and
// ScannedSequenceHeader tells the client where to go on from.
const DefaultMaxEventScan = 10000

// emptyScanFactor stretches the cap while a request has found nothing: the
// agent SDK's harvester does not read ScannedSequenceHeader, takes an empty
// answer for the end of the log, and would ask from the same place forever
// behind more non-matching events than the cap. Up to this many times the
// cap, a request reads on until it finds one.
const emptyScanFactor = 100

// ScannedSequenceHeader names the sequence id of the last event a request
// for a WatchTopic's events examined, in the order it read them (the highest
// for sequenceID,ASC, the lowest for DESC), or the query's N when it
// examined none. Reading ASC, every matching event up to it was answered, in
// this page or an earlier one; so a client that got fewer events than it
// asked for goes on with query=sequenceID>{this} until the value stops
// moving, rather than taking a short page for the end of the log.
const ScannedSequenceHeader = "X-Axway-Scanned-Sequence-Id"

// eventScanBatch is how many events scanEvents reads from the store at once.
const eventScanBatch = 500

// scanEvents hands the events after p.after to visit in the order p asks,
// reading the log in batches, until visit returns true, the log ends or
// limit() events were read (limit is asked again after every batch). It returns the sequence id of the last event
// handed to visit, or p.after when none was.
func (s *Server) scanEvents(ctx context.Context, tx store.Tx, p eventParams, limit func() int, visit func(*api.Event) bool) (int64, error) {
	if p.newest {
		return s.scanEventsNewest(ctx, tx, p, limit, visit)
	}
	last := p.after
	for read := 0; read < limit(); {
		n := min(eventScanBatch, limit()-read)
		evs, err := tx.EventList(ctx, store.EventFilter{Org: s.Org, AfterSequence: last, Limit: n})
		if err != nil {
			return last, err
		}
		for _, ev := range evs {
			if read >= limit() { // it shrank: something was found
				return last, nil
			}
			read++
			last = sequenceOf(ev)
			if visit(ev) {
				return last, nil
			}
		}
		if len(evs) < n {
			break
		}
	}
	return last, nil
}

// scanEventsNewest is scanEvents newest first. The store lists the newest
// events after a sequence id, but none before one, so the scan finds the
// head and then reads windows of sequence ids downwards, each in ascending
// order from its bottom: a window (lo, hi] holds at most hi-lo events, as
// each has its own id, and so is read whole by listing hi-lo events after lo.
// A listing that reaches past hi (ids with no event) is cut at hi.
func (s *Server) scanEventsNewest(ctx context.Context, tx store.Tx, p eventParams, limit func() int, visit func(*api.Event) bool) (int64, error) {
	last := p.after
	head, err := tx.EventList(ctx, store.EventFilter{Org: s.Org, AfterSequence: p.after, Limit: 1, Newest: true})
	if err != nil || len(head) == 0 {
		return last, err
	}
	hi := sequenceOf(head[0])
	for read := 0; read < limit() && hi > p.after; {
		lo := max(p.after, hi-int64(min(eventScanBatch, limit()-read)))
		evs, err := tx.EventList(ctx, store.EventFilter{Org: s.Org, AfterSequence: lo, Limit: int(hi - lo)})
		if err != nil {
			return last, err
		}
		for i := len(evs) - 1; i >= 0; i-- {
			seq := sequenceOf(evs[i])
			if seq > hi {
				continue
			}
			if read >= limit() {
				return last, nil
			}
			read++
			last = seq
			if visit(evs[i]) {
				return last, nil
			}
		}
		hi = lo
	}
	return last, nil
}

func sequenceOf(ev *api.Event) int64 {
	if ev.Metadata == nil {
		return 0
	}
	return ev.Metadata.SequenceID
}
