package views

// TokenForm is the create and edit dialogs' values and errors.
type TokenForm struct {
	Kind      string
	KindLabel string
	Action    string // where the form posts
	Cancel    string // where Cancel goes without JavaScript
	CSRF      string
	Name      string
	Scopes    []ScopeGroup
	Expiry    ExpiryField
	// ShowVisibility is false for CLI tokens, which are personal.
	ShowVisibility bool
	Visibility     string
	// Shareable is false for an admins-only token in the edit dialog:
	// sharing needs a rotation, which the dialog offers.
	HashOnly bool
	Hint     string // the edit dialog's guard against rotating twice
	Quota    string
	Errors   FieldErrors
}

// ExpiryField is the expiry control of the create and rotate dialogs.
type ExpiryField struct {
	Label   string
	Choice  string // a preset in days, "custom" or "never"
	Date    string // YYYY-MM-DD, for "custom"
	Choices []ExpiryChoice
	// MinDate and MaxDate bound the date field (YYYY-MM-DD).
	MinDate, MaxDate string
	// Result says what the chosen expiry gives: "Expires on Tue 8 Dec 2026".
	Result  string
	MaxDays int // the policy's maximum lifetime, 0 for none
}

// ExpiryChoice is one option of the expiry control, with what it gives.
type ExpiryChoice struct {
	Value  string
	Label  string
	Result string
}

// ScopeGroup is a scope and, indented under it, the scopes it grants.
type ScopeGroup struct {
	Parent   ScopeChoice
	Children []ScopeChoice
}

// ScopeChoice is a scope checkbox.
type ScopeChoice struct {
	Name        string
	Description string
	Checked     bool
}

// RotateForm is the rotate dialog.
type RotateForm struct {
	Name string
	// Hint is the secret's hint when the dialog opened; the server refuses
	// the post once the token has been rotated since (a reload, say).
	Hint   string
	Action string
	Cancel string
	CSRF   string
	Grace  string
	Graces []Option // when the old secret stops, in the order shown
	// Expiry is the new expiry, preset to the same lifetime from now.
	Expiry ExpiryField
	// PolicyCut says when the policy's maximum lifetime ends the token
	// whatever is chosen; "" when there is no maximum.
	PolicyCut string
	Errors    FieldErrors
}

// ConfirmForm is a yes-or-no dialog: disable, enable, revoke, bulk actions.
type ConfirmForm struct {
	Title   string
	Message string
	Items   []string // names the action applies to, when several
	Action  string
	Cancel  string
	CSRF    string
	Button  string
	Danger  bool
	Hidden  map[string][]string // extra fields to post (bulk ids)
	TestID  string
}
