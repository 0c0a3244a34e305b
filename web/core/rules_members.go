package core

import (
	"context"

	"tokenward/auth/fault"
	"tokenward/store"
)

// Removal is what becomes of a removed member's API tokens: APITokens is
// store.KeepAPITokens (also when empty), store.RevokeAPITokens or
// store.TransferAPITokens, to the admin TransferTo. Their CLI tokens are
// always revoked.
type Removal struct {
	APITokens  string
	TransferTo int64
}

// check says what is wrong with the choice, a message per field.
func (r Removal) check() fault.Fields {
	errs := fault.Fields{}
	switch r.APITokens {
	case "", store.KeepAPITokens, store.RevokeAPITokens:
	case store.TransferAPITokens:
		if r.TransferTo <= 0 {
			errs["transfer_to"] = "Choose the admin who takes over their API tokens."
		}
	default:
		errs["api_tokens"] = "Choose whether their API tokens keep working, are revoked or go to another admin."
	}
	return errs
}

// RemoveMember removes a member from the org, revokes their CLI tokens and
// keeps, revokes or hands over their API tokens as r says, in one
// transaction. A bad choice, or a hand-over to anyone but another admin of
// the org, is fault.InvalidFields; removing the last admin is refused.
func (c *Core) RemoveMember(ctx context.Context, orgID, userID int64, r Removal, actor store.Actor) (store.Removal, error) {
	if errs := r.check(); errs.Any() {
		return store.Removal{}, fault.InvalidFields(errs)
	}
	res, err := c.DB.RemoveMember(ctx, orgID, userID, store.RemoveOptions{APITokens: r.APITokens, TransferTo: r.TransferTo}, actor)
	if fe := fault.As(err); fe != nil && fe.Code == fault.Invalid && fe.Fields.Any() {
		errs := fault.Fields{}
		for field, msg := range fe.Fields {
			errs[field] = msg
		}
		if errs.Has("transfer_to") {
			errs["transfer_to"] = "Choose another admin of this organization to take over their API tokens."
		}
		return store.Removal{}, fault.InvalidFields(errs)
	}
	return res, err
}
