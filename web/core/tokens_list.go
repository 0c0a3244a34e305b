package core

import (
	"context"

	"tokenward/auth"
	"tokenward/store"
)

// ListTokens is one page of org's tokens of kind that q selects, narrowed
// to what me may see (auth.TokenListFilter): the dashboard's tabs and
// GET /api/v1/tokens both read through it. A whole pasted token is found by
// its hash, never by its text.
func (s *Core) ListTokens(ctx context.Context, me auth.Principal, org store.Org, kind auth.Kind, q TokenQuery, perPage int) (store.TokenPage, error) {
	filter := auth.TokenListFilter(me, kind)
	if filter.Nothing {
		return store.TokenPage{}, nil
	}
	sq := store.TokenQuery{OrgID: org.ID, Kind: string(kind), Search: q.Q, CreatorRole: q.Role, ServiceID: q.Service,
		Statuses: q.Statuses, OnlyOrgVisible: filter.OnlyOrgVisible, OwnerUserID: filter.OwnerUserID,
		Sort: q.Sort, Desc: q.Desc, Page: q.Page, PerPage: perPage, MaxDays: org.Policy.MaxDays}
	sq.Granted = map[string]string{"all": store.GrantedToo, "personal": store.GrantedOnly}[q.Type]
	if q.Pasted {
		sq.SecretHash, sq.Search = q.Hash[:], ""
	}
	return s.DB.Tokens(ctx, sq)
}
