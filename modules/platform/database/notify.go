package database

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// PostgreSQL notifications between replicas. NOTIFY is sent inside the
// transaction that makes a change, and PostgreSQL delivers it only when
// that transaction commits, to every session listening on the channel in
// the same database. Channels are database-wide, so each payload starts
// with the sender's schema and a listener keeps only its own schema's:
// deployments (and tests) sharing one database in separate schemas do not
// hear each other.

// schemaSeparator ends the schema at the start of a payload.
const schemaSeparator = "|"

// Notify sends payload to the listeners of channel on the same schema
// when db's transaction commits (at once outside a transaction). It does
// nothing on SQLite, where one process owns the database.
func Notify(ctx context.Context, db bun.IDB, channel, payload string) error {
	if !IsPostgres(db) {
		return nil
	}
	_, err := db.NewRaw("SELECT pg_notify(?, current_schema() || ? || ?)", channel, schemaSeparator, payload).Exec(ctx)
	return err
}

// Subscriber is told what a listener hears, from one goroutine.
type Subscriber interface {
	// Listening: every notification sent from now on will be delivered.
	Listening()
	// Notified delivers one payload, without the schema.
	Notified(payload string)
	// Lost: the connection dropped, and notifications are missed until
	// Listening is called again.
	Lost(err error)
}

// Listen timing: a quiet connection is pinged every listenPing, so that a
// connection that died without a word is noticed; a lost connection is
// dialled again after a pause that doubles up to listenRetryMax.
const (
	listenPing     = 10 * time.Second
	listenRetry    = 100 * time.Millisecond
	listenRetryMax = 5 * time.Second
)

// Listen follows channel on a connection of its own (not one of the pool,
// which it would hold forever), opened with the pool's settings. It returns
// once it listens, having called sub.Listening, or with the first failure.
// After a drop it reconnects in the background until ctx ends or stop is
// called; either way sub.Lost is called last.
func Listen(ctx context.Context, db *bun.DB, channel string, sub Subscriber) (stop func(), err error) {
	if !IsPostgres(db) {
		return nil, errors.New("database: LISTEN needs PostgreSQL")
	}
	cfg, err := poolConnConfig(ctx, db)
	if err != nil {
		return nil, err
	}
	// Named, so that operators can tell it in pg_stat_activity.
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = ListenerName(channel)
	l := &listener{cfg: cfg, channel: channel, sub: sub}
	if err := l.connect(ctx); err != nil {
		return nil, err
	}
	sub.Listening()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(ctx)
	}()
	return func() { cancel(); <-done }, nil
}

// poolConnConfig copies the settings of a pool connection: the same
// server, credentials and run-time parameters (search_path among them).
func poolConnConfig(ctx context.Context, db *bun.DB) (*pgx.ConnConfig, error) {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var cfg *pgx.ConnConfig
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("database: LISTEN needs the pgx driver, not %T", driverConn)
		}
		cfg = c.Conn().Config()
		// The copy would deliver notifications to the pool connection's
		// buffer; a new connection buffers its own when this is unset.
		cfg.OnNotification = nil
		return nil
	})
	return cfg, err
}

// ListenerName is the application_name of the connection listening on
// channel.
func ListenerName(channel string) string { return "curatorops listen " + channel }

type listener struct {
	cfg     *pgx.ConnConfig
	channel string
	sub     Subscriber
	conn    *pgx.Conn
	schema  string
}

func (l *listener) connect(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return err
	}
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&l.schema); err != nil {
		_ = conn.Close(ctx)
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		_ = conn.Close(ctx)
		return err
	}
	l.conn = conn
	return nil
}

// run receives until ctx ends, reconnecting after every drop.
func (l *listener) run(ctx context.Context) {
	for {
		err := l.receive(ctx)
		_ = l.conn.Close(context.Background())
		l.sub.Lost(err)
		if ctx.Err() != nil || !l.reconnect(ctx) {
			return
		}
		l.sub.Listening()
	}
}

// receive delivers notifications until the connection fails or ctx ends.
func (l *listener) receive(ctx context.Context) error {
	for {
		wait, cancel := context.WithTimeout(ctx, listenPing)
		n, err := l.conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			if payload, ours := strings.CutPrefix(n.Payload, l.schema+schemaSeparator); ours {
				l.sub.Notified(payload)
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
			if err := l.ping(ctx); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func (l *listener) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return l.conn.Ping(ctx)
}

// reconnect dials until it listens again (true) or ctx ends (false).
func (l *listener) reconnect(ctx context.Context) bool {
	pause := listenRetry
	for {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pause):
		}
		if err := l.connect(ctx); err == nil {
			return true
		}
		pause = min(2*pause, listenRetryMax)
	}
}
