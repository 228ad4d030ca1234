// Package netguard decides which addresses central may send webhooks to.
//
// A webhook URL is chosen by a user, but the request is made by the server,
// from inside its network. Without a guard, a URL such as
// http://169.254.169.254/ or http://10.0.0.5:6379/ turns the dispatcher into
// a proxy into that network (server-side request forgery): cloud
// credentials, internal admin pages, databases.
//
// The guard runs at dial time, on the IP address the connection is about to
// use, through net.Dialer's control hook. Checking the URL's host name when a
// webhook is saved is not enough: DNS can answer differently at delivery
// time (DNS rebinding), and one name can resolve to many addresses. The
// control hook runs after the socket is created and before connect(2), so a
// refused destination never receives a packet.
//
// Two leaks remain outside this package: an HTTP client that follows
// redirects re-dials through the same guard (safe) but the Standard Webhooks
// spec says not to follow them at all; and a transport configured with a
// proxy dials the proxy, so the guard then checks the proxy's address, not
// the destination's. The dispatcher's transport must use neither.
package netguard
