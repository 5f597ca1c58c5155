package session

import (
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// stmtClock keeps the times now() and statement_timestamp() report, as
// PostgreSQL does: a statement starts when its message (Query, Parse, Bind or
// Execute) arrives; a transaction starts with the first such message outside a
// transaction block and lasts until a Query or Sync message ends with the
// session idle again, so now() is constant within a transaction.
type stmtClock struct {
	stmt, xact time.Time
	inXact     bool
}

// message notes the arrival of msg.
func (k *stmtClock) message(msg pgproto3.FrontendMessage) {
	switch msg.(type) {
	case *pgproto3.Query, *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Execute:
	default:
		return
	}
	now := time.Now()
	k.stmt = now
	if !k.inXact {
		k.xact, k.inXact = now, true
	}
}

// messageDone notes that msg was handled, leaving the session in transaction
// status txStatus ('I' idle, 'T' in a block, 'E' in a failed block).
func (k *stmtClock) messageDone(msg pgproto3.FrontendMessage, txStatus byte) {
	switch msg.(type) {
	case *pgproto3.Query, *pgproto3.Sync:
		if txStatus == 'I' {
			k.inXact = false
		}
	}
}

// TransactionStart implements exec.StatementClock.
func (s *Session) TransactionStart() time.Time {
	if !s.clock.inXact {
		return time.Now()
	}
	return s.clock.xact
}

// StatementStart implements exec.StatementClock.
func (s *Session) StatementStart() time.Time {
	if s.clock.stmt.IsZero() {
		return time.Now()
	}
	return s.clock.stmt
}
