package identity

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// The credential cache keeps sessions, API keys, a caller's roles in a
// school and what /v1/me shows of a user in memory after the first read,
// so that authenticating and authorizing a request costs no query, and
// neither does the console asking who its user is.
//
// Access taken away is refused at once. Every write that takes access
// away names what it changed (a credentialChange): the replica that made
// the write forgets it as soon as the transaction commits, and on
// PostgreSQL the same transaction NOTIFYs the other replicas, which forget
// it when the notification arrives, milliseconds after the commit. When
// notifications could be missed — the listening connection dropped — the
// cache is emptied and bypassed until it listens again. Whatever happens,
// an entry is read again from the database once it is older than its
// time-to-live.

// Cache defaults: 10,000 entries of each kind (sessions, API keys, users'
// memberships; twice as many caller and school pairs), a few megabytes, and
// 30 seconds before an entry is read again.
const (
	DefaultCacheEntries = 10_000
	DefaultCacheTTL     = 30 * time.Second
)

// credentialChannel is the PostgreSQL channel of credential changes.
const credentialChannel = "curatorops_credentials"

// changeKind says what a credentialChange is about.
type changeKind string

const (
	changedSession changeKind = "session" // one sign-in; id is the token's
	changedUser    changeKind = "user"    // a person's account, sessions and roles everywhere; id is the user's
	changedMember  changeKind = "member"  // a person's membership of one school, new or changed; id is the user's
	changedKey     changeKind = "key"     // an API key; id is the key's
	changedOrg     changeKind = "org"     // a school's settings; id is the school's
)

// credentialChange names what a write changed about who may do what. It
// travels between replicas as "kind:id" or "member:user id:school id".
type credentialChange struct {
	kind  changeKind
	id    string
	orgID string // changedMember only
}

func sessionChanged(tokenID string) credentialChange {
	return credentialChange{kind: changedSession, id: tokenID}
}
func userChanged(userID string) credentialChange {
	return credentialChange{kind: changedUser, id: userID}
}
func keyChanged(keyID string) credentialChange { return credentialChange{kind: changedKey, id: keyID} }
func orgChanged(orgID string) credentialChange { return credentialChange{kind: changedOrg, id: orgID} }
func memberChanged(orgID, userID string) credentialChange {
	return credentialChange{kind: changedMember, id: userID, orgID: orgID}
}

func (c credentialChange) String() string {
	if c.kind == changedMember {
		return string(c.kind) + ":" + c.id + ":" + c.orgID
	}
	return string(c.kind) + ":" + c.id
}

// parseChange reads a payload written by String; anything else is not a
// change this version knows, and is reported as such.
func parseChange(payload string) (credentialChange, bool) {
	parts := strings.Split(payload, ":")
	c := credentialChange{kind: changeKind(parts[0])}
	switch {
	case c.kind == changedMember && len(parts) == 3:
		c.id, c.orgID = parts[1], parts[2]
	case len(parts) == 2 && (c.kind == changedSession || c.kind == changedUser || c.kind == changedKey || c.kind == changedOrg):
		c.id = parts[1]
	default:
		return c, false
	}
	return c, c.id != ""
}

// cachedSession is a session of an active user as it was read.
type cachedSession struct {
	hash          string
	tokenID       string
	userID        string
	email         string
	platformAdmin bool
	expiresAt     time.Time
	loadedAt      time.Time // wall clock, for the time-to-live
	// lastUsed is when last_used_at was last written, in unix nanoseconds
	// of the service's clock; requests race for the right to write it.
	lastUsed atomic.Int64
}

func (e *cachedSession) principal() *reqctx.Principal {
	return &reqctx.Principal{Kind: reqctx.ActorUser, UserID: e.userID, TokenID: e.tokenID, Name: e.email, PlatformAdmin: e.platformAdmin}
}

// cachedKey is an unrevoked API key as it was read.
type cachedKey struct {
	hash      string
	id        string
	name      string
	orgID     string
	role      string
	expiresAt *time.Time
	loadedAt  time.Time
	lastUsed  atomic.Int64
}

func (e *cachedKey) principal() *reqctx.Principal {
	return &reqctx.Principal{Kind: reqctx.ActorAPIKey, APIKeyID: e.id, Name: e.name, KeyOrgID: e.orgID, KeyRole: e.role}
}

// accessKey is a caller (a user's or an API key's id) and a school's slug.
type accessKey struct{ actorID, slug string }

// cachedAccess is a school with the roles a caller holds there (at least
// one: no access is not remembered).
type cachedAccess struct {
	org      Org
	roles    []string
	loadedAt time.Time
}

