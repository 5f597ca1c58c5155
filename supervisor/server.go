// Package supervisor builds and runs Augur's actor tree and owns the server's
// lifecycle: it opens the data directory, starts the listeners, and shuts everything
// down in order.
//
// Start opens the store first (WAL recovery runs before any connection is
// accepted); Shutdown closes it last (after every session ended), which drains
// commits and takes the shutdown checkpoint.
//
// The tree for this slice of the design:
//
//	root
//	├── wal                      the WAL actor: group commit (storage/store's committer)
//	├── lockmgr                  the lock manager's deadlock detector (actors/lockmgr)
//	├── shards/<n>               index-shard actors (actors/shard), fed by the store's OnApply
//	└── listener (one per TCP address / Unix socket)
//	    └── connection/<id>      owns the socket; stops (never restarts) on failure
//	        └── session          one per connection; a panic in a statement is
//	                             recovered inside it (XX000 to that client only)
//
// Cross-cutting state that actors share — the backend-key registry used by cancel
// requests, shutdown and max_connections — is created here and handed down; nothing
// is global.
package supervisor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/catalog"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/actors/connection"
	"github.com/augurdb/augur/actors/listener"
	"github.com/augurdb/augur/actors/shard"
	walactor "github.com/augurdb/augur/actors/wal"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/protocol"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/wal"
	"github.com/augurdb/augur/supervisor/datadir"
	"github.com/jackc/pgerrcode"
	"github.com/rs/zerolog"
)

// Version is Augur's version; PostgresVersion is the PostgreSQL version whose
// behaviour it follows and reports to clients.
const (
	Version         = "0.1.0"
	PostgresVersion = "15.0"
)

// ServerVersion is the server_version parameter clients see.
func ServerVersion() string { return PostgresVersion + " (Augur " + Version + ")" }

// VersionText is the result of version().
func VersionText() string {
	return fmt.Sprintf("PostgreSQL %s (Augur %s) on %s-%s, compiled by %s, 64-bit",
		PostgresVersion, Version, runtime.GOARCH, runtime.GOOS, runtime.Version())
}

// Server is a running Augur server.
type Server struct {
	cfg       config.Config
	log       zerolog.Logger
	dir       *datadir.Dir
	store     *store.Store
	shards    *shard.Manager
	engine    *planner.Engine
	system    *actor.ActorSystem
	root      *actor.PID
	registry  *connection.Registry
	listeners []net.Listener
	sockPath  string
}

// New opens (bootstrapping if needed) the data directory. password is the
// bootstrap superuser's password (AUGUR_PASSWORD); a generated one is written once
// to stderr.
func New(cfg config.Config, log zerolog.Logger, password string, stderr io.Writer) (*Server, error) {
	dir, boot, err := datadir.Open(cfg.Data, password)
	if err != nil {
		return nil, err
	}
	if boot.Created {
		log.Info().Str("data", dir.Path()).Str("user", datadir.BootstrapUser).Msg("bootstrapped a new data directory")
	}
	if boot.GeneratedPassword != "" {
		fmt.Fprintf(stderr, "\nAugur bootstrap: created superuser %q with password\n\n    %s\n\n"+
			"It is shown only this once; only a SCRAM-SHA-256 verifier is stored.\n"+
			"Set AUGUR_PASSWORD on first start to choose it instead.\n\n", datadir.BootstrapUser, boot.GeneratedPassword)
	}
	return &Server{cfg: cfg, log: log, dir: dir, registry: connection.NewRegistry()}, nil
}

