// Package scramsecret makes and reads SCRAM-SHA-256 password verifiers in
// PostgreSQL's rolpassword format,
//
//	SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
//
// (base64 salt and keys). It is a leaf: the handshake (package protocol) reads
// verifiers to authenticate, the SQL layer (CREATE/ALTER ROLE ... PASSWORD) makes
// them, and neither has to import the other.
package scramsecret

import (
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
	Iterations = 4096
	SaltLen    = 16
	KeyLen     = sha256.Size
	Mechanism  = "SCRAM-SHA-256"
	prefix     = Mechanism + "$"
	// maxIterations bounds the iteration count read from a stored verifier;
	// a corrupt count must not make a login spin.
	maxIterations = 1 << 24
)

// New returns the SCRAM-SHA-256 verifier of password with a random 16-byte salt
// and 4096 iterations. The password is normalized with SASLprep; like
// PostgreSQL, a password that SASLprep refuses is used as it is.
func New(password string) (string, error) {
	if password == "" {
		return "", errors.New("SCRAM verifier: empty password")
	}
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("SCRAM verifier: salt: %w", err)
	}
	return Make(password, salt, Iterations)
}

// Make returns the verifier of password with the given salt and iteration count.
func Make(password string, salt []byte, iterations int) (string, error) {
	client, err := scram.SHA256.NewClient("", password, "")
	if err != nil {
		// SASLprep refused the password (unassigned code points, say): PostgreSQL
		// then hashes the raw bytes, and so does libpq on the client side.
		if client, err = scram.SHA256.NewClientUnprepped("", password, ""); err != nil {
			return "", fmt.Errorf("SCRAM verifier: %w", err)
		}
	}
	cred, err := client.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iterations})
	if err != nil {
		return "", fmt.Errorf("SCRAM verifier: %w", err)
	}
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s%d:%s$%s:%s", prefix, iterations, b64(salt), b64(cred.StoredKey), b64(cred.ServerKey)), nil
}

// Parse reads a verifier.
func Parse(v string) (scram.StoredCredentials, error) {
	var none scram.StoredCredentials
	rest, ok := strings.CutPrefix(v, prefix)
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
	if err != nil || iterations < 1 || iterations > maxIterations {
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
	if err != nil || len(storedKey) != KeyLen {
		return none, errors.New("SCRAM verifier: bad stored key")
	}
	serverKey, err := base64.StdEncoding.DecodeString(serverText)
	if err != nil || len(serverKey) != KeyLen {
		return none, errors.New("SCRAM verifier: bad server key")
	}
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(salt), Iters: iterations},
		StoredKey:  storedKey,
		ServerKey:  serverKey,
	}, nil
}

// IsMD5 reports whether v is an MD5 password hash ("md5" and 32 hex digits),
// which PostgreSQL stores as given.
func IsMD5(v string) bool {
	if len(v) != 35 || !strings.HasPrefix(v, "md5") {
		return false
	}
	for _, c := range v[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Secret returns what PostgreSQL stores for a password given to CREATE or
// ALTER ROLE: a SCRAM verifier or MD5 hash as it is (that is what psql's
// \password and clients that hash on their side send), anything else hashed
// into a new SCRAM verifier.
func Secret(password string) (string, error) {
	if _, err := Parse(password); err == nil || IsMD5(password) {
		return password, nil
	}
	return New(password)
}
