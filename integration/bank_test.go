package integration

// TestBankTransfers is the classic bank workload: concurrent clients move money
// between accounts in transactions, retrying serialization failures (40001) and
// deadlocks (40P01), while an auditor sums the balances. Whatever the isolation
// level and however the transactions interleave, money is neither made nor lost:
// every audit and the final state see the same total, no balance goes negative
// (the CHECK constraint refuses an overdraft with 23514, which is the client's
// answer, not a reason to retry), and each account's balance is its opening
// balance plus the amounts of the transfers that committed — which a lost update
// would break even where the total survives.
//
// The variants are the patterns applications use: at READ COMMITTED, UPDATE …
// SET balance = balance - x, in whatever order the transfer names the accounts
// (so two transfers between the same accounts in opposite directions can
// deadlock, and one of them is retried); at REPEATABLE READ and SERIALIZABLE,
// read both balances then write the new ones, which only the first updater or
// the serializable check keeps from losing updates. The same workload runs on
// the reference PostgreSQL when there is one, for figures side by side.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	bankAccounts        = 10
	bankOpeningBalance  = 100
	bankClients         = 8
	bankTransfersEach   = 100
	bankMostTransferred = 50
	bankMostAttempts    = 1000 // a transfer retried this often fails the test
)

// bankVariant is one way of writing a transfer.
type bankVariant struct {
	name  string
	level string
	// readThenWrite reads both balances and writes the new values; otherwise
	// each UPDATE computes balance ± amount.
	readThenWrite bool
	// ordered touches the account with the lower id first, which keeps two
	// transfers from waiting for each other in a cycle.
	ordered bool
}

var bankVariants = []bankVariant{
	{name: "read committed, balance ± x, unordered", level: "read committed"},
	{name: "repeatable read, read then write, ordered", level: "repeatable read", readThenWrite: true, ordered: true},
	{name: "serializable, read then write, unordered", level: "serializable", readThenWrite: true},
}

// bankCounts are the figures of one variant's run.
type bankCounts struct {
	committed int            // transfers that committed
	refused   int            // transfers the CHECK refused (23514)
	retries   map[string]int // retried attempts by SQLSTATE
	audits    int            // sums the auditor took while the clients ran
	elapsed   time.Duration
}

func (c *bankCounts) add(o bankCounts) {
	c.committed += o.committed
	c.refused += o.refused
	for code, n := range o.retries {
		c.retries[code] += n
	}
}

func TestBankTransfers(t *testing.T) {
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	// figures[server][variant]
	figures := map[string]map[string]bankCounts{}
	run := func(t *testing.T, server, url string) {
		figures[server] = map[string]bankCounts{}
		for _, v := range bankVariants {
			t.Run(v.name, func(t *testing.T) {
				figures[server][v.name] = runBank(t, url, v)
			})
		}
	}
	t.Run("augur", func(t *testing.T) { run(t, "augur", au.url("augur", "disable")) })
	t.Run("postgres", func(t *testing.T) {
		pgURL := referencePostgres(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin := sqlConnect(t, ctx, pgURL)
		for _, sql := range []string{"DROP DATABASE IF EXISTS bank", "CREATE DATABASE bank"} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		url, err := withDatabase(pgURL, "bank")
		if err != nil {
			t.Fatal(err)
		}
		run(t, "postgres", url)
	})

	var b strings.Builder
	fmt.Fprintf(&b, "%d clients × %d transfers among %d accounts\n\n", bankClients, bankTransfersEach, bankAccounts)
	b.WriteString("| server | variant | committed | refused (23514) | retried 40001 | retried 40P01 | audits | time |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, server := range []string{"augur", "postgres"} {
		for _, v := range bankVariants {
			c, ok := figures[server][v.name]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %.1fs |\n", server, v.name, c.committed, c.refused,
				c.retries["40001"], c.retries["40P01"], c.audits, c.elapsed.Seconds())
		}
	}
	t.Logf("bank transfers:\n%s", b.String())
}

// bankConnect opens a connection that speaks the simple Query protocol and
// detects deadlocks soon (the default second per check would make a run with
// many deadlocks slow, not different).
func bankConnect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	if _, err := c.Exec(ctx, "SET deadlock_timeout = '50ms'"); err != nil {
		t.Fatalf("SET deadlock_timeout: %v", err)
	}
	return c
}