// Start recovers the store, opens the listeners and starts the actor tree.
func (s *Server) Start(ctx context.Context) error {
	actorLog := s.log.With().Str("component", "actor").Logger().Level(zerolog.WarnLevel)
	s.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(zerolog.NewSlogHandler(actorLog))
	}))
	// The shards are created before the store (they receive its applied groups);
	// their tombstone horizon reads the store once it is open.
	var opened atomic.Pointer[store.Store]
	rowCache := s.cfg.RowCacheSize
	if rowCache == 0 {
		rowCache = -1 // row_cache_size = 0: no row cached (0 is the shards' default)
	}
	shards, err := shard.NewManager(shard.Options{
		System:        s.system,
		MaxKeys:       s.cfg.ShardMaxKeys,
		RowCacheBytes: rowCache,
		Horizon: func() uint64 {
			if st := opened.Load(); st != nil {
				return st.OldestSnapshot()
			}
			return 0
		},
		Log: s.log.With().Str("component", "shards").Logger(),
	})
	if err != nil {
		return fmt.Errorf("supervisor: start index shards: %w", err)
	}
	s.shards = shards
	began := time.Now()
	st, recovery, err := store.OpenWithStats(ctx, s.dir.Path(), s.storeOptions(), s.log.With().Str("component", "storage").Logger())
	if err != nil {
		return fmt.Errorf("supervisor: open storage: %w", err)
	}
	s.store = st
	opened.Store(st)
	storeOpened := time.Now()
	rebuild, err := shards.Rebuild(ctx, st)
	if err != nil {
		return fmt.Errorf("supervisor: rebuild index shards: %w", err)
	}
	shardsRebuilt := time.Now()
	dbs := map[string]string{}
	for _, d := range s.dir.Databases() {
		dbs[d.Name] = d.Owner
	}
	if s.engine, err = planner.NewEngine(ctx, st, dbs); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	// Waiters for locks send their deadlock checks to the detector, which runs
	// them one at a time.
	detector, err := s.system.Root.SpawnNamed(s.engine.Locks.Props(), "lockmgr")
	if err != nil {
		return fmt.Errorf("supervisor: start the lock manager's deadlock detector: %w", err)
	}
	s.engine.Locks.Attach(s.system, detector)
	// Point reads ask the learned-index shards first; the planner's row counts
	// come from them too.
	st.SetIndex(shards)
	s.engine.DatabasesChanged = s.recordDatabases
	if err := s.recordDatabases(s.engine.Databases()); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if err := s.takeOverRoles(ctx); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	s.engine.Rows = func(tableID uint32) (int64, bool) {
		return int64(shards.KeyCount(tableID, catalog.PrimaryIndexID)), true
	}

	var tlsConfig *tls.Config
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("supervisor: load TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("supervisor: listen on %s: %w", s.cfg.Listen, err)
	}
	s.listeners = append(s.listeners, ln)
	if s.cfg.SocketDir != "" {
		port := ln.Addr().(*net.TCPAddr).Port
		uln, path, err := listenUnix(s.cfg.SocketDir, port)
		if err != nil {
			ln.Close()
			return err
		}
		s.listeners = append(s.listeners, uln)
		s.sockPath = path
	}

	opts := &connection.Options{
		Protocol: &protocol.Options{
			TLS:            tlsConfig,
			MaxMessageSize: s.cfg.MaxMessageSize,
			AuthRules:      s.cfg.AuthRules(),
			Roles:          s.dir,
			AuthTimeout:    s.cfg.AuthTimeout,
			MockAuthSecret: s.dir.MockAuthSecret(),
		},
		Registry:        s.registry,
		MaxConnections:  s.cfg.MaxConnections,
		ServerVersion:   ServerVersion(),
		VersionText:     VersionText(),
		SessionDefaults: s.cfg.Session,
		Engine:          s.engine,
		Outbox:          connection.DefaultOutboxOptions(),
		InboundBytes:    4 << 20,
		Log:             s.log,
	}
	var nextID atomic.Uint64
	listeners := s.listeners
	s.root = s.system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*actor.Started); ok {
			for _, l := range listeners {
				c.Spawn(listener.Props(l, opts, &nextID, s.log))
			}
		}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(10, time.Minute, func(reason any) actor.Directive {
		s.log.Error().Interface("reason", reason).Msg("supervisor: listener failed; restarting it")
		return actor.RestartDirective
	}))))
	for _, l := range s.listeners {
		s.log.Info().Str("address", l.Addr().String()).Str("network", l.Addr().Network()).
			Bool("tls", tlsConfig != nil).Msg("listening")
	}
	// Where the start's time went, in one line: the restart time after a crash
	// is the sum of these (issue 9).
	s.log.Info().Float64("duration_ms", millis(time.Since(began))).
		Float64("badger_open_ms", millis(recovery.BadgerOpen)).
		Float64("wal_replay_ms", millis(recovery.Duration)).Int64("wal_replay_bytes", recovery.Bytes).
		Int64("wal_in_badger_bytes", recovery.AlreadyAppliedBytes).
		Float64("checkpoint_ms", millis(recovery.Checkpoint)).
		Float64("store_open_ms", millis(storeOpened.Sub(began))).
		Float64("shards_rebuilt_ms", millis(shardsRebuilt.Sub(storeOpened))).Int("shard_keys", rebuild.Keys).
		Float64("engine_ms", millis(time.Since(shardsRebuilt))).
		Msg("ready")
	return nil
}

// millis is d in milliseconds, as the log lines report durations.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *Server) storeOptions() store.Options {
	return store.Options{
		SegmentSize:       s.cfg.WALSegmentSize,
		AsyncCommit:       strings.EqualFold(s.cfg.Session["synchronous_commit"], "off"),
		WriterDelay:       s.cfg.WALWriterDelay,
		CheckpointTimeout: s.cfg.CheckpointTimeout,
		ArchiveDir:        s.cfg.WALArchive,
		RecoveryMode:      wal.RecoveryMode(s.cfg.WALRecovery),
		TxnBufferMax:      s.cfg.TxnBufferMax,
		NewCommitter:      walactor.New(s.system, 0),
		OnApply:           s.shards.Defer,
		OnApplyStart:      s.shards.StartFlush,
	}
}

