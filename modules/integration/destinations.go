package integration

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// A school's admin chooses where deliveries go and reads in the delivery
// log what each attempt got back. Without limits that turns the server
// into a probe of the network it runs in: its own loopback services, the
// private network behind it, the cloud's metadata service. Deliveries
// therefore reach public addresses only, plus the ranges the operator
// opens for an on-premises LMS (AllowWebhookRanges).

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// refusedDestination is an address deliveries may not reach, with the
// kind of range it lies in. Its text is all the delivery log shows of it.
type refusedDestination struct{ reason string }

func (e *refusedDestination) Error() string { return "destination address is not allowed: " + e.reason }

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// Reasons a destination is refused.
const (
	reasonMetadata    = "cloud metadata service"
	reasonLoopback    = "loopback"
	reasonPrivate     = "private range"
	reasonLinkLocal   = "link-local"
	reasonMulticast   = "multicast"
	reasonUnspecified = "unspecified address"
	reasonShared      = "shared address space (carrier-grade NAT)"
	reasonReserved    = "reserved range"
)

// cloudMetadata are the metadata services of AWS, GCP, Azure and others
// (IPv4 and AWS's IPv6). They hand out the machine's credentials, so no
// operator setting opens them.
var cloudMetadata = []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254")}

var blockedRanges = []blockedRange{
	{netip.MustParsePrefix("0.0.0.0/8"), reasonUnspecified}, // 0.0.0.0 reaches this host
	{netip.MustParsePrefix("::/128"), reasonUnspecified},
	{netip.MustParsePrefix("127.0.0.0/8"), reasonLoopback},
	{netip.MustParsePrefix("::1/128"), reasonLoopback},
	{netip.MustParsePrefix("10.0.0.0/8"), reasonPrivate},
	{netip.MustParsePrefix("172.16.0.0/12"), reasonPrivate},
	{netip.MustParsePrefix("192.168.0.0/16"), reasonPrivate},
	{netip.MustParsePrefix("fc00::/7"), reasonPrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), reasonShared},
	{netip.MustParsePrefix("169.254.0.0/16"), reasonLinkLocal},
	{netip.MustParsePrefix("fe80::/10"), reasonLinkLocal},
	{netip.MustParsePrefix("224.0.0.0/4"), reasonMulticast},
	{netip.MustParsePrefix("ff00::/8"), reasonMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), reasonReserved}, // and the broadcast address
}

// nat64 is the well-known NAT64 prefix: its addresses reach the IPv4
// address in their last four bytes, which is checked instead.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// destinationRefusal says why deliveries may not connect to ip, or nil
// when they may. allowed are the ranges the operator opened.
func destinationRefusal(ip netip.Addr, allowed []netip.Prefix) error {
	ip = ip.WithZone("").Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, m := range cloudMetadata {
		if ip == m {
			return &refusedDestination{reasonMetadata}
		}
	}
	for _, p := range allowed {
		if p.Contains(ip) {
			return nil
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(ip) {
			return &refusedDestination{r.reason}
		}
	}
	return nil
}

// localNames always mean this machine or the cloud's metadata service,
// whatever a resolver answers; each stands for the address given.
var localNames = map[string]netip.Addr{
	"localhost":                netip.MustParseAddr("127.0.0.1"),
	"metadata.google.internal": netip.MustParseAddr("169.254.169.254"),
	"metadata.goog":            netip.MustParseAddr("169.254.169.254"),
}

// fixedAddress returns the address a URL's host stands for without a DNS
// lookup: an IP literal, or a name that always means this machine
// (localhost and its subdomains, RFC 6761) or the metadata service.
func fixedAddress(host string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, true
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, ok := localNames[name]; ok {
		return ip, true
	}
	if strings.HasSuffix(name, ".localhost") {
		return localNames["localhost"], true
	}
	return netip.Addr{}, false
}

// numericHost reports a host that is neither a DNS name nor a standard IP
// address, such as 2130706433, 0x7f.1 or 127.1: some resolvers read these
// as IPv4 addresses. No top-level domain is numeric.
func numericHost(host string) bool {
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(host), "."), ".")
	last := labels[len(labels)-1]
	if strings.HasPrefix(last, "0x") {
		return true
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// checkDestinationHost refuses, when a webhook is saved, the hosts that
// plainly lead where deliveries may not go. Any other name is checked at
// every delivery, on the address it resolves to then.
func (s *Service) checkDestinationHost(host string) error {
	ip, fixed := fixedAddress(host)
	if !fixed {
		if numericHost(host) {
			return errs.Invalid("body.url", "must name its host by a DNS name or a standard IP address")
		}
		return nil
	}
	if err := destinationRefusal(ip, s.allowedRanges()); err != nil {
		return errs.Invalid("body.url", err.Error())
	}
	return nil
}

// AllowWebhookRanges opens address ranges to deliveries, for an LMS on the
// operator's own network (the --webhook-allow-cidrs setting). The cloud
// metadata service stays closed. It may be called while deliveries run.
func (s *Service) AllowWebhookRanges(prefixes []netip.Prefix) {
	ranges := make([]netip.Prefix, len(prefixes))
	for i, p := range prefixes {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		ranges[i] = p.Masked()
	}
	s.allowed.Store(&ranges)
}

func (s *Service) allowedRanges() []netip.Prefix {
	if p := s.allowed.Load(); p != nil {
		return *p
	}
	return nil
}

// UseResolver sets the DNS resolver deliveries look host names up with;
// nil restores the system's.
func (s *Service) UseResolver(r Resolver) {
	if r == nil {
		r = net.DefaultResolver
	}
	s.resolver.Store(&r)
}

func (s *Service) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	return (*s.resolver.Load()).LookupNetIP(ctx, "ip", host)
}

// newDeliveryClient is the HTTP client of deliveries. Its dialer checks
// each address right before connecting to it (Control runs on the socket
// about to connect), so the address checked is the address reached: a
// DNS answer cannot change between the check and the connection.
func (s *Service) newDeliveryClient() *http.Client {
	dialer := &net.Dialer{
		Timeout:   sendTimeout,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &refusedDestination{reasonReserved}
			}
			return destinationRefusal(ap.Addr(), s.allowedRanges())
		},
	}
	transport := &http.Transport{
		// No proxy: through one, the address reached could not be checked.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return s.dialResolved(ctx, dialer, network, addr)
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   sendTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:   sendTimeout,
		Transport: transport,
		// A redirect is the receiver's answer, not a delivery: following it
		// would send the signed body somewhere the school did not register,
		// past the destination checks.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// dialResolved looks the host up with the service's resolver and connects
// to its addresses in turn. A refused address is reported before any
// other failure, so the log says why a delivery cannot go.
func (s *Service) dialResolved(ctx context.Context, dialer *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := s.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var refused, failed error
	for _, ip := range ips {
		conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		var r *refusedDestination
		switch {
		case errors.As(err, &r) && refused == nil:
			refused = r
		case failed == nil:
			failed = err
		}
	}
	if refused != nil {
		return nil, refused
	}
	if failed == nil {
		failed = errors.New("the host has no address")
	}
	return nil, failed
}
