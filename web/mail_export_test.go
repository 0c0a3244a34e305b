package web

import "tokenward/web/engine"

// SealSMTPPasswordForTest seals an SMTP password as the settings form does
// under the deployment key master.
func SealSMTPPasswordForTest(master []byte, password string) []byte {
	m, err := engine.NewMailer(nil, nil, master, "")
	if err != nil {
		panic(err)
	}
	return m.Sealer.Seal(engine.SMTPPasswordAAD, password)
}
