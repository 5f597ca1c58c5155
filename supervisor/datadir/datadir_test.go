package datadir

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdg-go/scram"
)

func TestBootstrapThenReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data")
	d, boot, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if !boot.Created || len(boot.GeneratedPassword) < 32 {
		t.Fatalf("bootstrap = %+v", boot)
	}
	r, ok := d.Role(BootstrapUser)
	if !ok || !r.Superuser || !r.CanLogin || !strings.HasPrefix(r.SCRAM, "SCRAM-SHA-256$4096:") {
		t.Fatalf("bootstrap role = %+v", r)
	}
	if !d.DatabaseExists("augur") || !d.DatabaseExists("postgres") || d.DatabaseExists("template0") {
		t.Fatal("bootstrap databases wrong")
	}
	// A second server on the same directory is refused while the first runs.
	if _, _, err := Open(path, ""); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
	d.Close()
	raw, _ := os.ReadFile(filepath.Join(path, globalFile))
	if strings.Contains(string(raw), boot.GeneratedPassword) {
		t.Fatal("the password itself is stored")
	}
	d2, boot2, err := Open(path, "ignored-now")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if boot2.Created || boot2.GeneratedPassword != "" {
		t.Fatalf("reopen bootstrapped again: %+v", boot2)
	}
	if r2, _ := d2.Role(BootstrapUser); r2.SCRAM != r.SCRAM {
		t.Fatal("reopen changed the verifier")
	}
}

func TestPasswordFromEnvironmentVerifies(t *testing.T) {
	d, boot, err := Open(filepath.Join(t.TempDir(), "data"), "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if boot.GeneratedPassword != "" {
		t.Fatal("generated a password although one was given")
	}
	r, _ := d.Role(BootstrapUser)
	// Run a real SCRAM exchange against the stored verifier.
	client, err := scram.SHA256.NewClient(BootstrapUser, "hunter2", "")
	if err != nil {
		t.Fatal(err)
	}
	if !verifierAccepts(t, client, r.SCRAM) {
		t.Fatal("stored verifier does not accept the password")
	}
	bad, _ := scram.SHA256.NewClient(BootstrapUser, "wrong", "")
	if verifierAccepts(t, bad, r.SCRAM) {
		t.Fatal("stored verifier accepts a wrong password")
	}
}

func TestRefusesForeignDirectories(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"other format version", func(dir string) {
			os.WriteFile(filepath.Join(dir, versionFile), []byte("99\n"), 0o600)
		}, "format version"},
		{"non-empty without version", func(dir string) {
			os.WriteFile(filepath.Join(dir, "somefile"), []byte("x"), 0o600)
		}, "not an Augur data directory"},
		{"corrupt global", func(dir string) {
			os.WriteFile(filepath.Join(dir, versionFile), []byte(FormatVersion+"\n"), 0o600)
			os.WriteFile(filepath.Join(dir, globalFile), []byte("{"), 0o600)
		}, "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(dir)
			_, _, err := Open(dir, "pw")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

// verifierAccepts runs a SCRAM-SHA-256 conversation between client and a server
// holding the PostgreSQL-format verifier v.
func verifierAccepts(t *testing.T, client *scram.Client, v string) bool {
	t.Helper()
	var iters int
	var salt, keys string
	parts := strings.SplitN(strings.TrimPrefix(v, "SCRAM-SHA-256$"), "$", 2)
	if len(parts) != 2 {
		t.Fatalf("verifier %q", v)
	}
	is, salt, _ := strings.Cut(parts[0], ":")
	keys = parts[1]
	for _, c := range is {
		iters = iters*10 + int(c-'0')
	}
	sk, svk, _ := strings.Cut(keys, ":")
	dec := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	creds := scram.StoredCredentials{KeyFactors: scram.KeyFactors{Salt: string(dec(salt)), Iters: iters}, StoredKey: dec(sk), ServerKey: dec(svk)}
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		t.Fatal(err)
	}
	cc, sc := client.NewConversation(), srv.NewConversation()
	msg, _ := cc.Step("")
	for !sc.Done() {
		reply, err := sc.Step(msg)
		if err != nil {
			return false
		}
		if msg, err = cc.Step(reply); err != nil {
			return false
		}
	}
	return sc.Valid()
}