// Store returns the storage engine (for the SQL layer and tools).
func (s *Server) Store() *store.Store { return s.store }

// recordDatabases writes the catalog's databases where the handshake reads them.
func (s *Server) recordDatabases(dbs map[string]string) error {
	var list []datadir.Database
	for name, owner := range dbs {
		list = append(list, datadir.Database{Name: name, Owner: owner})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return s.dir.SetDatabases(list)
}

// takeOverRoles makes the catalog the source of the roles: the bootstrap roles
// of global.json are written into it at the first start, and from then on every
// commit that changes roles writes them back to global.json, where the
// handshake reads them (as for databases).
func (s *Server) takeOverRoles(ctx context.Context) error {
	var boot []planner.BootstrapRole
	for _, r := range s.dir.Roles() {
		boot = append(boot, planner.BootstrapRole{Name: r.Name, Superuser: r.Superuser, CanLogin: r.CanLogin, Password: r.SCRAM})
	}
	if err := s.engine.BootstrapRoles(ctx, boot); err != nil {
		return fmt.Errorf("record the bootstrap roles in the catalog: %w", err)
	}
	s.engine.RolesChanged = s.recordRoles
	return s.engine.RecordRoles()
}

// recordRoles writes the catalog's roles where the handshake reads them.
func (s *Server) recordRoles(roles []*catalog.Role) error {
	list := make([]datadir.Role, 0, len(roles))
	for _, r := range roles {
		dr := datadir.Role{Name: r.Name, Superuser: r.Superuser, CanLogin: r.CanLogin, SCRAM: r.Password, Config: r.Config}
		if t, ok := r.Expires(); ok {
			dr.ValidUntil = &t
		}
		if r.ConnLimit >= 0 {
			n := r.ConnLimit
			dr.ConnLimit = &n
		}
		list = append(list, dr)
	}
	return s.dir.SetRoles(list)
}

// Shards returns the index shards (for the SQL layer).
func (s *Server) Shards() *shard.Manager { return s.shards }

// listenUnix listens on dir/.s.PGSQL.<port>, replacing a stale socket file.
func listenUnix(dir string, port int) (net.Listener, string, error) {
	path := filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))
	if _, err := os.Stat(path); err == nil {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, "", fmt.Errorf("supervisor: socket %s is in use by another server", path)
		}
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", fmt.Errorf("supervisor: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o777); err != nil {
		ln.Close()
		return nil, "", fmt.Errorf("supervisor: chmod %s: %w", path, err)
	}
	return ln, path, nil
}

// Addr returns the TCP address the server listens on.
func (s *Server) Addr() net.Addr { return s.listeners[0].Addr() }

// storageCloseTimeout bounds the storage's close at shutdown (WAL sync, the
// shutdown checkpoint, Badger's close). It is separate from shutdown_timeout,
// which is the running statements' time. Past it the server exits anyway: a
// storage that cannot write (a failing disk) would otherwise keep it up for
// ever, and the WAL, synced before, holds every commit for the next start.
const storageCloseTimeout = time.Minute

// Shutdown stops accepting, lets running statements finish until ctx's deadline,
// ends every session with FATAL 57P01, and stops the actor tree.
func (s *Server) Shutdown(ctx context.Context) error {
	s.log.Info().Int("sessions", s.registry.Len()).Msg("shutting down: no new connections; waiting for running statements")
	var errs []error
	for _, l := range s.listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if s.sockPath != "" {
		os.Remove(s.sockPath)
	}
	s.registry.Each(func(b connection.Backend) { b.Shutdown() })
	select {
	case <-s.registry.Empty():
	case <-ctx.Done():
		s.log.Warn().Int("sessions", s.registry.Len()).Msg("shutdown deadline passed: terminating running statements")
		terminate := pgerr.Fatal(pgerrcode.AdminShutdown, "terminating connection due to administrator command")
		s.registry.Each(func(b connection.Backend) { b.CancelStatement(terminate) })
		select {
		case <-s.registry.Empty():
		case <-time.After(2 * time.Second):
		}
	}
	if s.system != nil && s.root != nil {
		if err := s.system.Root.StopFuture(s.root).Wait(); err != nil {
			errs = append(errs, fmt.Errorf("supervisor: stop actor tree: %w", err))
		}
	}
	if s.store != nil { // drains commits and takes the shutdown checkpoint
		cctx, cancel := context.WithTimeout(context.Background(), storageCloseTimeout)
		err := s.store.Close(cctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("supervisor: close storage: %w", err))
		}
	}
	if s.shards != nil { // after the store: no commit reaches the shards any more
		if err := s.shards.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.system != nil {
		s.system.Shutdown()
	}
	if err := s.dir.Close(); err != nil {
		errs = append(errs, err)
	}
	s.log.Info().Msg("shutdown complete")
	return errors.Join(errs...)
}
