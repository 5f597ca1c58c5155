// Package config holds Augur's server configuration: the Config struct, its defaults,
// and how it is read from a TOML file, AUGUR_* environment variables and command-line
// flags. Every scalar setting has one name in three spellings — flag --tls-cert,
// environment AUGUR_TLS_CERT, TOML key tls_cert — derived from the struct's toml tag,
// so the three can never drift apart. Precedence: flag > environment > file > default.
//
// Settings a PostgreSQL session can change with SET (statement_timeout, DateStyle, …)
// are not here but in params.go: they keep their PostgreSQL names, and their server
// defaults come from the TOML table [session].
//
// Any package may import config; it imports nothing of Augur's but pgerr.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// Config is the server's configuration.
type Config struct {
	Data       string `toml:"data" help:"data directory (created and bootstrapped on first start)"`
	Listen     string `toml:"listen" help:"TCP address to listen on, HOST:PORT"`
	SocketDir  string `toml:"socket_dir" help:"also listen on the Unix-domain socket .s.PGSQL.<port> in this directory (default: none)"`
	TLSCert    string `toml:"tls_cert" help:"TLS certificate file (PEM); with tls_key, enables SSL connections"`
	TLSKey     string `toml:"tls_key" help:"TLS private key file (PEM)"`
	ConfigFile string `toml:"-" help:"TOML configuration file"`
	LogFormat  string `toml:"log_format" help:"log format: json or console (default: console on a terminal, json otherwise)"`
	LogLevel   string `toml:"log_level" help:"log level: debug, info, warn, error"`
	// PprofListen, when set, serves net/http/pprof on this loopback address.
	PprofListen string `toml:"pprof_listen" help:"serve Go profiles (net/http/pprof) on this loopback HOST:PORT (default: off)"`

	MaxConnections  int           `toml:"max_connections" help:"maximum concurrent client connections (53300 beyond it)"`
	MaxMessageSize  int64         `toml:"max_message_size" help:"largest frontend message accepted, in bytes (08P01 beyond it)"`
	ShutdownTimeout time.Duration `toml:"shutdown_timeout" help:"on SIGINT/SIGTERM, how long running statements may take to finish"`
	AuthTimeout     time.Duration `toml:"auth_timeout" help:"time a client has to complete startup and authentication"`

	WALSegmentSize    int64         `toml:"wal_segment_size" help:"size of a WAL segment file, in bytes"`
	WALWriterDelay    time.Duration `toml:"wal_writer_delay" help:"with synchronous_commit = off, how often the WAL is fsynced"`
	CheckpointTimeout time.Duration `toml:"checkpoint_timeout" help:"time between checkpoints (one is also taken at shutdown)"`
	WALArchive        string        `toml:"wal_archive" help:"move WAL segments a checkpoint no longer needs here instead of deleting them"`
	WALRecovery       string        `toml:"wal_recovery" help:"on a bad WAL record before the tail: strict (refuse to start) or truncate (cut the log there)"`
	TxnBufferMax      int64         `toml:"txn_buffer_max" help:"memory a transaction's writes may take before they spill to a temporary file"`
	ShardMaxKeys      int64         `toml:"shard_max_keys" help:"keys an index shard holds before it splits in two"`
	RowCacheSize      int64         `toml:"row_cache_size" help:"memory the index shards may take for row values, in bytes; rows beyond it are read from storage (0: none cached)"`

	// Auth is the ordered list of authentication rules (TOML [[auth]] only); the first
	// rule that matches a connection decides its method. When empty, DefaultAuthRules apply.
	Auth []AuthRule `toml:"auth" help:"-"`
	// Session holds server defaults for session parameters, by PostgreSQL name
	// (TOML table [session], e.g. statement_timeout = "5s").
	Session map[string]string `toml:"session" help:"-"`
}

// Default returns the configuration used when nothing overrides it.
func Default() Config {
	return Config{
		Data:            "./augur-data",
		Listen:          "127.0.0.1:5433",
		LogLevel:        "info",
		MaxConnections:  100,
		MaxMessageSize:  1 << 30,
		ShutdownTimeout: 10 * time.Second,
		AuthTimeout:     60 * time.Second,

		WALSegmentSize:    64 << 20,
		WALWriterDelay:    10 * time.Millisecond,
		CheckpointTimeout: 5 * time.Minute,
		WALRecovery:       "strict",
		TxnBufferMax:      32 << 20,
		ShardMaxKeys:      1_000_000,
		RowCacheSize:      2 << 30,
	}
}

