package identity

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"
)

func testSession(hash, tokenID, userID string) *cachedSession {
	return &cachedSession{hash: hash, tokenID: tokenID, userID: userID, loadedAt: time.Now()}
}

func TestCacheIsBoundedInSize(t *testing.T) {
	c := newCredentialCache(10, time.Minute)
	for i := 0; i < 25; i++ {
		c.storeSession(c.begin(), testSession(fmt.Sprint("hash", i), fmt.Sprint("token", i), "user"))
	}
	if n := c.sessions.Len(); n != 10 {
		t.Fatalf("%d sessions kept, want the 10 most recent", n)
	}
	if _, ok := c.session("hash24"); !ok {
		t.Fatal("the most recent session was evicted")
	}
	if _, ok := c.session("hash0"); ok {
		t.Fatal("the oldest session was kept")
	}
}

func TestCacheEntriesExpire(t *testing.T) {
	c := newCredentialCache(10, 20*time.Millisecond)
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	if _, ok := c.session("h"); !ok {
		t.Fatal("a fresh entry is not served")
	}
	time.Sleep(30 * time.Millisecond)
	if _, ok := c.session("h"); ok {
		t.Fatal("an entry older than its time-to-live is served")
	}
}

// TestAReadRacingARevocationIsNotStored: an answer read from the database
// before a change was forgotten is not stored after it.
func TestAReadRacingARevocationIsNotStored(t *testing.T) {
	c := newCredentialCache(10, time.Minute)
	generation := c.begin() // a request misses and starts reading
	c.forget(sessionChanged("t"))
	c.storeSession(generation, testSession("h", "t", "u")) // its answer arrives late
	if _, ok := c.session("h"); ok {
		t.Fatal("a session read before its revocation was stored after it")
	}
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	if _, ok := c.session("h"); !ok {
		t.Fatal("a read that began after the change was not stored")
	}
}

func TestForgetDropsWhatEachChangeConcerns(t *testing.T) {
	c := newCredentialCache(100, time.Minute)
	fill := func() {
		g := c.begin()
		c.storeSession(g, testSession("h1", "t1", "u1"))
		c.storeSession(g, testSession("h2", "t2", "u1"))
		c.storeSession(g, testSession("h3", "t3", "u2"))
		c.storeKey(g, &cachedKey{hash: "k1", id: "key1", loadedAt: time.Now()})
		for _, actor := range []string{"u1", "u2", "key1"} {
			for _, org := range []string{"o1", "o2"} {
				c.storeAccess(g, actor, "slug-"+org, &cachedAccess{org: Org{ID: org}, roles: []string{"curator"}, loadedAt: time.Now()})
			}
		}
	}
	fillMe := func() {
		g := c.begin()
		// u1 belongs to o1 and o2, u2 to o1 only.
		c.storeMe(g, &cachedMe{user: &User{ID: "u1"}, loadedAt: time.Now(),
			memberships: []MembershipOfMe{{Org: Org{ID: "o1"}}, {Org: Org{ID: "o2"}}}})
		c.storeMe(g, &cachedMe{user: &User{ID: "u2"}, loadedAt: time.Now(), memberships: []MembershipOfMe{{Org: Org{ID: "o1"}}}})
	}
	cases := []struct {
		change                     credentialChange
		sessions, keys, access, me int
	}{
		{sessionChanged("t1"), 2, 1, 6, 2},
		{userChanged("u1"), 1, 1, 4, 1},
		{memberChanged("o1", "u2"), 3, 1, 5, 1},
		{keyChanged("key1"), 3, 0, 4, 2},
		{orgChanged("o2"), 3, 1, 3, 1},
	}
	for _, tc := range cases {
		c.setServing(true)
		fill()
		fillMe()
		c.forget(tc.change)
		if s, k, a, m := c.sessions.Len(), c.keys.Len(), c.access.Len(), c.me.Len(); s != tc.sessions || k != tc.keys || a != tc.access || m != tc.me {
			t.Errorf("%s left %d sessions, %d keys, %d accesses, %d users' memberships; want %d, %d, %d, %d",
				tc.change, s, k, a, m, tc.sessions, tc.keys, tc.access, tc.me)
		}
	}
}

func TestChangesTravelAsText(t *testing.T) {
	for _, ch := range []credentialChange{sessionChanged("t"), userChanged("u"), memberChanged("o", "u"), keyChanged("k"), orgChanged("o")} {
		if back, ok := parseChange(ch.String()); !ok || back != ch {
			t.Errorf("%s came back as %+v, %v", ch, back, ok)
		}
	}
	for _, bad := range []string{"", "session", "session:", "member:u", "unknown:x", "user:a:b"} {
		if _, ok := parseChange(bad); ok {
			t.Errorf("%q parsed as a change", bad)
		}
	}
}

// TestANotServingCacheServesNothing: while changes could go unheard the
// cache neither answers nor stores, and an unknown payload empties it.
func TestANotServingCacheServesNothing(t *testing.T) {
	c := newCredentialCache(10, time.Minute)
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	f := &cacheFollower{cache: c}
	f.Notified("from-a-newer-version:x")
	if _, ok := c.session("h"); ok {
		t.Fatal("an unknown change left the cache as it was")
	}
	c.setServing(false)
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	if _, ok := c.session("h"); ok {
		t.Fatal("a cache that is not serving answered")
	}
}

// TestALostListenerStopsTheCache: while the connection that hears other
// replicas' changes is down, the cache is empty and bypassed; once it
// listens again, it serves again.
func TestALostListenerStopsTheCache(t *testing.T) {
	c := newCredentialCache(10, time.Minute)
	f := &cacheFollower{cache: c, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	f.Lost(errors.New("connection reset"))
	if _, ok := c.session("h"); ok || c.sessions.Len() != 0 {
		t.Fatal("the cache kept serving after the listener was lost")
	}
	f.Listening()
	c.storeSession(c.begin(), testSession("h", "t", "u"))
	if _, ok := c.session("h"); !ok {
		t.Fatal("the cache does not serve once listening again")
	}
}
