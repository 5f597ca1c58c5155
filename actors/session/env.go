package session

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
)

// The session is the planner.Env of its statements.

// Var returns a setting's current value (SHOW).
func (s *Session) Var(name string) (string, error) {
	if strings.EqualFold(name, "server_version") {
		return s.opts.ServerVersion, nil
	}
	if v, ok := s.txnVar(strings.ToLower(name)); ok {
		return v, nil
	}
	return s.vars.Get(name)
}

// SetVar changes a setting (SET); nil values mean DEFAULT. List values are joined
// with ", " as PostgreSQL shows them.
//
// SET LOCAL lasts until the end of the transaction block; outside one it does
// nothing but warn, as in PostgreSQL.
func (s *Session) SetVar(name string, values []string, local bool) error {
	if handled, err := s.setRoleVar(name, values, local); handled {
		return err
	}
	if handled, err := s.setTxnParam(context.Background(), strings.ToLower(name), values); handled {
		return err
	}
	if local && s.txStatus == 'I' {
		s.notices = append(s.notices, warning(pgerrcode.NoActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks"))
		return nil
	}
	prev, prevErr := s.vars.Get(name)
	var err error
	if values == nil {
		err = s.vars.Reset(name)
	} else {
		_, err = s.vars.Set(name, strings.Join(values, ", "))
	}
	if err != nil || s.localUndo == nil {
		return err
	}
	key := strings.ToLower(name)
	if local {
		if _, seen := s.localUndo[key]; !seen && prevErr == nil {
			s.localUndo[key] = prev
		}
	} else {
		delete(s.localUndo, key) // a plain SET after SET LOCAL outlives the block
	}
	return nil
}

// ResetVar restores a setting (RESET name, or RESET ALL for "all").
func (s *Session) ResetVar(name string) error {
	if strings.EqualFold(name, "all") {
		s.vars.ResetAll()
		return nil
	}
	if handled, err := s.setRoleVar(name, nil, false); handled {
		return err
	}
	return s.vars.Reset(name)
}

// ShowAll returns SHOW ALL's rows.
func (s *Session) ShowAll() []config.Setting {
	all := s.vars.All()
	for i := range all {
		if all[i].Name == "server_version" {
			all[i].Value = s.opts.ServerVersion
		}
	}
	return all
}

// Database is the connected database.
func (s *Session) Database() string { return s.opts.Startup.Database }

// Version is the text of version().
func (s *Session) Version() string { return s.opts.VersionText }

// Schema implements planner.Env: the transaction's view of the schema, else the
// committed one.
func (s *Session) Schema() *catalog.Schema {
	if s.opts.Engine == nil {
		return emptySchema
	}
	return s.txn.Schema(s.opts.Engine)
}

var emptySchema = &catalog.Schema{Databases: map[string]*catalog.Database{}}

// Txn implements planner.Env: the session's transaction, begun at its first use.
// Outside a transaction block it is the implicit transaction of the current
// Query message (or of the extended-protocol messages up to Sync).
func (s *Session) Txn(ctx context.Context) (*planner.Txn, error) {
	if s.opts.Engine == nil {
		return nil, pgerr.FeatureNotSupported("this session has no storage")
	}
	var opts store.TxnOptions
	if v, err := s.vars.Get("synchronous_commit"); err == nil {
		on := v != "off" && v != "false" && v != "0" && v != "no"
		opts.SynchronousCommit = &on
	}
	s.Locks()
	if !s.txn.Begun() {
		s.txn.Mode = s.txnMode()
	}
	return s.txn.Get(s.opts.Engine, opts), nil
}

// Notice implements planner.Env.
func (s *Session) Notice(msg string) {
	s.notices = append(s.notices, &pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: msg})
}

// RowEstimate implements planner.Env.
func (s *Session) RowEstimate(tableID uint32) (int64, bool) {
	if s.opts.Engine == nil || s.opts.Engine.Rows == nil {
		return 0, false
	}
	return s.opts.Engine.Rows(tableID)
}

// TempSchema implements planner.Env: the session's temp schema's name.
func (s *Session) TempSchema() string {
	if s.temp == "" && s.opts.Engine != nil {
		s.temp = s.opts.Engine.NewTempSchemaName()
	}
	return s.temp
}

// dropTemp drops the session's temporary objects (its end, whether the client
// said Terminate or vanished). What cannot be dropped now is dropped at the
// next start of the server.
func (s *Session) dropTemp() {
	if s.temp == "" || s.opts.Engine == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.opts.Engine.DropTempSchema(ctx, s.Database(), s.temp); err != nil {
		s.log.Warn().Err(err).Str("schema", s.temp).Msg("could not drop the session's temp schema; the next start will")
	}
}

// BackendPID implements exec.Session.
func (s *Session) BackendPID() uint32 { return s.pid }

// Locks implements exec.Session: the session's lock owner, made at first use.
func (s *Session) Locks() (*lockmgr.Manager, *lockmgr.Owner) {
	if s.opts.Engine == nil || s.opts.Engine.Locks == nil {
		return nil, nil
	}
	if s.txn.Owner == nil {
		s.txn.Owner = s.opts.Engine.Locks.NewOwner(s.pid)
	}
	return s.opts.Engine.Locks, s.txn.Owner
}

// releaseLocks gives back every lock the session holds (its end).
func (s *Session) releaseLocks() {
	if s.txn.Owner != nil {
		s.opts.Engine.Locks.Close(s.txn.Owner)
	}
}

// InTransactionBlock implements planner.Env.
func (s *Session) InTransactionBlock() bool { return s.txStatus != 'I' }