// runBank runs one variant on a fresh accounts table and checks the invariants.
func runBank(t *testing.T, url string, v bankVariant) bankCounts {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := bankConnect(t, ctx, url)
	for _, sql := range []string{
		"DROP TABLE IF EXISTS accounts",
		"CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0))",
		fmt.Sprintf("INSERT INTO accounts SELECT g, %d FROM generate_series(1, %d) AS g", bankOpeningBalance, bankAccounts),
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const total = bankAccounts * bankOpeningBalance

	// An overdraft is refused by the CHECK, whatever the variant.
	err := transferOnce(ctx, admin, v, 1, 2, bankOpeningBalance+1)
	if code := pgCode(err); code != "23514" {
		t.Fatalf("transfer of more than the balance: %v, want 23514", err)
	}

	counts := bankCounts{retries: map[string]int{}}
	ledger := make([]int, bankAccounts+1) // ledger[id]: the sum of committed changes
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, bankClients+1)
	// Every connection is open before the clients start, so that the auditor
	// runs from the first transfer to the last.
	conns := make([]*pgx.Conn, bankClients)
	for client := range conns {
		conns[client] = bankConnect(t, ctx, url)
	}
	auditor := bankConnect(t, ctx, url)
	// progress wakes the auditor after a transfer ends: audits follow the
	// clients without taking a core of their own.
	progress := make(chan struct{}, 1)
	start := time.Now()
	for client, conn := range conns {
		rng := rand.New(rand.NewPCG(uint64(client), uint64(start.UnixNano())))
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := bankCounts{retries: map[string]int{}}
			changes := make([]int, bankAccounts+1)
			for range bankTransfersEach {
				from := 1 + rng.IntN(bankAccounts)
				to := 1 + rng.IntN(bankAccounts-1)
				if to >= from {
					to++
				}
				amount := 1 + rng.IntN(bankMostTransferred)
				committed, err := transfer(ctx, conn, v, from, to, amount, mine.retries)
				if err != nil {
					errs <- fmt.Errorf("client %d: transfer of %d from %d to %d: %w", client, amount, from, to, err)
					return
				}
				select {
				case progress <- struct{}{}:
				default:
				}
				if committed {
					mine.committed++
					changes[from] -= amount
					changes[to] += amount
				} else {
					mine.refused++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			counts.add(mine)
			for id, d := range changes {
				ledger[id] += d
			}
		}()
	}

	// The auditor sums the balances after transfers end, until the clients are
	// done; each sum is one statement, so it reads one snapshot at every level.
	done := make(chan struct{})
	var auditWG sync.WaitGroup
	auditWG.Add(1)
	go func() {
		defer auditWG.Done()
		for {
			select {
			case <-done:
				return
			case <-progress:
			}
			var sum, n int
			if err := auditor.QueryRow(ctx, "SELECT sum(balance), count(*) FROM accounts").Scan(&sum, &n); err != nil {
				errs <- fmt.Errorf("audit: %w", err)
				return
			}
			if sum != total || n != bankAccounts {
				errs <- fmt.Errorf("audit %d saw a total of %d in %d accounts, want %d in %d", counts.audits+1, sum, n, total, bankAccounts)
				return
			}
			counts.audits++
		}
	}()
	wg.Wait()
	counts.elapsed = time.Since(start)
	close(done)
	auditWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	rows, err := admin.Query(ctx, "SELECT id, balance FROM accounts ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	balances, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int, error) {
		var row [2]int
		err := r.Scan(&row[0], &row[1])
		return row, err
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, b := range balances {
		sum += b[1]
		if b[1] < 0 {
			t.Errorf("account %d has a negative balance %d", b[0], b[1])
		}
		if want := bankOpeningBalance + ledger[b[0]]; b[1] != want {
			t.Errorf("account %d holds %d; its opening balance and the committed transfers make %d", b[0], b[1], want)
		}
	}
	if sum != total || len(balances) != bankAccounts {
		t.Errorf("afterwards %d accounts hold %d in all, want %d holding %d", len(balances), sum, bankAccounts, total)
	}
	if n := counts.committed + counts.refused; n != bankClients*bankTransfersEach && !t.Failed() {
		t.Errorf("%d transfers committed or refused, want %d", n, bankClients*bankTransfersEach)
	}
	return counts
}

// transfer moves amount from one account to another, retrying serialization
// failures and deadlocks (counted in retries by SQLSTATE). committed is false
// when the CHECK refused the transfer.
func transfer(ctx context.Context, conn *pgx.Conn, v bankVariant, from, to, amount int, retries map[string]int) (committed bool, err error) {
	for range bankMostAttempts {
		err := transferOnce(ctx, conn, v, from, to, amount)
		switch code := pgCode(err); code {
		case "":
			return true, nil
		case "23514":
			return false, nil
		case "40001", "40P01":
			retries[code]++
		default:
			return false, err
		}
	}
	return false, fmt.Errorf("still failing after %d attempts", bankMostAttempts)
}

// transferOnce is one attempt: a transaction that commits, or is rolled back and
// returns the error that ended it.
func transferOnce(ctx context.Context, conn *pgx.Conn, v bankVariant, from, to, amount int) (err error) {
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL "+strings.ToUpper(v.level)); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if _, rbErr := conn.Exec(ctx, "ROLLBACK"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
		}
	}()
	type change struct{ id, delta int }
	changes := []change{{from, -amount}, {to, amount}}
	if v.ordered && to < from {
		changes[0], changes[1] = changes[1], changes[0]
	}
	if v.readThenWrite {
		balances := map[int]int{}
		for _, c := range changes {
			var b int
			if err := conn.QueryRow(ctx, "SELECT balance FROM accounts WHERE id = $1", c.id).Scan(&b); err != nil {
				return err
			}
			balances[c.id] = b
		}
		for _, c := range changes {
			if _, err := conn.Exec(ctx, "UPDATE accounts SET balance = $1 WHERE id = $2", balances[c.id]+c.delta, c.id); err != nil {
				return err
			}
		}
	} else {
		for _, c := range changes {
			if _, err := conn.Exec(ctx, "UPDATE accounts SET balance = balance + $1 WHERE id = $2", c.delta, c.id); err != nil {
				return err
			}
		}
	}
	tag, err := conn.Exec(ctx, "COMMIT")
	if err != nil {
		return err
	}
	if tag.String() != "COMMIT" {
		return fmt.Errorf("COMMIT answered %q", tag)
	}
	return nil
}
