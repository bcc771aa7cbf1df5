package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ClientTLS holds the TLS keys of a service section, as Kapacitor names them
// in [[mqtt]], [[kafka]], [[slack]] and [[discord]]: ssl-ca, ssl-cert,
// ssl-key and insecure-skip-verify.
type ClientTLS struct {
	CA         string // PEM file of the certificate authorities that sign the server's certificate
	Cert       string // PEM file of the client certificate
	Key        string // PEM file of the client certificate's private key
	SkipVerify bool   // accept any server certificate
}

// Config loads the files into a client tls.Config: the CA pool replaces the
// system's roots, the certificate pair is presented to servers that ask for
// one. It returns nil when no key is set, so that the client keeps Go's
// defaults. Each error names the key and the file: an unreadable file, a
// file without a PEM certificate, a certificate without its key (or the
// reverse), a pair that does not match.
func (c ClientTLS) Config() (*tls.Config, error) {
	if c == (ClientTLS{}) {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: c.SkipVerify}
	if c.CA != "" {
		pem, err := os.ReadFile(c.CA)
		if err != nil {
			return nil, fmt.Errorf("ssl-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ssl-ca: %s holds no PEM certificate", c.CA)
		}
		cfg.RootCAs = pool
	}
	switch {
	case c.Cert != "" && c.Key == "":
		return nil, errors.New("ssl-cert is set without ssl-key: both files are needed")
	case c.Cert == "" && c.Key != "":
		return nil, errors.New("ssl-key is set without ssl-cert: both files are needed")
	case c.Cert != "":
		certPEM, err := os.ReadFile(c.Cert)
		if err != nil {
			return nil, fmt.Errorf("ssl-cert: %w", err)
		}
		keyPEM, err := os.ReadFile(c.Key)
		if err != nil {
			return nil, fmt.Errorf("ssl-key: %w", err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("ssl-cert %s, ssl-key %s: %w", c.Cert, c.Key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// checkEach applies check to every entry of a multi-section service ([[mqtt]],
// [[slack]], …), naming the entry in its error by name, or by its index when
// it has none.
func checkEach[C any](list []C, name func(C) string, check func(C) error) error {
	var errs []error
	for i, c := range list {
		if err := check(c); err != nil {
			if n := name(c); n != "" {
				errs = append(errs, fmt.Errorf("%q: %w", n, err))
			} else {
				errs = append(errs, fmt.Errorf("entry %d: %w", i+1, err))
			}
		}
	}
	return errors.Join(errs...)
}
