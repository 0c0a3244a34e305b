package web

// SealSMTPPasswordForTest seals an SMTP password as the settings form does
// under the deployment key master.
func SealSMTPPasswordForTest(master []byte, password string) []byte {
	m, err := newMailer(nil, nil, master, "")
	if err != nil {
		panic(err)
	}
	return m.sealer.Seal(smtpPasswordAAD, password)
}
