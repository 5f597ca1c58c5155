package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary stand in for the augur binary: `augur bench
// embedded` re-executes itself (os.Executable) as `augur bench embedded-run`
// for each engine's child process.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		root := newRootCmd()
		root.SetArgs(os.Args[1:])
		if err := root.Execute(); err != nil {
			os.Stderr.WriteString("augur: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestBenchEmbeddedJSON(t *testing.T) {
	const size = 2000
	const opsScale = 0.002 // 2,000 point reads, 200 range scans, 800 mixed statements
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs([]string{"bench", "embedded", "--json", "--sizes", "2000", "--runs", "1",
		"--dir", t.TempDir(), "--ops-scale", "0.002"})
	if err := root.Execute(); err != nil {
		t.Fatalf("bench embedded: %v\n%s", err, errOut.String())
	}
	var results []map[string]any
	if err := json.Unmarshal(out.Bytes(), &results); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out.String())
	}
	fields := []string{"engine", "size", "dist", "op", "ops_per_s", "p50_ns", "p95_ns", "p99_ns", "rss_anon_bytes", "disk_bytes"}
	wantOps := map[string]float64{
		"insert":   size,
		"point":    1_000_000 * opsScale,
		"range100": 100_000 * opsScale,
		"mixed":    400_000 * opsScale,
	}
	seen := map[string]bool{}
	for _, r := range results {
		for _, f := range fields {
			if _, ok := r[f]; !ok {
				t.Errorf("result %v lacks %q", r, f)
			}
		}
		engine, _ := r["engine"].(string)
		dist, _ := r["dist"].(string)
		op, _ := r["op"].(string)
		seen[engine+"/"+dist+"/"+op] = true
		if r["size"] != float64(size) {
			t.Errorf("%s %s %s: size %v, want %d", engine, dist, op, r["size"], size)
		}
		if got := r["ops"]; got != wantOps[op] {
			t.Errorf("%s %s %s: %v operations, want %v", engine, dist, op, got, wantOps[op])
		}
		if op == "range100" {
			// Every scan starts at least 100 rows before the end for sequential
			// keys; random keys start at a random existing key.
			rows, _ := r["rows"].(float64)
			if dist == "sequential" && rows != 100*wantOps[op] || rows < wantOps[op] || rows > 100*wantOps[op] {
				t.Errorf("%s %s range100: %v rows in %v scans", engine, dist, rows, wantOps[op])
			}
		}
		for _, f := range []string{"ops_per_s", "p50_ns", "p95_ns", "p99_ns", "rss_anon_bytes", "disk_bytes"} {
			if v, _ := r[f].(float64); v <= 0 {
				t.Errorf("%s %s %s: %s = %v, want > 0", engine, dist, op, f, r[f])
			}
		}
		p50, _ := r["p50_ns"].(float64)
		p99, _ := r["p99_ns"].(float64)
		if p50 > p99 {
			t.Errorf("%s %s %s: p50 %v > p99 %v", engine, dist, op, p50, p99)
		}
		// The 2,000 rows of 108 bytes are on disk (both engines write them
		// through a log before the measurement).
		if disk, _ := r["disk_bytes"].(float64); disk < size*108 {
			t.Errorf("%s %s: %v bytes on disk, want at least %d", engine, dist, disk, size*108)
		}
	}
	for _, e := range embeddedEngines {
		for _, d := range embeddedDists {
			for _, op := range embeddedOps {
				if !seen[e+"/"+d+"/"+op] {
					t.Errorf("no result for %s %s %s", e, d, op)
				}
			}
		}
	}
	if len(results) != len(embeddedEngines)*len(embeddedDists)*len(embeddedOps) {
		t.Errorf("%d results, want %d", len(results), len(embeddedEngines)*len(embeddedDists)*len(embeddedOps))
	}
}

func TestBenchEmbeddedTable(t *testing.T) {
	results := []embeddedBenchResult{
		{Engine: "augur", Size: 1000, Dist: "random", Op: "point", OpsPerS: 300, P50ns: 1000, P95ns: 2000, P99ns: 3000, RSSAnonBytes: 1 << 20, DiskBytes: 2 << 20},
		{Engine: "sqlite", Size: 1000, Dist: "random", Op: "point", OpsPerS: 100, P50ns: 3000, P95ns: 4000, P99ns: 5000, RSSAnonBytes: 1 << 20, DiskBytes: 2 << 20},
	}
	var out bytes.Buffer
	if err := embeddedBenchTable(&out, results); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3.00x", "300", "100", "1.0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMedians(t *testing.T) {
	run := func(ops float64, p99 int64) []embeddedBenchResult {
		return []embeddedBenchResult{{Engine: "augur", Size: 10, Dist: "random", Op: "point", OpsPerS: ops, P99ns: p99}}
	}
	got := embeddedMedians([][]embeddedBenchResult{run(5, 30), run(1, 10), run(3, 20)})
	if len(got) != 1 || got[0].OpsPerS != 3 || got[0].P99ns != 20 {
		t.Errorf("medians = %+v, want ops 3, p99 20", got)
	}
}

func TestLatencyHist(t *testing.T) {
	var h latencyHist
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 501 * time.Microsecond}, {0.95, 951 * time.Microsecond}, {0.99, 991 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.Percentile(tc.p)
		if got < tc.want || float64(got) > float64(tc.want)*1.016 {
			t.Errorf("p%.0f = %v, want %v within 1.6%% above", tc.p*100, got, tc.want)
		}
	}
	for v := uint64(0); v < 1<<20; v = v*5/4 + 1 {
		b := latencyBucket(v)
		if v > latencyBucketMax(b) || b > 0 && v <= latencyBucketMax(b-1) {
			t.Fatalf("value %d in bucket %d [.., %d], previous ends at %d", v, b, latencyBucketMax(b), latencyBucketMax(b-1))
		}
	}
	if b := latencyBucket(^uint64(0)); b != latencyBuckets-1 {
		t.Errorf("largest value in bucket %d, want %d", b, latencyBuckets-1)
	}
}
