package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// config is every setting of the executable. Each has a CURATOROPS_*
// environment variable and a flag; the flag wins.
type config struct {
	Addr          string
	DatabaseURL   string
	LogLevel      string
	BodyLimit     string
	CORSOrigins   string
	MetricsToken  string
	BehindProxy   bool
	TokenTTL      time.Duration
	ShutdownGrace time.Duration
	Demo          bool
	// WebhookAllow are address ranges webhooks may reach although they
	// are private, loopback or link-local: an LMS on the operator's network.
	WebhookAllow []netip.Prefix
}

// setting describes one configuration entry, for flags, env and the README.
type setting struct {
	name, env, def, usage string
}

var settings = []setting{
	{"addr", "CURATOROPS_ADDR", "127.0.0.1:8080", "address to listen on"},
	{"database-url", "CURATOROPS_DATABASE_URL", "sqlite:data/curatorops.db", "sqlite:<file> or postgres://…"},
	{"log-level", "CURATOROPS_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"body-limit", "CURATOROPS_BODY_LIMIT", "2M", "largest request body, e.g. 512K, 2M"},
	{"cors-origins", "CURATOROPS_CORS_ORIGINS", "", "comma-separated origins allowed by CORS; empty turns CORS off"},
	{"metrics-token", "CURATOROPS_METRICS_TOKEN", "", "bearer token required by /metrics; empty leaves it open"},
	{"behind-proxy", "CURATOROPS_BEHIND_PROXY", "false", "trust X-Forwarded-For for client addresses"},
	{"token-ttl", "CURATOROPS_TOKEN_TTL", "12h", "lifetime of a sign-in session"},
	{"shutdown-grace", "CURATOROPS_SHUTDOWN_GRACE", "15s", "time to finish requests on SIGTERM"},
	{"webhook-allow-cidrs", "CURATOROPS_WEBHOOK_ALLOW_CIDRS", "", "comma-separated address ranges (CIDR) webhooks may reach although private or local, e.g. 10.20.0.0/16 for an on-premises LMS"},
}

// bindConfig registers every setting on fs with its environment default.
func bindConfig(fs *flag.FlagSet) map[string]*string {
	values := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v, ok := os.LookupEnv(s.env); ok {
			def = v
		}
		values[s.name] = fs.String(s.name, def, s.usage+" ("+s.env+")")
	}
	return values
}

// parseConfig checks every setting and names the first bad one.
func parseConfig(v map[string]*string) (*config, error) {
	c := &config{
		Addr: *v["addr"], DatabaseURL: *v["database-url"], LogLevel: *v["log-level"],
		BodyLimit: *v["body-limit"], CORSOrigins: *v["cors-origins"], MetricsToken: *v["metrics-token"],
	}
	bad := func(name, why string) error {
		for _, s := range settings {
			if s.name == name {
				value := *v[name]
				if name == "database-url" || name == "metrics-token" {
					value = database.Redact(value)
				}
				return fmt.Errorf("invalid %s / --%s %q: %s", s.env, name, value, why)
			}
		}
		return fmt.Errorf("invalid --%s: %s", name, why)
	}
	var err error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) {
		return nil, bad("addr", "want host:port, e.g. 127.0.0.1:8080")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return nil, bad("database-url", "want sqlite:<file> or postgres://user:pass@host/db")
	}
	if _, err = parseLevel(c.LogLevel); err != nil {
		return nil, bad("log-level", err.Error())
	}
	if n, err := bytes.Parse(c.BodyLimit); err != nil || n <= 0 {
		return nil, bad("body-limit", "want a size such as 512K or 2M")
	}
	if c.BehindProxy, err = strconv.ParseBool(*v["behind-proxy"]); err != nil {
		return nil, bad("behind-proxy", "want true or false")
	}
	if c.TokenTTL, err = time.ParseDuration(*v["token-ttl"]); err != nil || c.TokenTTL < time.Minute {
		return nil, bad("token-ttl", "want a duration of at least 1m, e.g. 12h")
	}
	if c.ShutdownGrace, err = time.ParseDuration(*v["shutdown-grace"]); err != nil || c.ShutdownGrace <= 0 {
		return nil, bad("shutdown-grace", "want a positive duration, e.g. 15s")
	}
	if c.WebhookAllow, err = parseCIDRs(*v["webhook-allow-cidrs"]); err != nil {
		return nil, bad("webhook-allow-cidrs", "want comma-separated ranges such as 10.20.0.0/16, fd12:3456::/48")
	}
	return c, nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

// parseCIDRs reads comma-separated ranges; a bare address is a range of
// one.
func parseCIDRs(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				return nil, err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}

func (c *config) corsOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	if err != nil {
		return l, fmt.Errorf("want debug, info, warn or error")
	}
	return l, nil
}
