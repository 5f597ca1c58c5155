package main

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestPprofServesProfiles(t *testing.T) {
	p, err := startPprof("127.0.0.1:0", zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if got := runtime.SetMutexProfileFraction(-1); got != mutexProfileFraction {
		t.Errorf("mutex profile fraction %d while serving, want %d", got, mutexProfileFraction)
	}
	base := "http://" + p.Addr().String() + "/debug/pprof/"
	tests := []struct{ path, want string }{
		{"", "goroutine"},              // the index lists the profiles
		{"cmdline", "augur"},           // the test binary's name is augur.test
		{"goroutine?debug=1", "pprof"}, // a named profile, in text
		{"heap?debug=1", "heap profile"},
	}
	for _, tt := range tests {
		resp, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tt.want) {
			t.Errorf("GET %s: status %d, err %v, body without %q:\n%.300s", tt.path, resp.StatusCode, err, tt.want, body)
		}
	}
	p.stop()
	if got := runtime.SetMutexProfileFraction(-1); got != 0 {
		t.Errorf("mutex profile fraction %d after stop, want 0", got)
	}
	if _, err := http.Get(base); err == nil {
		t.Fatal("profiles still served after stop")
	}
}
