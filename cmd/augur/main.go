// Command augur is Augur's one binary: the server (serve), and the tools around it.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "augur:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "augur",
		Short:         "Augur, a PostgreSQL-compatible SQL database server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newVersionCmd(), newBenchCmd())
	return root
}

func newBenchCmd() *cobra.Command {
	bench := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks that compare Augur side by side with a reference",
	}
	for _, c := range benchCommands() {
		bench.AddCommand(c)
	}
	return bench
}