func (e *cachedAccess) orgAccess() *reqctx.OrgAccess {
	return &reqctx.OrgAccess{ID: e.org.ID, Slug: e.org.Slug, TimeZone: e.org.TimeZone, Currency: e.org.Currency,
		Roles: e.roles[:len(e.roles):len(e.roles)]}
}

// cachedMe is what /v1/me shows of a user: the account, and every
// membership with its school and roles. Its values are shared between
// requests and must not be changed.
type cachedMe struct {
	user        *User
	memberships []MembershipOfMe
	loadedAt    time.Time
}

func (e *cachedMe) belongsTo(orgID string) bool {
	for _, m := range e.memberships {
		if m.Org.ID == orgID {
			return true
		}
	}
	return false
}

// credentialCache is safe for concurrent use. A nil cache caches nothing.
type credentialCache struct {
	ttl      time.Duration
	sessions *lru.Cache[string, *cachedSession] // by token hash
	keys     *lru.Cache[string, *cachedKey]     // by key hash
	access   *lru.Cache[accessKey, *cachedAccess]
	me       *lru.Cache[string, *cachedMe] // by user id

	// mu orders storing against forgetting. A read that missed notes the
	// generation before it queries the database and stores its answer
	// only if nothing was forgotten meanwhile, holding mu shared; a
	// forget bumps the generation holding mu alone. So an answer read
	// before a revocation committed is never stored after the revocation
	// was forgotten.
	mu         sync.RWMutex
	generation atomic.Uint64
	// serving is false while changes could go unheard (on PostgreSQL,
	// before the listener listens and after it lost its connection).
	serving atomic.Bool
}

// newCredentialCache returns a cache of entries per kind, or nil (no
// cache) when entries or ttl is not positive.
func newCredentialCache(entries int, ttl time.Duration) *credentialCache {
	if entries <= 0 || ttl <= 0 {
		return nil
	}
	c := &credentialCache{ttl: ttl}
	c.sessions, _ = lru.New[string, *cachedSession](entries)
	c.keys, _ = lru.New[string, *cachedKey](entries)
	c.access, _ = lru.New[accessKey, *cachedAccess](2 * entries)
	c.me, _ = lru.New[string, *cachedMe](entries)
	c.serving.Store(true)
	return c
}

// begin notes the generation before a read of the database.
func (c *credentialCache) begin() uint64 {
	if c == nil {
		return 0
	}
	return c.generation.Load()
}

