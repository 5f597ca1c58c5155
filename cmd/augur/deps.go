//go:build tools

// This file pins modules that Augur's packages import, so that go.mod and go.sum
// are complete even while parts of the tree that use them are being written.
package main

import (
	_ "github.com/asynkron/protoactor-go/actor"
	_ "github.com/cockroachdb/apd/v3"
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/google/btree"
	_ "github.com/jackc/pgerrcode"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"
	_ "github.com/mattn/go-sqlite3"
	_ "github.com/pingcap/tidb/pkg/parser"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/rs/zerolog"
	_ "github.com/spf13/cobra"
	_ "github.com/tidwall/btree"
	_ "github.com/xdg-go/scram"
	_ "golang.org/x/term"
)
