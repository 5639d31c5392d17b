package identity

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Config tunes sessions and password hashing.
type Config struct {
	TokenTTL       time.Duration
	PasswordParams PasswordParams
	// TouchEvery limits how often a session's or key's last use is written,
	// so that every request does not become a write.
	TouchEvery time.Duration
	// CacheEntries and CacheTTL size the credential cache (cache.go): the
	// entries of each kind kept, and how long one is trusted before it is
	// read again. Zero turns the cache off.
	CacheEntries int
	CacheTTL     time.Duration
}

// DefaultConfig is what serve uses unless told otherwise.
func DefaultConfig() Config {
	return Config{TokenTTL: 12 * time.Hour, PasswordParams: DefaultPasswordParams, TouchEvery: time.Minute,
		CacheEntries: DefaultCacheEntries, CacheTTL: DefaultCacheTTL}
}

// Service holds the identity rules. Identity needs nothing from other
// modules, so it has no ports; the others reach it through directory.go.
type Service struct {
	service.Core
	cfg   Config
	store Store
	cache *credentialCache
	// dummyHash is checked against when an email is unknown, so that an
	// unknown email and a wrong password take the same time.
	dummyHash string
}

// NewService returns the identity service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, cfg Config) *Service {
	s := &Service{Core: service.NewCore(db, c, audit), cfg: cfg, cache: newCredentialCache(cfg.CacheEntries, cfg.CacheTTL),
		dummyHash: hashPassword("no user has this password", cfg.PasswordParams)}
	if database.IsPostgres(db) {
		// Other replicas' changes are unheard until FollowCredentialChanges.
		s.cache.setServing(false)
	}
	return s
}
