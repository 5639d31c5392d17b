// Package migrations embeds the schema of both databases. The two folders
// hold files with identical ids and names; a test in the database package
// keeps them in step.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
