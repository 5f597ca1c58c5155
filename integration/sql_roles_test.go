package integration

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestRoleLogin: roles made with CREATE ROLE log in with SCRAM-SHA-256 from pgx,
// lib/pq and psql; NOLOGIN, expired, password-less, unknown and dropped roles are
// refused as PostgreSQL refuses them, and so is a session over the role's
// CONNECTION LIMIT; passwords set by psql's \password (a
// verifier computed by libpq) work; roles survive a restart.
func TestRoleLogin(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	admin := connect(t, ctx, s.url("augur", "disable"))
	for _, q := range []string{
		"CREATE USER roles_app PASSWORD 'app pw'",
		"CREATE ROLE roles_nologin PASSWORD 'x'",
		"CREATE USER roles_expired PASSWORD 'x' VALID UNTIL '2001-01-01'",
		"CREATE USER roles_future PASSWORD 'x' VALID UNTIL '2999-01-01 00:00:00+00'",
		"CREATE USER roles_forever PASSWORD 'x' VALID UNTIL 'infinity'",
		"CREATE USER roles_nopw",
		"CREATE USER roles_gone PASSWORD 'x'",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	roleURL := func(user, password string) string {
		return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/augur?sslmode=disable", user, strings.ReplaceAll(password, " ", "%20"), s.port)
	}
	login := func(user, password string) error {
		c, err := pgx.Connect(ctx, roleURL(user, password))
		if err == nil {
			c.Close(ctx)
		}
		return err
	}

	t.Run("pgx", func(t *testing.T) {
		c := connect(t, ctx, roleURL("roles_app", "app pw"))
		var cur, sess string
		if err := c.QueryRow(ctx, "SELECT current_user, session_user").Scan(&cur, &sess); err != nil || cur != "roles_app" || sess != "roles_app" {
			t.Fatalf("current_user %q session_user %q: %v", cur, sess, err)
		}
		if v := c.PgConn().ParameterStatus("is_superuser"); v != "off" {
			t.Fatalf("is_superuser = %q", v)
		}
		if v := c.PgConn().ParameterStatus("session_authorization"); v != "roles_app" {
			t.Fatalf("session_authorization = %q", v)
		}
		// Without CREATEDB there is no CREATE DATABASE; without CREATEROLE no roles.
		if _, err := c.Exec(ctx, "CREATE DATABASE roles_nope"); pgCode(err) != "42501" {
			t.Fatalf("CREATE DATABASE without CREATEDB: %v", err)
		}
		if _, err := c.Exec(ctx, "CREATE ROLE roles_nope"); pgCode(err) != "42501" {
			t.Fatalf("CREATE ROLE without CREATEROLE: %v", err)
		}
		if _, err := c.Exec(ctx, "SET SESSION AUTHORIZATION augur"); pgCode(err) != "42501" {
			t.Fatalf("SET SESSION AUTHORIZATION by a non-superuser: %v", err)
		}
	})

	t.Run("lib/pq", func(t *testing.T) {
		db, err := sql.Open("postgres", fmt.Sprintf("host=127.0.0.1 port=%d user=roles_app password='app pw' dbname=augur sslmode=disable", s.port))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var cur string
		if err := db.QueryRowContext(ctx, "SELECT current_user").Scan(&cur); err != nil || cur != "roles_app" {
			t.Fatalf("lib/pq current_user %q: %v", cur, err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct {
			user, password, code, msg string
		}{
			{"roles_app", "wrong", "28P01", `password authentication failed for user "roles_app"`},
			{"roles_nologin", "x", "28000", `role "roles_nologin" is not permitted to log in`},
			{"roles_expired", "x", "28P01", `password authentication failed for user "roles_expired"`},
			{"roles_nopw", "x", "28P01", `password authentication failed for user "roles_nopw"`},
			{"roles_nosuch", "x", "28P01", `password authentication failed for user "roles_nosuch"`},
		} {
			err := login(c.user, c.password)
			if pgCode(err) != c.code || !strings.Contains(fmt.Sprint(err), c.msg) {
				t.Errorf("login as %s: got %v, want %s %s", c.user, err, c.code, c.msg)
			}
		}
		for _, user := range []string{"roles_future", "roles_forever"} {
			if err := login(user, "x"); err != nil {
				t.Errorf("login as %s: %v", user, err)
			}
		}
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_nologin LOGIN"); err != nil {
			t.Fatal(err)
		}
		if err := login("roles_nologin", "x"); err != nil {
			t.Errorf("login after ALTER ROLE ... LOGIN: %v", err)
		}
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_future VALID UNTIL '2002-02-02'"); err != nil {
			t.Fatal(err)
		}
		if err := login("roles_future", "x"); pgCode(err) != "28P01" {
			t.Errorf("login after VALID UNTIL in the past: %v", err)
		}
		if _, err := admin.Exec(ctx, "DROP ROLE roles_gone"); err != nil {
			t.Fatal(err)
		}
		if err := login("roles_gone", "x"); pgCode(err) != "28P01" {
			t.Errorf("login as a dropped role: %v", err)
		}
	})

	t.Run("ALTER ROLE SET is the role's default", func(t *testing.T) {
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_forever SET application_name = 'from role'"); err != nil {
			t.Fatal(err)
		}
		c := connect(t, ctx, roleURL("roles_forever", "x"))
		var v string
		if err := c.QueryRow(ctx, "SHOW application_name").Scan(&v); err != nil || v != "from role" {
			t.Fatalf("application_name %q: %v", v, err)
		}
		// The client's startup parameters win over the role's.
		c2 := connect(t, ctx, roleURL("roles_forever", "x")+"&application_name=client")
		if err := c2.QueryRow(ctx, "SHOW application_name").Scan(&v); err != nil || v != "client" {
			t.Fatalf("application_name with a startup value %q: %v", v, err)
		}
	})

	t.Run("connection limit", func(t *testing.T) {
		if _, err := admin.Exec(ctx, "CREATE USER roles_limited PASSWORD 'x' CONNECTION LIMIT 1"); err != nil {
			t.Fatal(err)
		}
		first := connect(t, ctx, roleURL("roles_limited", "x"))
		err := login("roles_limited", "x")
		if pgCode(err) != "53300" || !strings.Contains(fmt.Sprint(err), `too many connections for role "roles_limited"`) {
			t.Fatalf("second session over CONNECTION LIMIT 1: %v", err)
		}
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_limited CONNECTION LIMIT -1"); err != nil {
			t.Fatal(err)
		}
		if err := login("roles_limited", "x"); err != nil {
			t.Fatalf("after CONNECTION LIMIT -1: %v", err)
		}
		first.Close(ctx)
	})

	t.Run("rename keeps the SCRAM password", func(t *testing.T) {
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_app RENAME TO roles_app2"); err != nil {
			t.Fatal(err)
		}
		if err := login("roles_app2", "app pw"); err != nil {
			t.Fatalf("login after rename: %v", err)
		}
		if err := login("roles_app", "app pw"); pgCode(err) != "28P01" {
			t.Fatalf("old name after rename: %v", err)
		}
		if _, err := admin.Exec(ctx, "ALTER ROLE roles_app2 RENAME TO roles_app"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SET ROLE reports is_superuser", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		if v := c.PgConn().ParameterStatus("is_superuser"); v != "on" {
			t.Fatalf("is_superuser of augur = %q", v)
		}
		if _, err := c.Exec(ctx, "SET ROLE roles_app"); err != nil {
			t.Fatal(err)
		}
		if v := c.PgConn().ParameterStatus("is_superuser"); v != "off" {
			t.Fatalf("is_superuser after SET ROLE = %q", v)
		}
		if _, err := c.Exec(ctx, "CREATE DATABASE roles_nope"); pgCode(err) != "42501" {
			t.Fatalf("CREATE DATABASE as a role without CREATEDB: %v", err)
		}
		if _, err := c.Exec(ctx, "RESET ROLE"); err != nil {
			t.Fatal(err)
		}
		if v := c.PgConn().ParameterStatus("is_superuser"); v != "on" {
			t.Fatalf("is_superuser after RESET ROLE = %q", v)
		}
	})

	t.Run("ALTER USER with a client-computed verifier", func(t *testing.T) {
		// psql's \password computes the SCRAM verifier with libpq and sends
		// ALTER USER ... PASSWORD '<verifier>'; it reads the password from the
		// terminal, so it runs under script(1) for a pseudo-terminal.
		if _, err := exec.LookPath("script"); err != nil {
			t.Skip("script(1) is not installed")
		}
		if _, err := exec.LookPath("psql"); err != nil {
			t.Skip("psql is not installed")
		}
		cmdline := fmt.Sprintf(`psql -X "host=127.0.0.1 port=%d user=augur dbname=augur" -c '\password roles_app'`, s.port)
		cmd := exec.CommandContext(ctx, "script", "-qec", cmdline, "/dev/null")
		cmd.Env = append(cmd.Environ(), "PGPASSWORD="+testPassword)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for _, prompt := range []string{"Enter new password", "Enter it again"} {
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(out.String(), prompt) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			in.Write([]byte("from psql\n"))
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("psql \\password: %v\n%s", err, out.String())
		}
		if err := login("roles_app", "from psql"); err != nil {
			t.Fatalf("login with the password set by \\password: %v\n%s", err, out.String())
		}
		if err := login("roles_app", "app pw"); pgCode(err) != "28P01" {
			t.Fatalf("old password after \\password: %v", err)
		}
	})

	t.Run("roles survive a restart", func(t *testing.T) {
		admin.Close(ctx)
		if err := s.stop(syscall.SIGTERM, 20*time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		s2 := startServer(t, serverOptions{dataDir: s.dataDir})
		c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://roles_nologin:x@127.0.0.1:%d/augur?sslmode=disable", s2.port))
		if err != nil {
			t.Fatalf("login after restart: %v", err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP ROLE roles_app"); pgCode(err) != "42501" {
			t.Fatalf("DROP ROLE without CREATEROLE after restart: %v", err)
		}
	})
}

// TestPreparedNamespace: PREPARE and the protocol's named statements share one
// namespace per session, as in PostgreSQL.
func TestPreparedNamespace(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := connect(t, ctx, s.url("augur", "disable"))
	pc := c.PgConn()
	// A statement made by Parse is run by EXECUTE and refused by PREPARE.
	if _, err := pc.Prepare(ctx, "wire", "SELECT $1::int + 1 AS n", nil); err != nil {
		t.Fatal(err)
	}
	res := pc.Exec(ctx, "EXECUTE wire(41)")
	rs, err := res.ReadAll()
	if err != nil || len(rs) != 1 || len(rs[0].Rows) != 1 || string(rs[0].Rows[0][0]) != "42" || rs[0].CommandTag.String() != "SELECT 1" {
		t.Fatalf("EXECUTE of a protocol-level statement: %v %v", rs, err)
	}
	if _, err := c.Exec(ctx, "PREPARE wire AS SELECT 1"); pgCode(err) != "42P05" {
		t.Fatalf("PREPARE over a protocol-level name: %v", err)
	}
	// A statement made by PREPARE is run by Bind/Execute and refused by Parse.
	if _, err := c.Exec(ctx, "PREPARE sqlside(text) AS SELECT upper($1) AS u"); err != nil {
		t.Fatal(err)
	}
	r := pc.ExecPrepared(ctx, "sqlside", [][]byte{[]byte("abc")}, nil, nil).Read()
	if r.Err != nil || len(r.Rows) != 1 || string(r.Rows[0][0]) != "ABC" {
		t.Fatalf("Bind/Execute of a PREPAREd statement: %+v", r)
	}
	sd, err := pc.Prepare(ctx, "sqlside", "SELECT 2", nil)
	if pgCode(err) != "42P05" {
		t.Fatalf("Parse over a PREPAREd name: %v %v", sd, err)
	}
	// DEALLOCATE drops either kind; the name is free again.
	if _, err := c.Exec(ctx, "DEALLOCATE wire"); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Prepare(ctx, "wire", "SELECT 3", nil); err != nil {
		t.Fatalf("Parse after DEALLOCATE: %v", err)
	}
	if _, err := c.Exec(ctx, "DEALLOCATE ALL"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "EXECUTE sqlside('x')"); pgCode(err) != "26000" {
		t.Fatalf("EXECUTE after DEALLOCATE ALL: %v", err)
	}
}
