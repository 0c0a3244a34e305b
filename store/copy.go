package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// copyTables are the tables Copy moves, each after every table its rows
// refer to, with the key its rows are read and written in. Ids are kept, so
// the audit trail keeps its order and every reference still holds.
var copyTables = []struct{ name, order string }{
	{"organizations", "id"},
	{"users", "id"},
	{"memberships", "org_id, user_id"},
	{"invitations", "id"},
	{"sessions", "id_hash"},
	{"services", "id"},
	{"tokens", "rowid"},
	{"token_ips", "token_id, ip"},
	{"token_org_grants", "token_id, org_id"},
	{"retired_secrets", "secret_hash"},
	{"token_usage_daily", "token_id, day"},
	{"device_authorizations", "id"},
	{"notifications", "id"},
	{"expiry_dismissals", "user_id, token_id"},
	{"smtp_settings", "id"},
	{"identity_providers", "id"},
	{"linked_identities", "provider_id, subject"},
	{"audit_events", "id"},
}

// copiedNames are the names of copyTables.
func copiedNames() []string {
	names := make([]string, len(copyTables))
	for i, t := range copyTables {
		names[i] = t.name
	}
	return names
}

// notCopied are the tables of the schema that Copy leaves out, and why. A
// table in neither list makes Copy refuse, so a new migration's table is
// never left behind unnoticed.
var notCopied = map[string]string{
	"schema_migrations": "the target's own migrations fill it",
	"deployment":        "the target records the deployment key when it is opened; Copy checks that the two agree",
	"job_claims":        "claims of the old processes' background jobs; the new processes take their own",
	"throttle_buckets":  "attempts counted by the old processes' throttles; the new ones start with full buckets",
	"token_search":      "the search index: the target's trigger fills it as tokens are written",
}

// searchTable is the row Copy's counts add for the target's search index,
// which the trigger rebuilt rather than Copy copied.
const searchTable = "token_search (rebuilt)"

// TableCount is a table's rows in the source and in the target after Copy.
type TableCount struct {
	Table          string
	Source, Target int64
}

// OK reports whether the target holds as many rows as the source.
func (c TableCount) OK() bool { return c.Source == c.Target }

// Copy moves the embedded database from into the PostgreSQL database to,
// which must hold no data yet and record the same deployment key. Every
// table is read from one snapshot of from and written in one transaction on
// to, with every column by name, ids and sealed secrets as they are; the
// identity sequences then start after the largest id copied. It returns the
// rows of each table on both sides; when any differ, or anything fails,
// the transaction is rolled back and to is left as it was.
func Copy(ctx context.Context, from, to *DB) ([]TableCount, error) {
	if from.dialect.postgres || !to.dialect.postgres {
		return nil, errors.New("copy moves an embedded SQLite database into PostgreSQL")
	}
	src, err := from.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer src.Rollback()
	dst, err := to.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer dst.Rollback()
	if err := checkCopyTarget(ctx, src, dst); err != nil {
		return nil, err
	}
	for _, t := range copyTables {
		if err := copyTable(ctx, src, dst, t.name, t.order); err != nil {
			return nil, err
		}
	}
	if err := resetIdentities(ctx, dst); err != nil {
		return nil, err
	}
	counts, err := copyCounts(ctx, src, dst)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		if !c.OK() {
			return counts, fmt.Errorf("%s has %d rows in the source and %d in the target: nothing was written", c.Table, c.Source, c.Target)
		}
	}
	return counts, dst.Commit()
}