// Auth methods.
const (
	MethodSCRAM  = "scram-sha-256"
	MethodTrust  = "trust"
	MethodReject = "reject"
)

// AuthRule is one line of Augur's pg_hba: a connection matching User, Database and
// Address (and, when TLS is true, arriving over TLS) is authenticated by Method.
// "all" (or empty) matches anything; Address is a CIDR, a single IP, "local" for the
// Unix-domain socket, or "all".
type AuthRule struct {
	User     string `toml:"user"`
	Database string `toml:"database"`
	Address  string `toml:"address"`
	Method   string `toml:"method"`
	TLS      bool   `toml:"tls"` // rule matches only TLS connections (hostssl)
}

// DefaultAuthRules: SCRAM-SHA-256 for everyone, over TCP and the Unix socket.
func DefaultAuthRules() []AuthRule {
	return []AuthRule{{User: "all", Database: "all", Address: "all", Method: MethodSCRAM}}
}

// AuthRules returns the configured rules, or the defaults when none are configured.
func (c *Config) AuthRules() []AuthRule {
	if len(c.Auth) == 0 {
		return DefaultAuthRules()
	}
	return c.Auth
}

// Match reports whether the rule applies to a connection.
func (r AuthRule) Match(user, database string, addr net.Addr, tls bool) bool {
	if r.TLS && !tls {
		return false
	}
	if !matchName(r.User, user) || !matchName(r.Database, database) {
		return false
	}
	switch a := strings.TrimSpace(r.Address); a {
	case "", "all":
		return true
	case "local":
		_, isUnix := addr.(*net.UnixAddr)
		return isUnix
	default:
		tcp, ok := addr.(*net.TCPAddr)
		if !ok {
			return false
		}
		if _, n, err := net.ParseCIDR(a); err == nil {
			return n.Contains(tcp.IP)
		}
		ip := net.ParseIP(a)
		return ip != nil && ip.Equal(tcp.IP)
	}
}

