package session

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/planner/copyfmt"
	"github.com/augurdb/augur/protocol"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
)

// COPY FROM STDIN and COPY TO STDOUT.
//
// COPY TO streams its query's rows as CopyData messages through the outbox,
// one per row, inside the statement's run like any query's rows.
//
// COPY FROM STDIN cannot run inside one Receive: its data arrives as the
// messages that follow. The statement leaves a copyIn in the session and
// returns; each CopyData message that comes through the mailbox is fed to it
// (planner.CopyIn.Write inserts the complete rows it holds through the
// session's transaction), CopyDone finishes the statement and lets the rest of
// the Query message run, CopyFail or an error ends it. Every CopyData message
// keeps its input credits until its rows are written, so a client that sends
// faster than rows are inserted is held back by the reader like any other,
// and the session holds at most one message and one partial row of the stream.

// copyIn is a COPY FROM STDIN waiting for its data.
type copyIn struct {
	in       *planner.CopyIn
	extended bool
	// rest are the statements of the simple Query after the COPY.
	rest []*planner.Statement
	p    *portal
}

// runCopy runs a COPY portal: COPY TO to the end, COPY FROM up to
// CopyInResponse.
func (s *Session) runCopy(ctx, sctx context.Context, p *portal) (bool, error) {
	plan := p.prep.plan
	info := plan.Copy()
	if info.From {
		in, err := plan.BeginCopyIn(sctx, s)
		if err != nil {
			return false, statementError(sctx, err)
		}
		code := info.Options.Format.Code()
		resp := &pgproto3.CopyInResponse{OverallFormat: byte(code), ColumnFormatCodes: formatCodes(code, len(info.Columns))}
		if err := s.out.Send(ctx, resp); err != nil {
			return false, err
		}
		s.copyIn = &copyIn{in: in, p: p} // execute marks it extended
		return false, s.out.Flush(ctx)
	}
	rows, err := plan.Execute(sctx, s, nil)
	if err != nil {
		return false, statementError(sctx, err)
	}
	defer rows.Close()
	code := info.Options.Format.Code()
	if err := s.out.Send(ctx, &pgproto3.CopyOutResponse{OverallFormat: byte(code), ColumnFormatCodes: formatCodes(code, len(info.Columns))}); err != nil {
		return false, err
	}
	w := copyfmt.NewWriter(info.Options)
	send := func(b []byte) error {
		if b == nil {
			return nil
		}
		return s.out.Send(sctx, &pgproto3.CopyData{Data: append([]byte(nil), b...)})
	}
	names := make([]string, len(info.Columns))
	for i, c := range info.Columns {
		names[i] = c.Name
	}
	if err := send(w.Start(names)); err != nil {
		return false, statementError(sctx, err)
	}
	bin := info.Options.Format == copyfmt.Binary
	fields := make([][]byte, len(info.Columns))
	var n int64
	for {
		row, err := rows.Next(sctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, statementError(sctx, err)
		}
		if len(row) != len(fields) {
			return false, fmt.Errorf("session: COPY row has %d values for %d columns", len(row), len(fields))
		}
		for i, d := range row {
			switch {
			case types.IsNull(d):
				fields[i] = nil
			case bin:
				fields[i] = types.EncodeBinary(info.Columns[i].Type, d)
			default:
				fields[i] = types.EncodeText(info.Columns[i].Type, d)
			}
		}
		if err := send(w.Row(fields)); err != nil {
			return false, statementError(sctx, err)
		}
		n++
	}
	if err := send(w.End()); err != nil {
		return false, statementError(sctx, err)
	}
	if err := s.out.Send(ctx, &pgproto3.CopyDone{}); err != nil {
		return false, err
	}
	p.done, p.tag = true, "COPY "+strconv.FormatInt(n, 10)
	return true, s.out.Send(ctx, &pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
}

func formatCodes(code int16, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = uint16(code)
	}
	return out
}

// copyMessage handles a message that arrives during COPY FROM STDIN.
func (s *Session) copyMessage(ctx context.Context, msg pgproto3.FrontendMessage) {
	ci := s.copyIn
	var err error
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		err = s.safely(func() error {
			sctx, done := s.beginStatement()
			defer done()
			return statementError(sctx, ci.in.Write(sctx, m.Data))
		})
	case *pgproto3.CopyDone:
		var n int64
		err = s.safely(func() error {
			sctx, done := s.beginStatement()
			defer done()
			var err error
			n, err = ci.in.Done(sctx)
			return statementError(sctx, err)
		})
		if err == nil {
			s.copyIn = nil
			ci.p.done, ci.p.tag = true, "COPY "+strconv.FormatInt(n, 10)
			s.reportParams(ctx)
			s.out.Send(ctx, &pgproto3.CommandComplete{CommandTag: []byte(ci.p.tag)})
			if ci.extended {
				return
			}
			err = s.safely(func() error { return s.runStatements(ctx, ci.rest) })
			if s.copyIn != nil && err == nil {
				return // another COPY FROM STDIN in the same Query
			}
			s.endQuery(ctx, err)
			return
		}
	case *pgproto3.CopyFail:
		err = ci.in.Interrupted(pgerr.New(pgerrcode.QueryCanceled, "COPY from stdin failed: %s", m.Message))
	case *pgproto3.Flush, *pgproto3.Sync:
		return // ignored during copy-in, as PostgreSQL does
	case *pgproto3.Terminate:
		s.copyIn = nil
		s.end(nil)
		return
	default:
		// PostgreSQL reports the message and, having lost its place in the
		// stream, ends the session.
		s.copyIn = nil
		s.out.Send(ctx, protocol.ErrorResponse(ci.in.Interrupted(pgerr.New(pgerrcode.ProtocolViolation,
			"unexpected message type 0x%02X during COPY from stdin", messageType(msg)))))
		s.txn.Abort()
		s.end(pgerr.Fatal(pgerrcode.ProtocolViolation, "terminating connection because protocol synchronization was lost"))
		return
	}
	if err == nil {
		return
	}
	s.copyIn = nil
	if ci.extended {
		s.fail(ctx, err, true)
		return
	}
	s.endQuery(ctx, err)
}

// messageType is the type byte of a frontend message.
func messageType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}
