// Package crash is the crash-recovery test: a child process commits transactions
// from several goroutines and reports every acknowledged commit on stdout; the parent
// kills it with SIGKILL at a random moment, reopens the store (running recovery) and
// checks that every acknowledged commit is there and that transfers kept the total
// balance. The child is this test binary re-executed with AUGUR_CRASH_CHILD set, so
// there is nothing extra to build.
//
// Every other round a second child then recovers the store as after a reboot
// (re-applying the log to Badger) and is killed during or after that recovery.
//
// The normal suite runs 20 rounds; `go test -tags long` runs 500.
package crash

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	walactor "github.com/augurdb/augur/actors/wal"
	"github.com/augurdb/augur/storage/store"
)

const (
	accounts       = 16
	initialBalance = 1000
	childEnv       = "AUGUR_CRASH_CHILD"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(recoverEnv); dir != "" {
		os.Exit(recoverChild(dir))
	}
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(child(dir))
	}
	os.Exit(m.Run())
}

// recoverEnv starts the child that only recovers the store, as after a reboot (a
// boot id of its own: the replay mark is not trusted, so everything since the
// checkpoint is applied to Badger again), and waits to be killed, during the
// replay or after it.
const recoverEnv = "AUGUR_CRASH_RECOVER"

func recoverChild(dir string) int {
	opts := childOptions()
	opts.BootID = "crash-test-another-boot"
	if _, err := store.Open(context.Background(), dir, opts, zerolog.Nop()); err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	select {}
}

func acct(i int) []byte { return []byte(fmt.Sprintf("acct/%02d", i)) }

// childOptions are small on purpose: segments roll, checkpoints run and large
// transactions spill during the run, so kills land in all of them.
func childOptions() store.Options {
	return store.Options{
		SegmentSize:       64 << 10,
		CheckpointTimeout: 150 * time.Millisecond,
		TxnBufferMax:      8 << 10,
	}
}

// child commits until killed. Output lines: "ready", then per acknowledged commit
// "ack <key>" (the commit made <key> exist).
func child(dir string) int {
	ctx := context.Background()
	round := os.Getenv("AUGUR_CRASH_ROUND")
	opts := childOptions()
	opts.NewCommitter = walactor.New(walactor.NewSystem(zerolog.Nop()), 0)
	s, err := store.Open(ctx, dir, opts, zerolog.New(os.Stderr))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	tx := s.Begin(store.TxnOptions{})
	if _, ok, _ := tx.Get(acct(0)); !ok {
		for i := range accounts {
			tx.Put(acct(i), []byte(strconv.Itoa(initialBalance)))
		}
		if _, err := tx.Commit(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "init:", err)
			return 2
		}
	} else {
		tx.Abort()
	}
	var outMu sync.Mutex
	ack := func(key string) {
		outMu.Lock()
		os.Stdout.WriteString("ack " + key + "\n") // one write per line, unbuffered
		outMu.Unlock()
	}
	os.Stdout.WriteString("ready\n")
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			for n := 0; ; n++ {
				marker := fmt.Sprintf("mark/%s/%d/%d", round, w, n)
				tx := s.Begin(store.TxnOptions{})
				switch op := r.IntN(20); {
				case op < 9: // insert
					tx.Put([]byte(marker), []byte(strings.Repeat("i", r.IntN(200))))
				case op < 19: // transfer, plus a marker that it happened
					a, b := r.IntN(accounts), r.IntN(accounts)
					amount := r.IntN(50)
					bal := func(k []byte) int {
						v, _, err := tx.Get(k)
						if err != nil {
							panic(err)
						}
						n, _ := strconv.Atoi(string(v))
						return n
					}
					ba := bal(acct(a))
					tx.Put(acct(a), []byte(strconv.Itoa(ba-amount)))
					bb := bal(acct(b)) // after the first put: a == b stays balanced
					tx.Put(acct(b), []byte(strconv.Itoa(bb+amount)))
					tx.Put([]byte(marker), []byte("t"))
				default: // a large insert that spills into a chain of WAL records
					for i := range 400 {
						tx.Put([]byte(fmt.Sprintf("%s/bulk/%03d", marker, i)), []byte(strings.Repeat("b", 40)))
					}
					tx.Put([]byte(marker), []byte("bulk"))
				}
				if _, err := tx.Commit(ctx); err == nil {
					ack(marker)
				}
			}
		}()
	}
	wg.Wait()
	return 0
}

func rounds() int {
	if longRounds > 0 {
		return longRounds
	}
	return 20
}

func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var acked []string
	total, skipped := 0, 0
	for round := range rounds() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir, "AUGUR_CRASH_ROUND="+strconv.Itoa(round))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		lines := make(chan string, 1<<16)
		go func() {
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for "ready" (recovery done), let it commit for a while, kill it.
		if l, ok := <-lines; !ok || l != "ready" {
			cmd.Wait()
			t.Fatalf("round %d: child did not start: %q\n%s", round, l, stderr.String())
		}
		time.Sleep(time.Duration(20+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		n := 0
		for l := range lines {
			if key, ok := strings.CutPrefix(l, "ack "); ok {
				acked = append(acked, key)
				n++
			}
		}
		cmd.Wait()
		total += n
		if round%2 == 1 {
			// A second crash, during a recovery that re-applies the log.
			rc := exec.Command(os.Args[0], "-test.run=^$")
			rc.Env = append(os.Environ(), recoverEnv+"="+dir)
			if err := rc.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
			rc.Process.Signal(syscall.SIGKILL)
			rc.Wait()
		}
		skipped += verify(t, dir, round, acked)
	}
	t.Logf("%d rounds, %d acknowledged commits verified; recovery found %d commit records in Badger already (the replay mark)", rounds(), total, skipped)
}

// verify opens the store (recovery), checks every acknowledged marker and the sum,
// and returns how many commit records recovery found in Badger already.
func verify(t *testing.T, dir string, round int, acked []string) int {
	t.Helper()
	ctx := context.Background()
	opts := childOptions()
	s, rs, err := store.OpenWithStats(ctx, dir, opts, zerolog.Nop())
	if err != nil {
		t.Fatalf("round %d: recovery failed: %v", round, err)
	}
	defer func() {
		if err := s.Close(ctx); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
	}()
	tx := s.Begin(store.TxnOptions{})
	defer tx.Abort()
	sum := 0
	for i := range accounts {
		v, ok, err := tx.Get(acct(i))
		if err != nil || !ok {
			t.Fatalf("round %d: account %d missing: %v", round, i, err)
		}
		n, _ := strconv.Atoi(string(v))
		sum += n
	}
	if sum != accounts*initialBalance {
		t.Fatalf("round %d: balance sum %d, want %d", round, sum, accounts*initialBalance)
	}
	for _, key := range acked {
		v, ok, err := tx.Get([]byte(key))
		if err != nil || !ok {
			t.Fatalf("round %d: acknowledged commit %s lost (err %v; replayed %d records)", round, key, err, rs.Records)
		}
		if string(v) == "bulk" {
			it := tx.Scan([]byte(key+"/bulk/"), []byte(key+"/bulk0"))
			n := 0
			for ; it.Valid(); it.Next() {
				n++
			}
			it.Close()
			if n != 400 {
				t.Fatalf("round %d: spilled commit %s has %d of 400 rows", round, key, n)
			}
		}
	}
	return rs.AlreadyApplied
}
