package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/rs/zerolog"
)

// Sampling rates while profiles are served. Both cost a little on every contended
// lock and blocking channel operation, so they are set only with --pprof-listen.
const (
	// mutexProfileFraction: on average 1 in this many mutex contention events is recorded.
	mutexProfileFraction = 100
	// blockProfileRate: one blocking event is sampled per this many nanoseconds blocked.
	blockProfileRate = 10_000
)

// pprofServer serves net/http/pprof's handlers on a mux of its own (never
// http.DefaultServeMux, which any imported package may add to).
type pprofServer struct {
	ln  net.Listener
	srv *http.Server
}

// startPprof listens on addr (a loopback address; config.Validate checks it) and
// serves Go's profiles under /debug/pprof/ until stop. It also turns on the mutex
// and block profiles, which are off by default in Go.
func startPprof(addr string, log zerolog.Logger) (*pprofServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // heap, allocs, goroutine, mutex, block, …
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	p := &pprofServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	runtime.SetBlockProfileRate(blockProfileRate)
	go func() {
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn().Err(err).Msg("pprof: server stopped")
		}
	}()
	log.Info().Str("pprof_listen", ln.Addr().String()).Msg("serving Go profiles at /debug/pprof/")
	return p, nil
}

// Addr returns the address profiles are served on.
func (p *pprofServer) Addr() net.Addr { return p.ln.Addr() }

// stop closes the listener and any profile request in progress, and turns the
// mutex and block profiles off again.
func (p *pprofServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		p.srv.Close()
	}
	runtime.SetMutexProfileFraction(0)
	runtime.SetBlockProfileRate(0)
}
