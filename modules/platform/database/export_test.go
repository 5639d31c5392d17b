package database

import "github.com/uptrace/bun"

// MaxPrepared is maxPrepared, for the tests of QueryPrepared's bound.
const MaxPrepared = maxPrepared

// KeptStatements is how many texts QueryPrepared keeps for db.
func KeptStatements(db *bun.DB) int {
	x := extrasOf(db)
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.prepared)
}
