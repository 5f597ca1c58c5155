package main

import "github.com/spf13/cobra"

// benchCommands lists the `augur bench` subcommands.
func benchCommands() []*cobra.Command {
	return []*cobra.Command{newBenchCommitCmd(), newBenchIndexCmd(), newBenchEmbeddedCmd(), newBenchEmbeddedRunCmd(), newBenchServerCmd(), newBenchMemoryCmd()}
}
