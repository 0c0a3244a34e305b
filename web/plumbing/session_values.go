package plumbing

import "github.com/labstack/echo/v4"

// PutSessionValue keeps value under key in the encrypted session cookie,
// for a step that spans requests (a sign-in at an identity provider). The
// cookie is signed and encrypted with keys derived from the deployment key,
// so the browser can neither read nor change it.
func (s *Site) PutSessionValue(c echo.Context, key, value string) error {
	State(c).sess.Values[key] = value
	return s.saveSession(c)
}

// TakeSessionValue returns the value kept under key and removes it, so it
// is used once; "" when there is none.
func (s *Site) TakeSessionValue(c echo.Context, key string) (string, error) {
	st := State(c)
	v, _ := st.sess.Values[key].(string)
	if v == "" {
		return "", nil
	}
	delete(st.sess.Values, key)
	return v, s.saveSession(c)
}
