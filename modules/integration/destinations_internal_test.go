package integration

import (
	"net/netip"
	"testing"
)

func TestDestinationRefusal(t *testing.T) {
	lan := []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16"), netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fc00::/7")}
	cases := []struct {
		addr    string
		allowed []netip.Prefix
		want    string // "" when allowed
	}{
		{"93.184.216.34", nil, ""},
		{"2001:4860:4860::8888", nil, ""},
		{"127.0.0.1", nil, reasonLoopback},
		{"127.255.0.9", nil, reasonLoopback},
		{"::1", nil, reasonLoopback},
		{"::ffff:127.0.0.1", nil, reasonLoopback},
		{"64:ff9b::a00:5", nil, reasonPrivate}, // NAT64 of 10.0.0.5
		{"10.0.0.5", nil, reasonPrivate},
		{"172.31.255.255", nil, reasonPrivate},
		{"172.32.0.1", nil, ""},
		{"192.168.0.1", nil, reasonPrivate},
		{"fd12:3456::1", nil, reasonPrivate},
		{"100.64.0.1", nil, reasonShared},
		{"100.128.0.1", nil, ""},
		{"169.254.1.1", nil, reasonLinkLocal},
		{"fe80::1%eth0", nil, reasonLinkLocal},
		{"224.0.0.251", nil, reasonMulticast},
		{"ff02::1", nil, reasonMulticast},
		{"0.0.0.0", nil, reasonUnspecified},
		{"::", nil, reasonUnspecified},
		{"255.255.255.255", nil, reasonReserved},
		{"169.254.169.254", nil, reasonMetadata},
		{"fd00:ec2::254", nil, reasonMetadata},
		// The operator's ranges open what they cover, never the metadata service.
		{"10.20.3.4", lan, ""},
		{"10.21.0.1", lan, reasonPrivate},
		{"169.254.1.1", lan, ""},
		{"169.254.169.254", lan, reasonMetadata},
		{"fd00:ec2::254", lan, reasonMetadata},
		{"::ffff:10.20.0.1", lan, ""},
	}
	for _, c := range cases {
		err := destinationRefusal(netip.MustParseAddr(c.addr), c.allowed)
		got := ""
		if err != nil {
			got = err.(*refusedDestination).reason
		}
		if got != c.want {
			t.Errorf("%s (allowed %v): refused for %q, want %q", c.addr, c.allowed, got, c.want)
		}
	}
}

func TestFixedAndNumericHosts(t *testing.T) {
	for host, want := range map[string]string{
		"127.0.0.1": "127.0.0.1", "LocalHost": "127.0.0.1", "a.b.localhost.": "127.0.0.1", "::1": "::1",
		"metadata.google.internal": "169.254.169.254", "lms.example.com": "", "localhost.example.com": "",
	} {
		ip, ok := fixedAddress(host)
		if (want == "") == ok || (ok && ip.String() != want) {
			t.Errorf("fixedAddress(%q) = %v, %v; want %q", host, ip, ok, want)
		}
	}
	for host, want := range map[string]bool{
		"2130706433": true, "0x7f000001": true, "127.1": true, "10.0.0.5.": true, "0x7f.1": true, "lms.example.com": false, "lms.example.0x": true,
		"lms-1.example": false, "example.co1": false,
	} {
		if numericHost(host) != want {
			t.Errorf("numericHost(%q) = %v", host, !want)
		}
	}
}
