package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"tokenward/auth/fault"
	"unicode/utf8"
)

// The store's queries are written once, in the SQL both engines speak, with
// SQLite's parameters: ?, ?NNN and :name. On PostgreSQL each query is
// rewritten once (and remembered) to $N parameters, its named arguments
// put in their places, LIKE made ILIKE (what SQLite's ASCII-case-blind
// LIKE is there), CROSS JOIN made JOIN and INDEXED BY hints dropped. The
// few fragments that differ beyond that are the dialect's fields below.

// dialect is what differs in the SQL of the two engines.
type dialect struct {
	postgres bool
	// match is the condition that token_search.body contains the text of
	// the named parameter, and matchArg the argument for a search text.
	match    func(param string) string
	matchArg func(s string) string
	// rows is a FROM item named v whose rows are the objects of a JSON
	// array passed as the statement's one ? argument, with the given
	// columns ("name TYPE"), so a statement writes a whole batch in one
	// round trip and its text does not depend on the batch's size.
	rows func(cols ...string) string
}

var sqliteDialect = dialect{
	match:    func(p string) string { return "token_search MATCH :" + p },
	matchArg: ftsPhrase,
	rows: func(cols ...string) string {
		fields := make([]string, len(cols))
		for i, c := range cols {
			name, _, _ := strings.Cut(c, " ")
			fields[i] = "value ->> '" + name + "' AS " + name
		}
		return "(SELECT " + strings.Join(fields, ", ") + " FROM json_each(?)) AS v"
	},
}

var postgresDialect = dialect{
	postgres: true,
	match:    func(p string) string { return `token_search.body ILIKE :` + p + ` ESCAPE '\'` },
	matchArg: func(s string) string { return "%" + escapeLike(s) + "%" },
	rows: func(cols ...string) string {
		return "jsonb_to_recordset(CAST(? AS jsonb)) AS v(" + strings.Join(cols, ", ") + ")"
	},
}

// boundQuery is a query rewritten for PostgreSQL: its text and, for each
// $N in order, the positional index or the name of the argument it takes.
type boundQuery struct {
	text  string
	slots []slot
}

type slot struct {
	pos  int // 0-based index among positional arguments, or -1
	name string
}

var boundCache sync.Map // query text -> *boundQuery

// bind rewrites query and args for the engine.
func (d dialect) bind(query string, args []any) (string, []any, error) {
	if !d.postgres {
		return query, args, nil
	}
	var bq *boundQuery
	if v, ok := boundCache.Load(query); ok {
		bq = v.(*boundQuery)
	} else {
		bq = rewrite(query)
		boundCache.Store(query, bq)
	}
	var positional []any
	named := map[string]any{}
	for _, a := range args {
		if n, ok := a.(sql.NamedArg); ok {
			named[n.Name] = n.Value
		} else {
			positional = append(positional, a)
		}
	}
	out := make([]any, len(bq.slots))
	for i, s := range bq.slots {
		var v any
		if s.name != "" {
			var ok bool
			if v, ok = named[s.name]; !ok {
				return "", nil, fmt.Errorf("query needs argument :%s", s.name)
			}
		} else {
			if s.pos >= len(positional) {
				return "", nil, fmt.Errorf("query needs %d arguments, got %d", s.pos+1, len(positional))
			}
			v = positional[s.pos]
		}
		// PostgreSQL's text holds UTF-8 without NUL; anything else would
		// break the connection's protocol rather than fail the statement.
		if s, ok := v.(string); ok && !validText(s) {
			return "", nil, errBadText
		}
		// Flags are integer columns on both engines; SQLite's driver turns a
		// bool into 0 or 1 and pgx is told to do the same.
		if b, ok := v.(bool); ok {
			if b {
				v = int64(1)
			} else {
				v = int64(0)
			}
		}
		out[i] = v
	}
	return bq.text, out, nil
}

// errBadText refuses text PostgreSQL cannot hold. The web layer refuses such
// input before it gets here; this keeps a miss from reaching the server.
var errBadText = fault.New(fault.Malformed, "Text must be UTF-8 without NUL characters.")

// validText reports whether s is text PostgreSQL can hold.
func validText(s string) bool { return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) }

