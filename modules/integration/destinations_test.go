package integration_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// allowLoopback opens loopback to s's deliveries, as the operator setting
// --webhook-allow-cidrs=127.0.0.0/8,::1/128 does: receivers under test
// listen on this machine.
func allowLoopback(s *apptest.Server) {
	s.Services.Integration.AllowWebhookRanges([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
}

// fakeDNS answers every name in its table with the address given there.
type fakeDNS map[string]string

func (d fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := d[host]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestWebhookURLsRefuseLocalDestinations(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		refused := map[string]string{
			"http://127.0.0.1:1234/x":                             "loopback",
			"http://10.0.0.5/":                                    "private range",
			"http://[::1]/":                                       "loopback",
			"http://169.254.169.254/latest/meta-data":             "cloud metadata service",
			"http://[fd00:ec2::254]/latest/meta-data":             "cloud metadata service",
			"http://metadata.google.internal/computeMetadata/v1/": "cloud metadata service",
			"http://localhost:8080/hooks":                         "loopback",
			"http://api.LOCALHOST./hooks":                         "loopback",
			"https://172.16.3.4/":                                 "private range",
			"https://192.168.1.10:8443/":                          "private range",
			"http://[fc00::1]/":                                   "private range",
			"http://169.254.10.1/":                                "link-local",
			"http://[fe80::1%25eth0]/":                            "link-local",
			"http://224.0.0.1/":                                   "multicast",
			"http://[ff02::1]/":                                   "multicast",
			"http://0.0.0.0:8080/":                                "unspecified address",
			"http://[::]/":                                        "unspecified address",
			"http://100.64.0.1/":                                  "shared address space (carrier-grade NAT)",
			"http://[::ffff:127.0.0.1]/":                          "loopback",
			"http://2130706433/":                                  "DNS name or a standard IP address",
			"http://0x7f000001/":                                  "DNS name or a standard IP address",
			"http://127.1/":                                       "DNS name or a standard IP address",
		}
		for u, why := range refused {
			t.Run(u, func(t *testing.T) {
				r := s.WithT(t).Do(post, alpha.Path("/webhooks"), map[string]any{"url": u, "event_types": []string{"*"}}, admin.Auth())
				r.ExpectProblem(422, "body.url")
				if !strings.Contains(string(r.Body), why) {
					t.Errorf("the refusal does not say %q: %s", why, r.Body)
				}
			})
		}
		if n := s.Count("webhook_endpoints", ""); n != 0 {
			t.Fatalf("%d webhooks were saved", n)
		}

		// A change of URL is checked the same way, and changes nothing.
		w := createWebhook(t, s, alpha, "https://lms.example/hooks", "*")
		s.Do(patch, alpha.Path("/webhooks/"+w.ID), map[string]any{"url": "http://127.0.0.1:22/"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).
			ExpectProblem(422, "body.url")
		if got := s.Do(get, alpha.Path("/webhooks/"+w.ID), nil, admin.Auth()).Expect(200).Map(); got["url"] != "https://lms.example/hooks" || got["version"] != float64(1) {
			t.Fatalf("a refused change changed the webhook: %v", got)
		}

		// The operator's ranges open what they cover, and nothing else;
		// the metadata service stays closed whatever is opened.
		s.Services.Integration.AllowWebhookRanges([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
			netip.MustParsePrefix("fc00::/7")})
		createWebhook(t, s, alpha, "http://127.0.0.1:1234/x", "*")
		createWebhook(t, s, alpha, "http://localhost:1234/x", "*")
		createWebhook(t, s, alpha, "http://169.254.10.1/", "*")
		for _, u := range []string{"http://10.0.0.5/", "http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/", "http://[::1]/"} {
			s.Do(post, alpha.Path("/webhooks"), map[string]any{"url": u, "event_types": []string{"*"}}, admin.Auth()).ExpectProblem(422, "body.url")
		}
	})
}

// A name that looks public but resolves to a refused address is refused
// when the delivery connects, and the log says why and nothing else.
func TestDeliveriesCheckTheAddressTheyConnectTo(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s) // quiets the log of the refused attempts
		alpha := s.NewSchool("alpha")
		var hits atomic.Int32
		inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			hits.Add(1)
		}))
		t.Cleanup(inside.Close)
		port := strconv.Itoa(inside.Listener.Addr().(*net.TCPAddr).Port)
		s.Services.Integration.UseResolver(fakeDNS{"lms.example.com": "127.0.0.1"})
		t.Cleanup(func() { s.Services.Integration.UseResolver(nil) })

		w := createWebhook(t, s, alpha, "http://lms.example.com:"+port+"/hooks", "*")
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{"n": 1})
		if n := deliverDue(t, s); n != 1 {
			t.Fatalf("sent %d", n)
		}
		if hits.Load() != 0 {
			t.Fatal("the delivery reached a loopback address")
		}
		d := deliveries(t, s, alpha, w.ID)[0]
		if d.Status != "pending" || d.Attempts != 1 || d.ResponseCode != 0 || d.LastError != "destination address is not allowed: loopback" {
			t.Fatalf("refused delivery %+v", d)
		}

		// Once the operator opens loopback, the retry goes through.
		allowLoopback(s)
		s.Clock.Advance(30 * time.Second)
		if n := deliverDue(t, s); n != 1 {
			t.Fatalf("retry sent %d", n)
		}
		if d := deliveries(t, s, alpha, w.ID)[0]; hits.Load() != 1 || d.Status != "delivered" || d.ResponseCode != 200 || d.LastError != "" {
			t.Fatalf("after opening loopback: %d requests, delivery %+v", hits.Load(), d)
		}
	})
}

// A webhook saved before these rules is still checked at every delivery.
func TestDeliveriesToLiteralAddressesAreRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s)
		alpha := s.NewSchool("alpha")
		want := map[string]string{
			"http://169.254.169.254/latest/meta-data": "destination address is not allowed: cloud metadata service",
			"http://10.0.0.5/":                        "destination address is not allowed: private range",
		}
		byWebhook := map[string]string{}
		for i, u := range []string{"http://169.254.169.254/latest/meta-data", "http://10.0.0.5/"} {
			w := createWebhook(t, s, alpha, "https://lms.example/hooks/"+strconv.Itoa(i), "*")
			if _, err := s.DB.NewUpdate().TableExpr("webhook_endpoints").Set("url = ?", u).Where("id = ?", w.ID).Exec(s.Ctx()); err != nil {
				t.Fatal(err)
			}
			byWebhook[w.ID] = want[u]
		}
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{})
		if n := deliverDue(t, s); n != 2 {
			t.Fatalf("sent %d", n)
		}
		for id, msg := range byWebhook {
			if d := deliveries(t, s, alpha, id)[0]; d.LastError != msg || d.ResponseCode != 0 || d.Status != "pending" {
				t.Fatalf("delivery %+v, want %q", d, msg)
			}
		}
	})
}
