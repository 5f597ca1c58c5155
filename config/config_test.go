package config

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/spf13/pflag"
)

func load(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	if file != "" {
		p := filepath.Join(t.TempDir(), "augur.toml")
		if err := os.WriteFile(p, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", p)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestThreeSpellingsAndPrecedence(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want func(Config) bool
	}{
		{"defaults", "", nil, nil, func(c Config) bool {
			return c.Data == "./augur-data" && c.Listen == "127.0.0.1:5433" && c.MaxMessageSize == 1<<30
		}},
		{"file", `tls_cert = "f.crt"` + "\n" + `tls_key = "f.key"` + "\nshutdown_timeout = \"3s\"\n", nil, nil, func(c Config) bool {
			return c.TLSCert == "f.crt" && c.ShutdownTimeout == 3*time.Second
		}},
		{"env beats file", `tls_cert = "f.crt"` + "\n" + `tls_key = "f.key"` + "\n",
			map[string]string{"AUGUR_TLS_CERT": "e.crt"}, nil, func(c Config) bool { return c.TLSCert == "e.crt" && c.TLSKey == "f.key" }},
		{"flag beats env", "", map[string]string{"AUGUR_TLS_CERT": "e.crt", "AUGUR_TLS_KEY": "e.key"},
			[]string{"--tls-cert", "a.crt"}, func(c Config) bool { return c.TLSCert == "a.crt" && c.TLSKey == "e.key" }},
		{"ints and durations from env", "", map[string]string{"AUGUR_MAX_CONNECTIONS": "7", "AUGUR_AUTH_TIMEOUT": "2s"}, nil,
			func(c Config) bool { return c.MaxConnections == 7 && c.AuthTimeout == 2*time.Second }},
		{"pprof off by default", "", nil, nil, func(c Config) bool { return c.PprofListen == "" }},
		{"pprof on loopback", "", nil, []string{"--pprof-listen", "127.0.0.1:6060"},
			func(c Config) bool { return c.PprofListen == "127.0.0.1:6060" }},
		{"pprof on localhost from the file", "pprof_listen = \"localhost:6060\"\n", nil, nil,
			func(c Config) bool { return c.PprofListen == "localhost:6060" }},
		{"pprof on IPv6 loopback", "", map[string]string{"AUGUR_PPROF_LISTEN": "[::1]:6060"}, nil,
			func(c Config) bool { return c.PprofListen == "[::1]:6060" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.file, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), "augur.toml")
	os.WriteFile(p, []byte("listen = \"127.0.0.1:6543\"\n"), 0o600)
	c, err := load(t, "", map[string]string{"AUGUR_CONFIG": p})
	if err != nil || c.Listen != "127.0.0.1:6543" {
		t.Fatalf("AUGUR_CONFIG: %v %q", err, c.Listen)
	}
}

func TestEveryFlagIsDocumented(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	for _, want := range []string{"data", "listen", "tls-cert", "tls-key", "config", "log-format", "log-level", "socket-dir", "pprof-listen"} {
		f := fs.Lookup(want)
		if f == nil {
			t.Fatalf("flag --%s missing", want)
		}
		env := "AUGUR_" + strings.ToUpper(strings.ReplaceAll(want, "-", "_"))
		if !strings.Contains(f.Usage, env) {
			t.Errorf("--%s help does not name %s: %q", want, env, f.Usage)
		}
	}
}

func TestInvalidConfig(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
	}{
		{"unknown key", "nonsense = 1\n", nil},
		{"bad listen", "", map[string]string{"AUGUR_LISTEN": "nope"}},
		{"cert without key", "", map[string]string{"AUGUR_TLS_CERT": "x"}},
		{"bad log format", "", map[string]string{"AUGUR_LOG_FORMAT": "xml"}},
		{"bad auth method", "[[auth]]\nmethod = \"md5\"\n", nil},
		{"bad auth address", "[[auth]]\nmethod = \"trust\"\naddress = \"10.0.0.0/99\"\n", nil},
		{"bad session default", "[session]\nstatement_timeout = \"soon\"\n", nil},
		{"unknown session parameter", "[session]\nno_such = \"1\"\n", nil},
		{"bad int", "", map[string]string{"AUGUR_MAX_CONNECTIONS": "many"}},
		{"pprof on a public address", "", map[string]string{"AUGUR_PPROF_LISTEN": "0.0.0.0:6060"}},
		{"pprof on all interfaces", "", map[string]string{"AUGUR_PPROF_LISTEN": ":6060"}},
		{"pprof without port", "", map[string]string{"AUGUR_PPROF_LISTEN": "127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := load(t, tt.file, tt.env); err == nil {
				t.Fatal("invalid configuration accepted")
			}
		})
	}
}

