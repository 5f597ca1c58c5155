package protocol

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"
)

// SCRAM parameters PostgreSQL uses by default (scram_iterations, SCRAM_DEFAULT_SALT_LEN).
const (
	scramIterations = 4096
	scramSaltLen    = 16
	scramKeyLen     = sha256.Size
	scramMechanism  = "SCRAM-SHA-256"
	scramPrefix     = scramMechanism + "$"
	// maxSCRAMIterations bounds the iteration count read from a stored verifier;
	// a corrupt count must not make a login spin.
	maxSCRAMIterations = 1 << 24
)

// NewSCRAMVerifier returns the SCRAM-SHA-256 verifier of password in PostgreSQL's
// rolpassword format, "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>",
// with a random 16-byte salt and 4096 iterations. The password is normalized with
// SASLprep; like PostgreSQL, a password that SASLprep refuses is used as it is.
func NewSCRAMVerifier(password string) (string, error) {
	if password == "" {
		return "", errors.New("protocol: SCRAM verifier: empty password")
	}
	salt := make([]byte, scramSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("protocol: SCRAM verifier: salt: %w", err)
	}
	return scramVerifier(password, salt, scramIterations)
}

func scramVerifier(password string, salt []byte, iterations int) (string, error) {
	client, err := scram.SHA256.NewClient("", password, "")
	if err != nil {
		// SASLprep refused the password (unassigned code points, say): PostgreSQL
		// then hashes the raw bytes, and so does libpq on the client side.
		if client, err = scram.SHA256.NewClientUnprepped("", password, ""); err != nil {
			return "", fmt.Errorf("protocol: SCRAM verifier: %w", err)
		}
	}
	cred, err := client.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iterations})
	if err != nil {
		return "", fmt.Errorf("protocol: SCRAM verifier: %w", err)
	}
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s%d:%s$%s:%s", scramPrefix, iterations, b64(salt), b64(cred.StoredKey), b64(cred.ServerKey)), nil
}

// parseSCRAMVerifier parses a verifier in PostgreSQL's rolpassword format.
func parseSCRAMVerifier(v string) (scram.StoredCredentials, error) {
	var none scram.StoredCredentials
	rest, ok := strings.CutPrefix(v, scramPrefix)
	if !ok {
		return none, errors.New("not a SCRAM-SHA-256 verifier")
	}
	factors, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return none, errors.New("SCRAM verifier: missing keys")
	}
	iterText, saltText, ok := strings.Cut(factors, ":")
	if !ok {
		return none, errors.New("SCRAM verifier: missing salt")
	}
	iterations, err := strconv.Atoi(iterText)
	if err != nil || iterations < 1 || iterations > maxSCRAMIterations {
		return none, fmt.Errorf("SCRAM verifier: bad iteration count %q", iterText)
	}
	salt, err := base64.StdEncoding.DecodeString(saltText)
	if err != nil || len(salt) == 0 {
		return none, errors.New("SCRAM verifier: bad salt")
	}
	storedText, serverText, ok := strings.Cut(keys, ":")
	if !ok {
		return none, errors.New("SCRAM verifier: missing server key")
	}
	storedKey, err := base64.StdEncoding.DecodeString(storedText)
	if err != nil || len(storedKey) != scramKeyLen {
		return none, errors.New("SCRAM verifier: bad stored key")
	}
	serverKey, err := base64.StdEncoding.DecodeString(serverText)
	if err != nil || len(serverKey) != scramKeyLen {
		return none, errors.New("SCRAM verifier: bad server key")
	}
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(salt), Iters: iterations},
		StoredKey:  storedKey,
		ServerKey:  serverKey,
	}, nil
}

// defaultMockSecret keys mock salts when Options.MockAuthSecret is empty.
const defaultMockSecret = "augur mock SCRAM salt"

// mockSCRAMCredentials returns credentials for a SCRAM exchange that must fail:
// with an unknown role, or a role without a usable verifier. The salt is derived
// from the role name, so a client asking twice sees the same salt, as it would
// for a real role; the keys are random, so that no proof matches.
func mockSCRAMCredentials(secret []byte, user string) scram.StoredCredentials {
	if len(secret) == 0 {
		secret = []byte(defaultMockSecret)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(user))
	salt := mac.Sum(nil)[:scramSaltLen]
	storedKey := make([]byte, scramKeyLen)
	serverKey := make([]byte, scramKeyLen)
	// crypto/rand.Read never fails (it crashes the program instead).
	_, _ = rand.Read(storedKey)
	_, _ = rand.Read(serverKey)
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(salt), Iters: scramIterations},
		StoredKey:  storedKey,
		ServerKey:  serverKey,
	}
}