// matchName matches a comma-separated list of names, or "all".
func matchName(pattern, name string) bool {
	if pattern == "" || pattern == "all" {
		return true
	}
	for _, p := range strings.Split(pattern, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func (r AuthRule) validate() error {
	switch r.Method {
	case MethodSCRAM, MethodTrust, MethodReject:
	default:
		return fmt.Errorf("auth rule: unknown method %q (want %s, %s or %s)", r.Method, MethodSCRAM, MethodTrust, MethodReject)
	}
	switch a := strings.TrimSpace(r.Address); a {
	case "", "all", "local":
	default:
		if _, _, err := net.ParseCIDR(a); err != nil && net.ParseIP(a) == nil {
			return fmt.Errorf("auth rule: address %q is not all, local, an IP or a CIDR", a)
		}
	}
	return nil
}

// Validate checks the configuration for values that cannot work.
func (c *Config) Validate() error {
	if c.Data == "" {
		return errors.New("config: data directory must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("config: listen %q: %w", c.Listen, err)
	}
	if c.PprofListen != "" {
		if err := checkLoopback(c.PprofListen); err != nil {
			return fmt.Errorf("config: pprof_listen %q: %w", c.PprofListen, err)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("config: tls_cert and tls_key must be set together")
	}
	switch c.LogFormat {
	case "", "json", "console":
	default:
		return fmt.Errorf("config: log_format %q: want json or console", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error", "trace":
	default:
		return fmt.Errorf("config: log_level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.MaxConnections < 1 {
		return fmt.Errorf("config: max_connections %d: must be at least 1", c.MaxConnections)
	}
	if c.MaxMessageSize < 1024 {
		return fmt.Errorf("config: max_message_size %d: must be at least 1024", c.MaxMessageSize)
	}
	if c.WALSegmentSize < 1<<20 {
		return fmt.Errorf("config: wal_segment_size %d: must be at least 1 MiB", c.WALSegmentSize)
	}
	if c.WALWriterDelay <= 0 || c.CheckpointTimeout <= 0 {
		return errors.New("config: wal_writer_delay and checkpoint_timeout must be positive")
	}
	if c.WALRecovery != "strict" && c.WALRecovery != "truncate" {
		return fmt.Errorf("config: wal_recovery %q: want strict or truncate", c.WALRecovery)
	}
	if c.TxnBufferMax < 1<<20 {
		return fmt.Errorf("config: txn_buffer_max %d: must be at least 1 MiB", c.TxnBufferMax)
	}
	if c.ShardMaxKeys < 1024 {
		return fmt.Errorf("config: shard_max_keys %d: must be at least 1024", c.ShardMaxKeys)
	}
	if c.RowCacheSize < 0 {
		return fmt.Errorf("config: row_cache_size %d: must not be negative", c.RowCacheSize)
	}
	for i, r := range c.Auth {
		if err := r.validate(); err != nil {
			return fmt.Errorf("config: auth rule %d: %w", i+1, err)
		}
	}
	for name, v := range c.Session {
		if _, err := CheckParam(name, v); err != nil {
			return fmt.Errorf("config: [session] %s: %w", name, err)
		}
	}
	return nil
}

// checkLoopback accepts only HOST:PORT addresses whose host is a loopback IP or
// "localhost": profiles show query text and memory contents, so they are never
// served to the network.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("must be a loopback address (127.0.0.1, [::1] or localhost)")
}

// Port returns the TCP port of Listen (used to name the Unix socket).
func (c *Config) Port() (int, error) {
	_, p, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(p)
}

// field is one scalar setting with its three spellings.
type field struct {
	key   string // TOML key
	flag  string // flag name
	env   string // environment variable
	help  string
	index int
}

func (f field) Flag() string { return f.flag }
func (f field) Env() string  { return f.env }

func fields() []field {
	t := reflect.TypeOf(Config{})
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		help := sf.Tag.Get("help")
		if help == "-" {
			continue
		}
		key := sf.Tag.Get("toml")
		if key == "-" { // flag and env only (config file location)
			key = "config"
		}
		out = append(out, field{
			key:   key,
			flag:  strings.ReplaceAll(key, "_", "-"),
			env:   "AUGUR_" + strings.ToUpper(key),
			help:  help,
			index: i,
		})
	}
	return out
}

// RegisterFlags adds one flag per scalar setting to fs, with help text naming the
// environment variable and TOML key, and the default value.
func RegisterFlags(fs *pflag.FlagSet) {
	def := reflect.ValueOf(Default())
	for _, f := range fields() {
		dv := def.Field(f.index)
		defText := fmt.Sprint(dv.Interface())
		usage := fmt.Sprintf("%s (env %s", f.help, f.env)
		if f.key != "config" {
			usage += ", TOML " + f.key
		}
		usage += ")"
		// Flags hold their text and are parsed by Load, so that "not given" is
		// distinguishable from "given the default".
		fs.Var(&flagText{kind: kindName(dv.Type())}, f.flag, usage)
		if defText != "" && defText != "0" {
			fs.Lookup(f.flag).DefValue = defText
		}
	}
}

// Load builds the configuration: defaults, then the TOML file (from --config or
// AUGUR_CONFIG), then AUGUR_* environment variables, then flags that were set.
// getenv is os.LookupEnv in production and a map in tests.
func Load(fs *pflag.FlagSet, getenv func(string) (string, bool)) (Config, error) {
	cfg := Default()
	file := ""
	if v, ok := getenv("AUGUR_CONFIG"); ok {
		file = v
	}
	if fs != nil {
		if fl := fs.Lookup("config"); fl != nil && fl.Changed {
			file = fl.Value.String()
		}
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return cfg, fmt.Errorf("config: read %s: %w", file, err)
		}
		md, err := toml.Decode(string(data), &cfg)
		if err != nil {
			return cfg, fmt.Errorf("config: parse %s: %w", file, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return cfg, fmt.Errorf("config: %s: unknown setting %q", file, und[0].String())
		}
		cfg.ConfigFile = file
	}
	v := reflect.ValueOf(&cfg).Elem()
	for _, f := range fields() {
		if s, ok := getenv(f.env); ok {
			if err := setField(v.Field(f.index), s); err != nil {
				return cfg, fmt.Errorf("config: %s=%q: %w", f.env, s, err)
			}
		}
		if fs == nil {
			continue
		}
		if fl := fs.Lookup(f.flag); fl != nil && fl.Changed {
			if err := setField(v.Field(f.index), fl.Value.String()); err != nil {
				return cfg, fmt.Errorf("config: --%s=%q: %w", f.flag, fl.Value.String(), err)
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// flagText is a flag's raw text; Load parses it into the Config field.
type flagText struct{ text, kind string }

func (f *flagText) String() string     { return f.text }
func (f *flagText) Set(s string) error { f.text = s; return nil }
func (f *flagText) Type() string       { return f.kind }

func kindName(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "duration"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return "int"
	}
	return t.Kind().String()
}

func setField(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			d, err := time.ParseDuration(s)
			if err != nil {
				return err
			}
			v.SetInt(int64(d))
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported setting kind %s", v.Kind())
	}
	return nil
}
