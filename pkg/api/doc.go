// Package api holds the wire types of the central API: resources, events,
// errors, resource definitions and deliveries. It is a leaf: it imports
// nothing of ours, so the client, the server and receivers written in Go can
// all share it.
package api
