package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/augurdb/augur/integration/pgref"
)

func TestParseServerBenchRun(t *testing.T) {
	const ok = `transaction type: <builtin: select only>
number of transactions actually processed: 6024
number of failed transactions: 0 (0.000%)
latency average = 0.264 ms
initial connection time = 3.101 ms
tps = 3792.123456 (without initial connection time)
`
	tests := []struct {
		name     string
		out      string
		tps, lat float64
		wantErr  string
	}{
		{"complete", ok, 3792.123456, 0.264, ""},
		{"failures", strings.Replace(ok, "failed transactions: 0 ", "failed transactions: 3 ", 1), 0, 0, "3 failed transactions"},
		{"no tps", strings.Replace(ok, "tps = ", "", 1), 0, 0, "no tps"},
		{"no latency", strings.Replace(ok, "latency average", "", 1), 0, 0, "no tps"},
		{"empty", "", 0, 0, "no tps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tps, lat, err := parseServerBenchRun(tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || tps != tc.tps || lat != tc.lat {
				t.Fatalf("got %v, %v, %v; want %v, %v", tps, lat, err, tc.tps, tc.lat)
			}
		})
	}
}

func TestServerBenchTable(t *testing.T) {
	o := serverBenchOptions{scale: 1, clients: []int{1, 8}, threads: 2, duration: time.Second}
	rep := serverBenchReport{
		Setup: []string{"machine: test"},
		Results: []serverBenchResult{
			{"augur", 1, "select_only", 1, 3000, 0.3},
			{"postgres", 1, "select_only", 1, 2000, 0.5},
			{"postgres", 1, "tpcb", 8, 400, 20},
			{"augur", 1, "tpcb", 8, 100, 80},
		},
	}
	var b bytes.Buffer
	if err := serverBenchTable(&b, o, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"machine: test", "1.50x", "0.25x"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// A pair with a side missing has no row.
	if strings.Count(out, "select_only") != 1 || strings.Count(out, "tpcb") != 1 {
		t.Errorf("want one row per complete pair:\n%s", out)
	}
}

// TestBenchServer runs the whole command at scale 1 with one-second runs, on an
// augur binary built from this package, and checks what --json prints.
func TestBenchServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and Augur and loads both")
	}
	requirePG := os.Getenv("AUGUR_DIFF_REQUIRE_PG") != ""
	if _, err := exec.LookPath("pgbench"); err != nil {
		if requirePG {
			t.Fatal(err)
		}
		t.Skip("pgbench is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "augur")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build augur: %v\n%s", err, out)
	}
	cmd := newBenchServerCmd()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--scale", "1", "--clients", "1,2", "--duration", "1s", "--json", "--augur-bin", bin})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	if errors.Is(err, pgref.ErrUnavailable) && !requirePG {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("bench server: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("stderr:\n%s", stderr.String())
	for _, want := range []string{"synchronous_commit = on", "fsync = on", "shared_buffers = " + serverBenchSharedBuffers(), "machine: "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q", want)
		}
	}

	// The exact keys of each object, then their values.
	var raw []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("stdout is not one JSON array: %v\n%s", err, stdout.String())
	}
	wantKeys := []string{"clients", "lat_ms", "scale", "server", "tps", "workload"}
	for _, obj := range raw {
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("object keys %v, want %v", keys, wantKeys)
		}
	}
	var results []serverBenchResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range results {
		key := r.Server + "/" + r.Workload + "/" + strings.Repeat("c", r.Clients)
		if seen[key] {
			t.Errorf("%s measured twice", key)
		}
		seen[key] = true
		if r.Scale != 1 || !(r.Server == "augur" || r.Server == "postgres") || !(r.Workload == "select_only" || r.Workload == "tpcb") ||
			!(r.Clients == 1 || r.Clients == 2) || r.TPS <= 0 || r.LatMs <= 0 {
			t.Errorf("bad result %+v", r)
		}
	}
	if len(seen) != 8 {
		t.Errorf("%d distinct results, want 8 (2 servers x 2 workloads x 2 client counts): %+v", len(seen), results)
	}
}