func TestAuthRuleMatch(t *testing.T) {
	tcp := &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 5000}
	unix := &net.UnixAddr{Name: "/tmp/.s.PGSQL.5433", Net: "unix"}
	tests := []struct {
		rule      AuthRule
		user, db  string
		addr      net.Addr
		tls, want bool
	}{
		{AuthRule{Method: MethodTrust}, "a", "b", tcp, false, true},
		{AuthRule{User: "a,b", Method: MethodTrust}, "b", "x", tcp, false, true},
		{AuthRule{User: "a", Method: MethodTrust}, "c", "x", tcp, false, false},
		{AuthRule{Database: "d", Method: MethodTrust}, "a", "e", tcp, false, false},
		{AuthRule{Address: "10.0.0.0/8", Method: MethodTrust}, "a", "b", tcp, false, true},
		{AuthRule{Address: "192.168.0.0/16", Method: MethodTrust}, "a", "b", tcp, false, false},
		{AuthRule{Address: "10.1.2.3", Method: MethodTrust}, "a", "b", tcp, false, true},
		{AuthRule{Address: "local", Method: MethodTrust}, "a", "b", unix, false, true},
		{AuthRule{Address: "local", Method: MethodTrust}, "a", "b", tcp, false, false},
		{AuthRule{Address: "10.0.0.0/8", Method: MethodTrust}, "a", "b", unix, false, false},
		{AuthRule{TLS: true, Method: MethodTrust}, "a", "b", tcp, false, false},
		{AuthRule{TLS: true, Method: MethodTrust}, "a", "b", tcp, true, true},
	}
	for i, tt := range tests {
		if got := tt.rule.Match(tt.user, tt.db, tt.addr, tt.tls); got != tt.want {
			t.Errorf("%d: %+v.Match(%s, %s, %v, tls=%v) = %v, want %v", i, tt.rule, tt.user, tt.db, tt.addr, tt.tls, got, tt.want)
		}
	}
}

func TestParams(t *testing.T) {
	v, err := NewVars(map[string]string{"statement_timeout": "1min"}, map[string]string{"is_superuser": "on"},
		map[string]string{"application_name": "app", "DateStyle": "iso, dmy", "myext.key": "v"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(n string) string {
		t.Helper()
		s, err := v.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if get("STATEMENT_TIMEOUT") != "1min" || get("datestyle") != "ISO, DMY" || get("application_name") != "app" || get("myext.key") != "v" {
		t.Fatalf("initial values wrong: %v", v.values)
	}
	sets := []struct{ name, value, want, code string }{
		{"statement_timeout", "1500", "1500ms", ""},
		{"statement_timeout", "2s", "2s", ""},
		{"statement_timeout", "-1", "", "22023"},
		{"standard_conforming_strings", "off", "", "22023"},
		{"extra_float_digits", "3", "3", ""},
		{"extra_float_digits", "4", "", "22023"},
		{"client_encoding", "unicode", "UTF8", ""},
		{"client_encoding", "LATIN1", "", "22023"},
		{"TimeZone", "Europe/Paris", "Europe/Paris", ""},
		{"TimeZone", "Mars/Olympus", "", "22023"},
		{"synchronous_commit", "OFF", "off", ""},
		{"is_superuser", "off", "", "55P02"},
		{"nope", "1", "", "42704"},
		{"app.tenant", "42", "42", ""},
	}
	for _, s := range sets {
		got, err := v.Set(s.name, s.value)
		if s.code != "" {
			if pgerr.Code(err) != s.code {
				t.Errorf("SET %s = %s: err %v, want %s", s.name, s.value, err, s.code)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("SET %s = %s: %q, %v; want %q", s.name, s.value, got, err, s.want)
		}
	}
	if err := v.Reset("statement_timeout"); err != nil || get("statement_timeout") != "1min" {
		t.Fatalf("RESET restores the server default: %v %q", err, get("statement_timeout"))
	}
	c := v.Clone()
	v.Set("application_name", "changed")
	if s, _ := c.Get("application_name"); s != "app" {
		t.Fatalf("clone shares values: %q", s)
	}
	v.ResetAll()
	if get("application_name") != "app" || get("is_superuser") != "on" {
		t.Fatal("RESET ALL did not restore session defaults")
	}
	if _, err := v.Get("app.tenant"); err == nil {
		t.Fatal("custom parameter set in the session survived RESET ALL")
	}
	if r := v.Reported(); r["DateStyle"] != "ISO, DMY" || r["is_superuser"] != "on" || len(r) != 13 {
		t.Fatalf("Reported = %v", r)
	}
	if _, err := NewVars(nil, nil, map[string]string{"server_version": "1"}); err == nil {
		t.Fatal("read-only startup parameter accepted")
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "10": "10ms", "1000": "1s", "60s": "1min", "90s": "90s", "2h": "2h", "1d": "1d", "1.5s": "1500ms"} {
		d, err := ParseDuration(in)
		if err != nil || FormatDuration(d) != want {
			t.Errorf("%s → %v %q, want %q", in, err, FormatDuration(d), want)
		}
	}
	if _, err := ParseDuration("5 fortnights"); err == nil {
		t.Error("bad unit accepted")
	}
}

func TestGenerationCountsChanges(t *testing.T) {
	v, err := NewVars(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	changes := []struct {
		name   string
		change func() error
	}{
		{"Set", func() error { _, err := v.Set("statement_timeout", "5s"); return err }},
		{"Assign", func() error { v.Assign("is_superuser", "on"); return nil }},
		{"Reset", func() error { return v.Reset("statement_timeout") }},
		{"ResetAll", func() error { v.ResetAll(); return nil }},
	}
	for _, c := range changes {
		before := v.Generation()
		if err := c.change(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if v.Generation() == before {
			t.Errorf("%s left Generation at %d", c.name, before)
		}
	}
	before := v.Generation()
	if _, err := v.Get("statement_timeout"); err != nil || v.Generation() != before {
		t.Errorf("Get changed Generation (%v)", err)
	}
	if _, err := v.Set("statement_timeout", "soon"); err == nil || v.Generation() != before {
		t.Errorf("a refused Set changed Generation (%v)", err)
	}
}
