package protocol

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/xdg-go/scram"

	"github.com/augurdb/augur/protocol/scramsecret"
)

// SCRAM parameters PostgreSQL uses by default (scram_iterations, SCRAM_DEFAULT_SALT_LEN).
const (
	scramIterations = scramsecret.Iterations
	scramSaltLen    = scramsecret.SaltLen
	scramKeyLen     = scramsecret.KeyLen
	scramMechanism  = scramsecret.Mechanism
)

// NewSCRAMVerifier returns the SCRAM-SHA-256 verifier of password in PostgreSQL's
// rolpassword format, "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>",
// with a random 16-byte salt and 4096 iterations (see package scramsecret).
func NewSCRAMVerifier(password string) (string, error) {
	v, err := scramsecret.New(password)
	if err != nil {
		return "", fmt.Errorf("protocol: %w", err)
	}
	return v, nil
}

func scramVerifier(password string, salt []byte, iterations int) (string, error) {
	return scramsecret.Make(password, salt, iterations)
}

// parseSCRAMVerifier parses a verifier in PostgreSQL's rolpassword format.
func parseSCRAMVerifier(v string) (scram.StoredCredentials, error) {
	return scramsecret.Parse(v)
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
