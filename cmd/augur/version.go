package main

import (
	"fmt"

	"github.com/augurdb/augur/supervisor"
	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Augur's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "augur %s (PostgreSQL %s compatible)\n%s\n",
				supervisor.Version, supervisor.PostgresVersion, supervisor.VersionText())
			return nil
		},
	}
}
