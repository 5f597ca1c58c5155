package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/augurdb/augur/storage/learned/learnedbench"
)

// newBenchIndexCmd is `augur bench index`: the learned index against
// tidwall/btree and google/btree, side by side in one run (issue 4).
func newBenchIndexCmd() *cobra.Command {
	var (
		keys   int
		asJSON bool
		dists  []string
		impls  []string
		seed   uint64
	)
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Compare the learned index with tidwall/btree and google/btree",
		Long: `Compare the learned index with github.com/tidwall/btree (built by inserts,
and bulk-built from sorted keys as tidwall_load) and github.com/google/btree on
sequential, uniform, lognormal and clustered keys: point lookup, random-order
insert, delete and 100-key scan times, and the whole structure's heap bytes per
key (keys and payloads included) and the overhead beyond the items themselves.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keys < 1 {
				return fmt.Errorf("--keys must be positive")
			}
			for _, d := range dists {
				if !containsString(learnedbench.Distributions, d) {
					return fmt.Errorf("unknown distribution %q (want one of %s)", d, strings.Join(learnedbench.Distributions, ", "))
				}
			}
			out := cmd.OutOrStdout()
			for _, i := range impls {
				if !containsString(learnedbench.Impls, i) {
					return fmt.Errorf("unknown implementation %q (want one of %s)", i, strings.Join(learnedbench.Impls, ", "))
				}
			}
			cfg := learnedbench.Config{Keys: keys, Distributions: dists, Impls: impls, Seed: seed}
			if !asJSON {
				fmt.Fprintf(out, "augur bench index: %d keys, %s, GOMAXPROCS=%d\n", keys, runtime.Version(), runtime.GOMAXPROCS(0))
				cfg.Progress = func(r learnedbench.Result) {
					fmt.Fprintf(cmd.ErrOrStderr(), "  %s %s %s %.1f\n", r.Distribution, r.Impl, r.Metric, r.Value)
				}
			}
			results, err := learnedbench.Run(cfg)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(results)
			}
			return printIndexTable(out, results)
		},
	}
	f := cmd.Flags()
	f.IntVar(&keys, "keys", 1_000_000, "number of keys per distribution")
	f.BoolVar(&asJSON, "json", false, "print one JSON array of {distribution, keys, impl, metric, value}")
	f.StringSliceVar(&dists, "dist", nil, "distributions to run (default all: "+strings.Join(learnedbench.Distributions, ",")+")")
	f.StringSliceVar(&impls, "impl", nil, "implementations to run (default "+strings.Join(learnedbench.DefaultImpls, ",")+"; learned_load is the learned index bulk-loaded)")
	f.Uint64Var(&seed, "seed", 1, "seed of the key generator and operation orders")
	return cmd
}

// printIndexTable prints one table per distribution: a row per metric, a
// column per implementation, and learned's ratio to tidwall.
func printIndexTable(w io.Writer, results []learnedbench.Result) error {
	type cell struct{ dist, impl, metric string }
	vals := map[cell]float64{}
	var dists, impls []string
	for _, r := range results {
		if !containsString(dists, r.Distribution) {
			dists = append(dists, r.Distribution)
		}
		vals[cell{r.Distribution, r.Impl, r.Metric}] = r.Value
	}
	for _, impl := range learnedbench.Impls {
		for _, r := range results {
			if r.Impl == impl {
				impls = append(impls, impl)
				break
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, d := range dists {
		fmt.Fprintf(tw, "%s\t", d)
		for _, impl := range impls {
			fmt.Fprintf(tw, "%s\t", impl)
		}
		fmt.Fprintf(tw, "tidwall/learned\t\n")
		for _, m := range learnedbench.Metrics {
			fmt.Fprintf(tw, "%s\t", m)
			for _, impl := range impls {
				if v, ok := vals[cell{d, impl, m}]; ok {
					fmt.Fprintf(tw, "%.1f\t", v)
				} else {
					fmt.Fprintf(tw, "-\t")
				}
			}
			l, lok := vals[cell{d, "learned", m}]
			t, tok := vals[cell{d, "tidwall", m}]
			if lok && tok && l > 0 {
				fmt.Fprintf(tw, "%.2fx\t\n", t/l)
			} else {
				fmt.Fprintf(tw, "-\t\n")
			}
		}
		fmt.Fprintf(tw, "\t\n")
	}
	return tw.Flush()
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
