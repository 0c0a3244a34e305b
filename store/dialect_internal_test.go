package store

import (
	"database/sql"
	"errors"
	"slices"
	"testing"

	"tokenward/auth/fault"
)

// TestRewriteForPostgres pins how a query in SQLite's form becomes
// PostgreSQL's: parameters numbered once per name or number, arguments put
// in their places, LIKE made ILIKE, CROSS JOIN made JOIN, index hints
// dropped, and nothing changed inside literals, quoted names or comments.
func TestRewriteForPostgres(t *testing.T) {
	for _, c := range []struct {
		in, want string
		args     []any
		wantArgs []any
	}{
		{"SELECT ? , ?", "SELECT $1 , $2", []any{"a", int64(2)}, []any{"a", int64(2)}},
		{"WHERE a = ?2 AND b = ?1 AND c = ?2", "WHERE a = $1 AND b = $2 AND c = $1", []any{"one", "two"}, []any{"two", "one"}},
		{"WHERE x = ?1 OR y = ?", "WHERE x = $1 OR y = $2", []any{"p", "q"}, []any{"p", "q"}},
		{"WHERE a = :org AND (b = :kind OR c = :org)", "WHERE a = $1 AND (b = $2 OR c = $1)",
			[]any{sql.Named("kind", "api"), sql.Named("org", int64(7))}, []any{int64(7), "api"}},
		{"SELECT ':not', '?', \"a?b\" -- ? :c\nFROM t WHERE v = ?", "SELECT ':not', '?', \"a?b\" -- ? :c\nFROM t WHERE v = $1", []any{"v"}, []any{"v"}},
		{"SELECT 'it''s ?' WHERE n LIKE ? ESCAPE '\\'", "SELECT 'it''s ?' WHERE n ILIKE $1 ESCAPE '\\'", []any{"%x%"}, []any{"%x%"}},
		{"SELECT likes, unlike FROM t WHERE a like ?", "SELECT likes, unlike FROM t WHERE a ILIKE $1", []any{"a"}, []any{"a"}},
		{"FROM l CROSS JOIN tokens t ON t.rowid = l.r", "FROM l JOIN tokens t ON t.rowid = l.r", nil, []any{}},
		{"FROM tokens t INDEXED BY tokens_org_audit WHERE t.id = ?", "FROM tokens t  WHERE t.id = $1", []any{"x"}, []any{"x"}},
		{"SELECT CAST(x AS text)::text", "SELECT CAST(x AS text)::text", nil, []any{}},
		{"SET flag = ?", "SET flag = $1", []any{true}, []any{int64(1)}},
	} {
		q, args, err := postgresDialect.bind(c.in, c.args)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if q != c.want || !slices.Equal(args, c.wantArgs) {
			t.Errorf("%q:\n got %q %v\nwant %q %v", c.in, q, args, c.want, c.wantArgs)
		}
	}
	if q, args, _ := sqliteDialect.bind("WHERE a LIKE :x", []any{sql.Named("x", "y")}); q != "WHERE a LIKE :x" || len(args) != 1 {
		t.Errorf("SQLite queries go as they are: %q %v", q, args)
	}
	for _, bad := range []struct {
		q    string
		args []any
	}{
		{"WHERE a = :missing", nil},
		{"WHERE a = ? AND b = ?", []any{"only one"}},
		{"WHERE a = ?", []any{"nul\x00byte"}},
		{"WHERE a = ?", []any{"\xff not utf-8"}},
	} {
		if _, _, err := postgresDialect.bind(bad.q, bad.args); err == nil {
			t.Errorf("%q %q: bound without error", bad.q, bad.args)
		} else if len(bad.args) == 1 && bad.q == "WHERE a = ?" && !errors.Is(err, errBadText) && fault.CodeOf(err) != fault.Malformed {
			t.Errorf("%q: %v, want the bad-text refusal", bad.args, err)
		}
	}
}