// store runs add if nothing was forgotten since begin returned generation.
func (c *credentialCache) store(generation uint64, add func()) {
	if c == nil {
		return
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.serving.Load() && c.generation.Load() == generation {
		add()
	}
}

func (c *credentialCache) fresh(loadedAt time.Time) bool {
	return c.serving.Load() && time.Since(loadedAt) < c.ttl
}

func (c *credentialCache) session(hash string) (*cachedSession, bool) {
	if c == nil {
		return nil, false
	}
	e, ok := c.sessions.Get(hash)
	if ok && !c.fresh(e.loadedAt) {
		c.sessions.Remove(hash)
		return nil, false
	}
	return e, ok
}

func (c *credentialCache) storeSession(generation uint64, e *cachedSession) {
	c.store(generation, func() { c.sessions.Add(e.hash, e) })
}

func (c *credentialCache) key(hash string) (*cachedKey, bool) {
	if c == nil {
		return nil, false
	}
	e, ok := c.keys.Get(hash)
	if ok && !c.fresh(e.loadedAt) {
		c.keys.Remove(hash)
		return nil, false
	}
	return e, ok
}

func (c *credentialCache) storeKey(generation uint64, e *cachedKey) {
	c.store(generation, func() { c.keys.Add(e.hash, e) })
}

func (c *credentialCache) orgAccess(actorID, slug string) (*cachedAccess, bool) {
	if c == nil {
		return nil, false
	}
	k := accessKey{actorID, slug}
	e, ok := c.access.Get(k)
	if ok && !c.fresh(e.loadedAt) {
		c.access.Remove(k)
		return nil, false
	}
	return e, ok
}

func (c *credentialCache) storeAccess(generation uint64, actorID, slug string, e *cachedAccess) {
	c.store(generation, func() { c.access.Add(accessKey{actorID, slug}, e) })
}

func (c *credentialCache) userMe(userID string) (*cachedMe, bool) {
	if c == nil {
		return nil, false
	}
	e, ok := c.me.Get(userID)
	if ok && !c.fresh(e.loadedAt) {
		c.me.Remove(userID)
		return nil, false
	}
	return e, ok
}

func (c *credentialCache) storeMe(generation uint64, e *cachedMe) {
	c.store(generation, func() { c.me.Add(e.user.ID, e) })
}

// forget drops every entry a change may have made wrong. It walks the
// entries of the kinds concerned: changes are rare next to reads, and a
// walk of ten thousand entries takes well under a millisecond.
func (c *credentialCache) forget(changes ...credentialChange) {
	if c == nil || len(changes) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation.Add(1)
	for _, ch := range changes {
		c.forgetOne(ch)
	}
}

func (c *credentialCache) forgetOne(ch credentialChange) {
	switch ch.kind {
	case changedSession:
		removeWhere(c.sessions, func(e *cachedSession) bool { return e.tokenID == ch.id }, func(e *cachedSession) string { return e.hash })
	case changedUser:
		removeWhere(c.sessions, func(e *cachedSession) bool { return e.userID == ch.id }, func(e *cachedSession) string { return e.hash })
		c.forgetAccess(func(k accessKey, _ *cachedAccess) bool { return k.actorID == ch.id })
		c.me.Remove(ch.id)
	case changedMember:
		c.forgetAccess(func(k accessKey, e *cachedAccess) bool { return k.actorID == ch.id && e.org.ID == ch.orgID })
		c.me.Remove(ch.id)
	case changedKey:
		removeWhere(c.keys, func(e *cachedKey) bool { return e.id == ch.id }, func(e *cachedKey) string { return e.hash })
		c.forgetAccess(func(k accessKey, _ *cachedAccess) bool { return k.actorID == ch.id })
	case changedOrg:
		c.forgetAccess(func(_ accessKey, e *cachedAccess) bool { return e.org.ID == ch.id })
		for _, e := range c.me.Values() {
			if e.belongsTo(ch.id) {
				c.me.Remove(e.user.ID)
			}
		}
	}
}

func (c *credentialCache) forgetAccess(match func(accessKey, *cachedAccess) bool) {
	for _, k := range c.access.Keys() {
		if e, ok := c.access.Peek(k); ok && match(k, e) {
			c.access.Remove(k)
		}
	}
}

func removeWhere[V any](cache *lru.Cache[string, V], match func(V) bool, keyOf func(V) string) {
	for _, e := range cache.Values() {
		if match(e) {
			cache.Remove(keyOf(e))
		}
	}
}

// setServing empties the cache and starts or stops serving from it.
func (c *credentialCache) setServing(on bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation.Add(1)
	c.sessions.Purge()
	c.keys.Purge()
	c.access.Purge()
	c.me.Purge()
	c.serving.Store(on)
}

// purge empties the cache, serving or not.
func (c *credentialCache) purge() {
	if c != nil {
		c.setServing(c.serving.Load())
	}
}

// inTxChanging runs fn in one transaction that announces the changes fn
// reports to the other replicas when it commits, and forgets them in this
// replica's cache once it has: what was taken away is refused from the
// next request on.
func (s *Service) inTxChanging(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) ([]credentialChange, error)) error {
	var changes []credentialChange
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if changes, err = fn(ctx, tx); err != nil {
			return err
		}
		return s.store.AnnounceCredentialChanges(ctx, tx, changes)
	})
	// Forgotten whatever the outcome: forgetting too much costs one read,
	// while a commit whose acknowledgement was lost must not leave access
	// in place.
	s.cache.forget(changes...)
	return err
}

// FollowCredentialChanges keeps this replica's cache in step with the
// changes other replicas announce through PostgreSQL notifications, until
// ctx ends or stop is called. On PostgreSQL the cache is bypassed until it
// is called and whenever the listening connection is down. On SQLite one
// process owns the database and there is nothing to follow.
func (s *Service) FollowCredentialChanges(ctx context.Context, logger *slog.Logger) (stop func(), err error) {
	if s.cache == nil || !database.IsPostgres(s.DB) {
		return func() {}, nil
	}
	if logger == nil {
		logger = slog.Default()
	}
	return database.Listen(ctx, s.DB, credentialChannel, &cacheFollower{cache: s.cache, logger: logger})
}

// cacheFollower applies what the credential channel carries.
type cacheFollower struct {
	cache  *credentialCache
	logger *slog.Logger
	lost   bool
}

func (f *cacheFollower) Listening() {
	f.cache.setServing(true)
	if f.lost {
		f.logger.Info("credential cache: listening for changes again; serving from memory")
	}
}

func (f *cacheFollower) Lost(err error) {
	f.cache.setServing(false)
	f.lost = true
	if !errors.Is(err, context.Canceled) {
		f.logger.Warn("credential cache: lost the connection that hears changes; reading credentials from the database until it is back", "error", err)
	}
}

// Notified forgets what the payload names; a payload this version does not
// understand (a newer replica's, during a rolling upgrade) empties the cache.
func (f *cacheFollower) Notified(payload string) {
	if ch, ok := parseChange(payload); ok {
		f.cache.forget(ch)
		return
	}
	f.cache.purge()
}
