// Package integration holds end-to-end tests against the built augur binary with
// real clients: pgx, lib/pq and psql.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	// The binary under test is built by TestMain, which go test's cache cannot see;
	// importing the server's packages makes a change to them invalidate cached results.
	_ "github.com/augurdb/augur/supervisor"
)

// augurBin is the binary built once by TestMain.
var augurBin string

// atExit holds what TestMain runs after the tests (stopping servers shared by
// several tests, such as the reference PostgreSQL).
var atExit []func()

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "augur-integration-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	augurBin = filepath.Join(dir, "augur")
	args := []string{"build", "-o", augurBin}
	if os.Getenv("AUGUR_TEST_RACE") != "" { // the server under test built with the race detector
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "../cmd/augur")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build augur:", err)
		os.Exit(1)
	}
	code := m.Run()
	for _, f := range atExit {
		f()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

const testPassword = "s3cret-Passw0rd"

// server is one running augur process.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	dataDir string
	port    int
	sockDir string
	certDir string
	stderr  *syncBuffer
	exited  chan struct{}
	waitErr error
}

type serverOptions struct {
	env      []string // extra environment
	config   string   // TOML written to a file and passed with --config
	tls      bool
	socket   bool
	dataDir  string // reuse a data directory
	password *string
	logLevel string // default debug
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	return freePortNoTest()
}

// freePortNoTest returns a loopback port that was free and that this process has
// not handed out before: the kernel may hand the same free port to two tests
// starting servers at once (the port is free again until the server binds it).
func freePortNoTest() int {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(fmt.Sprintf("listen on a free loopback port: %v", err))
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		portsMu.Lock()
		taken := portsUsed[port]
		portsUsed[port] = true
		portsMu.Unlock()
		if !taken {
			return port
		}
	}
}

var (
	portsMu   sync.Mutex
	portsUsed = map[int]bool{}
)

// startServer starts augur on a free port with a temporary data directory and waits
// until it accepts connections.
func startServer(t *testing.T, o serverOptions) *server {
	t.Helper()
	s := &server{t: t, port: freePort(t), stderr: &syncBuffer{}, exited: make(chan struct{})}
	s.dataDir = o.dataDir
	if s.dataDir == "" {
		s.dataDir = filepath.Join(t.TempDir(), "data")
	}
	level := o.logLevel
	if level == "" {
		level = "debug"
	}
	args := []string{"serve", "--data", s.dataDir, "--listen", fmt.Sprintf("127.0.0.1:%d", s.port), "--log-format", "json", "--log-level", level}
	if o.tls {
		s.certDir = t.TempDir()
		cert, key := writeSelfSignedCert(t, s.certDir)
		args = append(args, "--tls-cert", cert, "--tls-key", key)
	}
	if o.socket {
		s.sockDir = t.TempDir()
		args = append(args, "--socket-dir", s.sockDir)
	}
	if o.config != "" {
		f := filepath.Join(t.TempDir(), "augur.toml")
		if err := os.WriteFile(f, []byte(o.config), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", f)
	}
	s.cmd = exec.Command(augurBin, args...)
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "AUGUR_") {
			env = append(env, e)
		}
	}
	if o.password == nil {
		env = append(env, "AUGUR_PASSWORD="+testPassword)
	} else if *o.password != "" {
		env = append(env, "AUGUR_PASSWORD="+*o.password)
	}
	s.cmd.Env = append(env, o.env...)
	s.cmd.Stderr = s.stderr
	s.cmd.Stdout = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr.String())
		}
		if strings.Contains(s.stderr.String(), "WARNING: DATA RACE") {
			t.Errorf("the server reported a data race:\n%s", s.stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("augur exited during start: %v\n%s", s.waitErr, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("augur did not start listening: %v\n%s", err, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// dsn returns a libpq-style connection string for the bootstrap user.
func (s *server) dsn(extra string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=augur password=%s dbname=augur %s", s.port, testPassword, extra)
}

func (s *server) url(db, sslmode string) string {
	return fmt.Sprintf("postgres://augur:%s@127.0.0.1:%d/%s?sslmode=%s", testPassword, s.port, db, sslmode)
}

// stop sends sig and waits for the process to exit, returning its exit error.
func (s *server) stop(sig syscall.Signal, timeout time.Duration) error {
	s.t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
		return s.waitErr
	case <-time.After(timeout):
		s.t.Fatalf("augur did not exit %v after %v", timeout, sig)
		return nil
	}
}

// logLines returns the JSON log lines containing substr.
func (s *server) logLines(substr string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// rssBytes returns the server process's resident set size.
func (s *server) rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb * 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

func writeSelfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// psql runs psql with args and PGPASSWORD set, returning combined output.
func psql(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "psql", append([]string{"-X", "-v", "ON_ERROR_STOP=1"}, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
