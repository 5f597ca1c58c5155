// Package datadir owns the top level of Augur's data directory: the format version
// file, the exclusive lock that keeps two servers off one directory, and the global
// catalog of roles and databases created at bootstrap.
//
// Layout:
//
//	<data>/AUGUR_VERSION   format version ("2"); a directory of another format is refused
//	<data>/augur.lock      flock(2)-held while a server runs on the directory
//	<data>/global.json     roles (with SCRAM-SHA-256 verifiers only) and databases
//	<data>/...             subdirectories owned by storage (Badger, WAL)
//
// global.json is deliberately a small, versioned JSON document written atomically
// (temp file, fsync, rename, fsync of the directory): the transactional catalog that
// the SQL layer builds in Badger takes it over by reading it once at its first start
// (see docs/architecture.md, "Bootstrap state").
package datadir

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/augurdb/augur/protocol"
)

// FormatVersion is the data directory format this build reads and writes.
// Format 2: catalog descriptors are keyed by schema (storage/catalog); a
// format 1 directory's catalog would not load, so it is refused.
const FormatVersion = "2"

// BootstrapUser is the superuser created on first start.
const BootstrapUser = "augur"

// BootstrapDatabases are created on first start.
var bootstrapDatabases = []string{"augur", "postgres"}

const (
	versionFile = "AUGUR_VERSION"
	lockFile    = "augur.lock"
	globalFile  = "global.json"
)

// Role is a stored role.
type Role struct {
	Name      string `json:"name"`
	Superuser bool   `json:"superuser"`
	CanLogin  bool   `json:"can_login"`
	// SCRAM is the PostgreSQL-format SCRAM-SHA-256 verifier; the password itself is never stored.
	SCRAM string `json:"scram,omitempty"`
	// ValidUntil is when the password expires; nil: never.
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	// ConnLimit is the role's CONNECTION LIMIT; nil: none.
	ConnLimit *int `json:"connection_limit,omitempty"`
	// Config are the role's session defaults, "name=value" (ALTER ROLE ... SET).
	Config []string `json:"config,omitempty"`
}

// Database is a stored database.
type Database struct {
	Name  string `json:"name"`
	Owner string `json:"owner"`
}

// global is the on-disk document.
type global struct {
	Version   int        `json:"version"`
	Roles     []Role     `json:"roles"`
	Databases []Database `json:"databases"`
	// MockAuthSecret keys the fake SCRAM salts given to unknown users (like
	// PostgreSQL's mock_auth_nonce): random per directory, so the fake salts cannot
	// be told from real ones without it.
	MockAuthSecret []byte `json:"mock_auth_secret"`
}

// Dir is an open, locked data directory. Its methods are safe for concurrent use.
type Dir struct {
	path string
	lock *os.File

	mu sync.RWMutex
	g  global
}

// Bootstrap reports what Open did on first start.
type Bootstrap struct {
	Created bool
	// GeneratedPassword is set when no password was supplied and one was generated;
	// the caller prints it once. It is not stored anywhere.
	GeneratedPassword string
}

// Open opens the data directory at path, creating and bootstrapping it when it does
// not exist or is empty. password is the bootstrap superuser's password (from
// AUGUR_PASSWORD); when empty, a strong one is generated and returned in Bootstrap.
func Open(path, password string) (*Dir, Bootstrap, error) {
	var boot Bootstrap
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, boot, fmt.Errorf("datadir: %s: %w", path, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, boot, fmt.Errorf("datadir: create %s: %w", abs, err)
	}
	d := &Dir{path: abs}
	if err := d.acquireLock(); err != nil {
		return nil, boot, err
	}
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()

	v, err := os.ReadFile(filepath.Join(abs, versionFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		empty, err := isEmptyExcept(abs, lockFile)
		if err != nil {
			return nil, boot, err
		}
		if !empty {
			return nil, boot, fmt.Errorf("datadir: %s is not empty and has no %s: not an Augur data directory", abs, versionFile)
		}
		if boot, err = d.bootstrap(password); err != nil {
			return nil, boot, err
		}
	case err != nil:
		return nil, boot, fmt.Errorf("datadir: read %s: %w", versionFile, err)
	default:
		if got := strings.TrimSpace(string(v)); got != FormatVersion {
			return nil, boot, fmt.Errorf("datadir: %s has format version %q, this build of Augur reads format %q only", abs, got, FormatVersion)
		}
		if err := d.load(); err != nil {
			return nil, boot, err
		}
	}
	ok = true
	return d, boot, nil
}

// Path returns the absolute path of the directory.
func (d *Dir) Path() string { return d.path }

// Close releases the lock.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close() // closing the descriptor releases the flock
	d.lock = nil
	return err
}