// rewrite turns SQLite parameters into PostgreSQL's $N, one $N per distinct
// name or number, and LIKE into ILIKE, leaving string literals, quoted
// identifiers and comments alone.
func rewrite(q string) *boundQuery {
	var b strings.Builder
	bq := &boundQuery{}
	index := map[string]int{} // "?3" or ":name" -> $N
	largest := 0
	place := func(key string, s slot) {
		n, ok := index[key]
		if !ok {
			bq.slots = append(bq.slots, s)
			n = len(bq.slots)
			index[key] = n
		}
		b.WriteString("$" + strconv.Itoa(n))
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '?':
			// ?NNN is argument NNN; a bare ? the one after the largest
			// number used so far, as in SQLite.
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := largest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			largest = max(largest, n)
			place("?"+strconv.Itoa(n), slot{pos: n - 1})
			i = j
		case c == ':' && i+1 < len(q) && isIdentStart(q[i+1]) && (i == 0 || q[i-1] != ':'):
			j := i + 1
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			place(q[i:j], slot{pos: -1, name: q[i+1 : j]})
			i = j
		case (c == 'L' || c == 'l') && wordAt(q, i, "LIKE"):
			b.WriteString("ILIKE")
			i += 4
		case (c == 'C' || c == 'c') && wordAt(q, i, "CROSS JOIN"):
			// SQLite's CROSS JOIN … ON fixes the join order; PostgreSQL's
			// planner picks its own, and knows only JOIN … ON.
			b.WriteString("JOIN")
			i += len("CROSS JOIN")
		case (c == 'I' || c == 'i') && wordAt(q, i, "INDEXED BY"):
			// SQLite's index hint names an index both schemas have;
			// PostgreSQL takes no hints.
			j := i + len("INDEXED BY")
			for j < len(q) && q[j] == ' ' {
				j++
			}
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	bq.text = b.String()
	return bq
}

// wordAt reports whether q holds the keyword w (any case) at i as a whole
// word.
func wordAt(q string, i int, w string) bool {
	if i+len(w) > len(q) || !strings.EqualFold(q[i:i+len(w)], w) {
		return false
	}
	if i > 0 && isIdent(q[i-1]) {
		return false
	}
	return i+len(w) == len(q) || !isIdent(q[i+len(w)])
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// The transaction's statements go through the dialect, so every query in
// the store is written once.

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, a, err := tx.db.dialect.bind(query, args)
	if err != nil {
		return nil, err
	}
	return tx.Tx.ExecContext(ctx, q, a...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, a, err := tx.db.dialect.bind(query, args)
	if err != nil {
		return nil, err
	}
	return tx.Tx.QueryContext(ctx, q, a...)
}

// QueryRowContext runs a query of at most one row in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q, a, err := tx.db.dialect.bind(query, args)
	if err != nil {
		// A Row carries its error to Scan, so a query that cannot be bound
		// (a programming error) fails there with the reason in its message.
		return tx.Tx.QueryRowContext(ctx, "SELECT CAST($1 AS integer)", err.Error())
	}
	return tx.Tx.QueryRowContext(ctx, q, a...)
}

// PrepareContext prepares a statement in the transaction. Its arguments
// go through the dialect on each use.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*Stmt, error) {
	q, _, err := tx.db.dialect.bind(query, nil)
	if err != nil && !tx.db.dialect.postgres {
		return nil, err
	}
	if tx.db.dialect.postgres {
		q = boundText(query)
	}
	st, err := tx.Tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &Stmt{Stmt: st, query: query, d: tx.db.dialect}, nil
}

// boundText is the PostgreSQL text of query.
func boundText(query string) string {
	if v, ok := boundCache.Load(query); ok {
		return v.(*boundQuery).text
	}
	bq := rewrite(query)
	boundCache.Store(query, bq)
	return bq.text
}

// Stmt is a prepared statement whose arguments go through the dialect.
type Stmt struct {
	*sql.Stmt
	query string
	d     dialect
}

// ExecContext runs the statement.
func (s *Stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	_, a, err := s.d.bind(s.query, args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.ExecContext(ctx, a...)
}

// QueryRowContext runs the statement for at most one row.
func (s *Stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	_, a, _ := s.d.bind(s.query, args)
	return s.Stmt.QueryRowContext(ctx, a...)
}

// QueryContext runs the statement.
func (s *Stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	_, a, err := s.d.bind(s.query, args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.QueryContext(ctx, a...)
}

// pool is one of the database's connection pools, with the dialect, for
// the few statements that run outside a transaction.
type pool struct {
	*sql.DB
	d dialect
}

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, a, err := p.d.bind(query, args)
	if err != nil {
		return nil, err
	}
	return p.DB.ExecContext(ctx, q, a...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q, a, _ := p.d.bind(query, args)
	return p.DB.QueryRowContext(ctx, q, a...)
}