// checkCopyTarget refuses a copy between schemas Copy does not know all of,
// between deployments of different keys, or into a database with data.
func checkCopyTarget(ctx context.Context, src, dst *Tx) error {
	for _, tx := range []*Tx{src, dst} {
		if err := knownTables(ctx, tx); err != nil {
			return err
		}
	}
	var keys [2]string
	for i, tx := range []*Tx{src, dst} {
		err := tx.QueryRowContext(ctx, "SELECT key_fingerprint FROM deployment WHERE id = 1").Scan(&keys[i])
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read the deployment key's fingerprint: %w", err)
		}
	}
	if keys[0] == "" || keys[0] != keys[1] {
		return fmt.Errorf("%w: the source's key fingerprint is %q, the target's %q; copy with the source's key file (--key-file) into a new database: nothing was copied",
			ErrOtherKey, keys[0], keys[1])
	}
	for _, t := range copyTables {
		var n int64
		if err := dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteName(t.name)).Scan(&n); err != nil {
			return fmt.Errorf("count the target's %s: %w", t.name, err)
		}
		if n > 0 {
			rows := "rows"
			if n == 1 {
				rows = "row"
			}
			return fmt.Errorf("the target already holds data (%s has %d %s): copy only into a new, empty database; nothing was copied", t.name, n, rows)
		}
	}
	return nil
}

// knownTables refuses a schema with a table that is neither in copyTables
// nor in notCopied. SQLite's own tables and the search table's shadow
// tables are not the schema's.
func knownTables(ctx context.Context, tx *Tx) error {
	side, query := "source", `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if tx.db.dialect.postgres {
		side, query = "target", `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	tables, err := column[string](ctx, tx, query)
	if err != nil {
		return fmt.Errorf("list the %s's tables: %w", side, err)
	}
	for _, name := range tables {
		if _, skip := notCopied[name]; !skip && !slices.Contains(copiedNames(), name) {
			return fmt.Errorf("the %s has a table %s that this version of copy does not know: nothing was copied", side, name)
		}
	}
	return nil
}

// copyTable copies one table's rows, every column of the target's by name,
// in batches of one INSERT each.
func copyTable(ctx context.Context, src, dst *Tx, table, order string) error {
	cols, err := column[string](ctx, dst, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return fmt.Errorf("columns of %s: %w", table, err)
	}
	have, err := column[string](ctx, src, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return fmt.Errorf("columns of %s: %w", table, err)
	}
	for _, c := range have {
		if !slices.Contains(cols, c) {
			return fmt.Errorf("the source's %s has a column %s the target lacks: nothing was copied", table, c)
		}
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteName(c)
	}
	rows, err := src.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+" FROM "+quoteName(table)+" ORDER BY "+order)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	// PostgreSQL takes at most 65535 parameters a statement.
	perBatch := max(1, min(500, 60000/len(cols)))
	batch := make([]any, 0, perBatch*len(cols))
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		q := "INSERT INTO " + quoteName(table) + " (" + strings.Join(quoted, ", ") + ") VALUES " + placeholders(len(batch)/len(cols), len(cols))
		if _, err := dst.Tx.ExecContext(ctx, q, batch...); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		batch = append(batch, row...)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return flush()
}

// placeholders is "($1, $2), ($3, $4)" for 2 rows of 2 columns.
func placeholders(rows, cols int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// resetIdentities moves each identity column's sequence past the largest
// value copied, so the next row the target makes gets a new id.
func resetIdentities(ctx context.Context, dst *Tx) error {
	rows, err := dst.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	var idents [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		idents = append(idents, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range idents {
		t, c := quoteName(id[0]), quoteName(id[1])
		if _, err := dst.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("+c+"), 0) + 1, false) FROM "+t,
			t, id[1]); err != nil {
			return fmt.Errorf("reset the sequence of %s.%s: %w", id[0], id[1], err)
		}
	}
	return nil
}

// copyCounts counts each copied table's rows on both sides, and the search
// index's.
func copyCounts(ctx context.Context, src, dst *Tx) ([]TableCount, error) {
	var out []TableCount
	count := func(tx *Tx, table string) (int64, error) {
		var n int64
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteName(table)).Scan(&n)
		return n, err
	}
	for _, t := range append(copiedNames(), "token_search") {
		c := TableCount{Table: t}
		var err error
		if c.Source, err = count(src, t); err != nil {
			return nil, fmt.Errorf("count the source's %s: %w", t, err)
		}
		if c.Target, err = count(dst, t); err != nil {
			return nil, fmt.Errorf("count the target's %s: %w", t, err)
		}
		if t == "token_search" {
			c.Table = searchTable
		}
		out = append(out, c)
	}
	return out, nil
}

// quoteName quotes an identifier for both engines.
func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
