package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/supervisor"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

const serveLong = `Start the Augur server.

On first start in an empty (or missing) data directory, Augur bootstraps it: it
creates the superuser "augur" with the password in AUGUR_PASSWORD (or generates
one and prints it once to stderr) and the databases "augur" and "postgres".

Every setting below has three spellings: the flag (--tls-cert), the environment
variable (AUGUR_TLS_CERT) and the TOML key in --config (tls_cert). Precedence:
flag > environment > file > default. Authentication rules ([[auth]]) and session
defaults ([session]) are set in the TOML file only; see README.md.`

func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Start the Augur server",
		Long:  serveLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), cfg, os.Stderr)
		},
	}
	config.RegisterFlags(cmd.Flags())
	return cmd
}

// newLogger builds the process's one log stream: JSON unless the format is console
// (the default on a terminal).
func newLogger(cfg config.Config, w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("log level %q: %w", cfg.LogLevel, err)
	}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "console"
		}
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

func serve(ctx context.Context, cfg config.Config, stderr io.Writer) error {
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if cfg.PprofListen != "" {
		pp, err := startPprof(cfg.PprofListen, log)
		if err != nil {
			return err
		}
		defer pp.stop()
	}
	srv, err := supervisor.New(cfg, log, os.Getenv("AUGUR_PASSWORD"), stderr)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := srv.Start(ctx); err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	log.Info().Str("version", supervisor.ServerVersion()).Str("data", cfg.Data).
		Str("listen", srv.Addr().String()).Msg("augur is ready to accept connections")
	var sig os.Signal
	select {
	case sig = <-sigs:
	case <-ctx.Done():
	}
	log.Info().Str("signal", strings.ToUpper(fmt.Sprint(sig))).Dur("deadline", cfg.ShutdownTimeout).Msg("received shutdown request")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}
