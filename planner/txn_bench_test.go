package planner

import (
	"context"
	"fmt"
	"testing"

	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// BenchmarkTxnStatements measures a single-row statement in its own
// transaction through the embedded session (no fsync: the cost of the SQL
// and transaction layers, row and table locks included) at each isolation
// level.
func BenchmarkTxnStatements(b *testing.B) {
	ctx := context.Background()
	for _, iso := range []string{"read committed", "repeatable read", "serializable"} {
		for _, stmt := range []struct{ name, sql string }{
			{"point select", `SELECT n FROM bt WHERE id = $1`},
			{"point update", `UPDATE bt SET n = n + 1 WHERE id = $1`},
			{"insert", `INSERT INTO bt VALUES ($1 + 100000, 0)`},
			{"range 100", `SELECT id, n FROM bt WHERE id >= $1 ORDER BY id LIMIT 100`},
		} {
			b.Run(fmt.Sprintf("%s/%s", iso, stmt.name), func(b *testing.B) {
				st, err := store.Open(ctx, b.TempDir(), store.Options{CheckpointTimeout: -1, AsyncCommit: true}, zerolog.Nop())
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close(ctx)
				eng, err := NewEngine(ctx, st, map[string]string{"augur": "augur"})
				if err != nil {
					b.Fatal(err)
				}
				c, err := eng.Connect("augur", "augur", store.TxnOptions{})
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				for _, q := range []string{`CREATE TABLE bt (id int PRIMARY KEY, n int)`,
					`INSERT INTO bt SELECT g, 0 FROM generate_series(1, 1000) g`,
					`SET default_transaction_isolation = '` + iso + `'`} {
					if _, err := c.Exec(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
				s, err := c.Prepare(stmt.sql)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := s.Query(ctx, []types.Datum{int64(i%1000 + 1 + (i/1000)*1000*boolInt(stmt.name == "insert"))}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
