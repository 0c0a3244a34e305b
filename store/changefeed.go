package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL, several replicas share the database and each caches token
// checks against TokenGeneration and TokenCreations. A committed change
// that moves them here is also sent to every replica: the transaction
// runs pg_notify on changesChannel, which PostgreSQL delivers when (and
// only if) it commits, and each replica's listener moves its own counters
// on hearing it.
//
// While the listener has no connection it cannot vouch that nothing
// changed, so the counters return a value never returned before on every
// read: the caches read through. Once it listens again it moves both
// counters once (whatever was missed meanwhile is forgotten with them) and
// trusts notifications again.

// changesChannel is the NOTIFY channel of token changes. The payload is
// "g" for a change that can refuse a token or change what it may do, "c"
// for a new token or secret.
const changesChannel = "tokenward_token_changes"

// feedCheckEvery is how long the listener waits for a notification before
// it checks that its connection still answers: a connection cut without a
// reset (a network partition) is noticed within about this long.
const feedCheckEvery = 2 * time.Second

// feed is the PostgreSQL listener's state.
type feed struct {
	cancel context.CancelFunc
	done   chan struct{}

	listening atomic.Bool
	// outages counts how often the listener lost its connection, for
	// /readyz and tests.
	outages atomic.Int64
}

// notifyChanges sends the commit's token change to the other replicas, in
// the transaction, so it is delivered at commit.
func (tx *Tx) notifyChanges() error {
	if !tx.db.dialect.postgres || (!tx.tokensChanged && !tx.tokensCreated) {
		return nil
	}
	payload := "c"
	if tx.tokensChanged {
		payload = "g"
	}
	_, err := tx.Tx.ExecContext(context.Background(), "SELECT pg_notify($1, $2)", changesChannel, payload)
	return err
}

// startFeed starts the listener and waits (up to a few seconds) for it to
// listen, so a replica that starts trusts its cache from the first request
// when it can.
func (db *DB) startFeed() {
	ctx, cancel := context.WithCancel(context.Background())
	db.feed = &feed{cancel: cancel, done: make(chan struct{})}
	ready := make(chan struct{})
	go db.listen(ctx, ready)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
	}
}

// stopFeed stops the listener.
func (db *DB) stopFeed() {
	if db.feed == nil {
		return
	}
	db.feed.cancel()
	<-db.feed.done
}

// FeedListening reports whether this process hears every other process's
// token changes: always on SQLite (there are none), on PostgreSQL while the
// listener is connected.
func (db *DB) FeedListening() bool {
	if db.feed == nil {
		return true
	}
	return db.feed.listening.Load()
}

// FeedOutages is how often the listener has lost its connection.
func (db *DB) FeedOutages() int {
	if db.feed == nil {
		return 0
	}
	return int(db.feed.outages.Load())
}

// listen keeps a connection listening until ctx ends, reconnecting with a
// growing pause after each loss.
func (db *DB) listen(ctx context.Context, ready chan struct{}) {
	defer close(db.feed.done)
	pause := 50 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, func() {
			pause = 50 * time.Millisecond
			if ready != nil {
				close(ready)
				ready = nil
			}
		})
		db.setListening(false, err != nil && ctx.Err() == nil)
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(pause*2, 2*time.Second)
	}
}

// listenOnce connects, listens and moves the counters on each notification
// until the connection fails or ctx ends. listening is called once the
// listener has caught up.
func (db *DB) listenOnce(ctx context.Context, listening func()) error {
	cfg := db.pgConfig.Copy()
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	// Caught up: whatever committed before LISTEN took effect is forgotten
	// by moving both counters; whatever commits after is notified.
	db.tokenGen.Add(1)
	db.tokenCreations.Add(1)
	db.setListening(true, false)
	listening()
	for {
		wctx, cancel := context.WithTimeout(ctx, feedCheckEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			if n.Payload == "g" {
				db.tokenGen.Add(1)
			}
			db.tokenCreations.Add(1)
		case wctx.Err() != nil:
			pctx, cancel := context.WithTimeout(ctx, time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func (db *DB) setListening(on, lost bool) {
	if was := db.feed.listening.Swap(on); was && !on && lost {
		db.feed.outages.Add(1)
	}
}