func (d *Dir) acquireLock() error {
	f, err := os.OpenFile(filepath.Join(d.path, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("datadir: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("datadir: %s is in use by another Augur server", d.path)
		}
		return fmt.Errorf("datadir: lock %s: %w", d.path, err)
	}
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d\n", os.Getpid())
	}
	d.lock = f
	return nil
}

func (d *Dir) bootstrap(password string) (Bootstrap, error) {
	boot := Bootstrap{Created: true}
	if password == "" {
		p, err := generatePassword()
		if err != nil {
			return boot, err
		}
		password, boot.GeneratedPassword = p, p
	}
	verifier, err := protocol.NewSCRAMVerifier(password)
	if err != nil {
		return boot, fmt.Errorf("datadir: bootstrap: %w", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return boot, fmt.Errorf("datadir: bootstrap: %w", err)
	}
	g := global{Version: 1, Roles: []Role{{Name: BootstrapUser, Superuser: true, CanLogin: true, SCRAM: verifier}}, MockAuthSecret: secret}
	for _, db := range bootstrapDatabases {
		g.Databases = append(g.Databases, Database{Name: db, Owner: BootstrapUser})
	}
	if err := d.writeGlobal(g); err != nil {
		return boot, err
	}
	// The version file is written last: its presence marks a complete bootstrap.
	if err := writeFileAtomic(d.path, versionFile, []byte(FormatVersion+"\n")); err != nil {
		return boot, fmt.Errorf("datadir: bootstrap: %w", err)
	}
	d.g = g
	return boot, nil
}

func (d *Dir) load() error {
	b, err := os.ReadFile(filepath.Join(d.path, globalFile))
	if err != nil {
		return fmt.Errorf("datadir: read %s: %w", globalFile, err)
	}
	var g global
	if err := json.Unmarshal(b, &g); err != nil {
		return fmt.Errorf("datadir: %s is corrupt: %w", globalFile, err)
	}
	if g.Version != 1 {
		return fmt.Errorf("datadir: %s has version %d, want 1", globalFile, g.Version)
	}
	if len(g.MockAuthSecret) < 16 {
		return fmt.Errorf("datadir: %s has no mock_auth_secret", globalFile)
	}
	d.g = g
	return nil
}

func (d *Dir) writeGlobal(g global) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return fmt.Errorf("datadir: encode %s: %w", globalFile, err)
	}
	if err := writeFileAtomic(d.path, globalFile, append(b, '\n')); err != nil {
		return fmt.Errorf("datadir: %w", err)
	}
	return nil
}

// Role implements protocol.Roles.
func (d *Dir) Role(name string) (protocol.Role, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, r := range d.g.Roles {
		if r.Name == name {
			return protocol.Role{Name: r.Name, Superuser: r.Superuser, CanLogin: r.CanLogin, SCRAM: r.SCRAM, ValidUntil: r.ValidUntil, ConnLimit: r.ConnLimit, Config: r.Config}, true
		}
	}
	return protocol.Role{}, false
}

// DatabaseExists implements protocol.Roles.
func (d *Dir) DatabaseExists(name string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, db := range d.g.Databases {
		if db.Name == name {
			return true
		}
	}
	return false
}

// MockAuthSecret returns the key for fake SCRAM salts (see protocol.Options).
func (d *Dir) MockAuthSecret() []byte {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]byte(nil), d.g.MockAuthSecret...)
}

// Databases returns the stored databases.
func (d *Dir) Databases() []Database {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]Database(nil), d.g.Databases...)
}

func generatePassword() (string, error) {
	b := make([]byte, 24) // 192 bits
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("datadir: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func isEmptyExcept(dir, except string) (bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("datadir: list %s: %w", dir, err)
	}
	for _, e := range ents {
		if e.Name() != except {
			return false, nil
		}
	}
	return true, nil
}

// writeFileAtomic replaces dir/name with data durably: temp file, fsync, rename, fsync dir.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("fsync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rename %s: %w", name, err)
	}
	df, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	defer df.Close()
	if err := df.Sync(); err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	return nil
}

// SetDatabases replaces the stored databases (the catalog is their source; the
// handshake reads them from here).
func (d *Dir) SetDatabases(dbs []Database) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.g
	g.Databases = append([]Database(nil), dbs...)
	if err := d.writeGlobal(g); err != nil {
		return err
	}
	d.g = g
	return nil
}

// Roles returns the stored roles.
func (d *Dir) Roles() []Role {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]Role(nil), d.g.Roles...)
}

// SetRoles replaces the stored roles (the catalog is their source once the SQL
// layer has taken them over; the handshake reads them from here).
func (d *Dir) SetRoles(roles []Role) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.g
	g.Roles = append([]Role(nil), roles...)
	if err := d.writeGlobal(g); err != nil {
		return err
	}
	d.g = g
	return nil
}
