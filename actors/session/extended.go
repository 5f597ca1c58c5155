package session

import (
	"context"
	"fmt"

	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
)

// The extended query protocol: Parse, Bind, Describe, Execute, Close.

func (s *Session) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := s.stmts[m.Name]; ok {
			return pgerr.New(pgerrcode.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
		}
	}
	stmts, err := s.planner.Parse(m.Query)
	if err != nil {
		return err
	}
	if len(stmts) > 1 {
		return pgerr.New(pgerrcode.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{name: m.Name}
	if len(stmts) == 1 {
		if err := s.checkAborted(stmts[0].Kind); err != nil {
			return err
		}
		p.stmt = stmts[0]
		if p.plan, err = s.planner.Prepare(s, p.stmt, m.ParameterOIDs); err != nil {
			return err
		}
	}
	s.stmts[m.Name] = p
	return s.out.Send(s.opts.Base, &pgproto3.ParseComplete{})
}

func (s *Session) bind(m *pgproto3.Bind) error {
	p, ok := s.stmts[m.PreparedStatement]
	if !ok {
		return pgerr.New(pgerrcode.InvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" {
		if _, ok := s.portals[m.DestinationPortal]; ok {
			return pgerr.New(pgerrcode.DuplicateCursor, "portal %q already exists", m.DestinationPortal)
		}
	} else if old, ok := s.portals[""]; ok && old.rows != nil {
		old.rows.Close()
	}
	if p.stmt != nil {
		if err := s.checkAborted(p.stmt.Kind); err != nil {
			return err
		}
	}
	var paramTypes []types.T
	var columns []planner.Column
	if p.plan != nil {
		paramTypes, columns = p.plan.Params, p.plan.Columns
	}
	if len(m.Parameters) != len(paramTypes) {
		return pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(paramTypes))
	}
	formats, err := expandFormats(m.ParameterFormatCodes, len(m.Parameters), "parameter")
	if err != nil {
		return err
	}
	params := make([]types.Datum, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			params[i] = types.Null
			continue
		}
		var d types.Datum
		var err error
		if formats[i] == 1 {
			d, err = types.DecodeBinary(paramTypes[i], raw)
		} else {
			d, err = types.DecodeText(paramTypes[i], raw)
		}
		if err != nil {
			if formats[i] == 1 && types.IsBinaryFormatError(err) {
				return pgerr.New(pgerrcode.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", i+1)
			}
			pe := pgerr.From(err)
			if pe.Code == pgerrcode.InternalError {
				pe = pgerr.New(pgerrcode.InvalidTextRepresentation, "%s", err.Error())
			}
			return pe
		}
		params[i] = d
	}
	if p.plan != nil {
		if err := s.fold(p.plan, params); err != nil {
			return err
		}
	}
	resultFormats, err := expandFormats(m.ResultFormatCodes, len(columns), "result")
	if err != nil {
		return err
	}
	s.portals[m.DestinationPortal] = &portal{prep: p, params: params, resultFormats: resultFormats}
	return s.out.Send(s.opts.Base, &pgproto3.BindComplete{})
}

// expandFormats applies the protocol's rule for format codes: none means all text,
// one applies to all, otherwise one per item.
func expandFormats(codes []int16, n int, what string) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	default:
		if len(codes) != n {
			if what == "result" {
				return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), n)
			}
			return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message has %d parameter formats but %d parameters", len(codes), n)
		}
		copy(out, codes)
	}
	for _, c := range out {
		if c != 0 && c != 1 {
			return nil, pgerr.New(pgerrcode.InvalidParameterValue, "unsupported format code: %d", c)
		}
	}
	return out, nil
}

func (s *Session) describe(ctx context.Context, m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p, ok := s.stmts[m.Name]
		if !ok {
			return pgerr.New(pgerrcode.InvalidSQLStatementName, "prepared statement %q does not exist", m.Name)
		}
		pd := &pgproto3.ParameterDescription{ParameterOIDs: []uint32{}}
		if p.plan != nil {
			for _, t := range p.plan.Params {
				pd.ParameterOIDs = append(pd.ParameterOIDs, t.OID())
			}
		}
		if err := s.out.Send(ctx, pd); err != nil {
			return err
		}
		if p.plan == nil || p.plan.Columns == nil {
			return s.out.Send(ctx, &pgproto3.NoData{})
		}
		return s.out.Send(ctx, rowDescription(p.plan.Columns, nil))
	case 'P':
		p, ok := s.portals[m.Name]
		if !ok {
			return pgerr.New(pgerrcode.InvalidCursorName, "portal %q does not exist", m.Name)
		}
		if p.prep.plan == nil || p.prep.plan.Columns == nil {
			return s.out.Send(ctx, &pgproto3.NoData{})
		}
		return s.out.Send(ctx, p.prep.portalDescription(p.resultFormats))
	}
	return pgerr.New(pgerrcode.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
}

func (s *Session) execute(ctx context.Context, m *pgproto3.Execute) error {
	p, ok := s.portals[m.Portal]
	if !ok {
		return pgerr.New(pgerrcode.InvalidCursorName, "portal %q does not exist", m.Portal)
	}
	if p.prep.plan == nil {
		return s.out.Send(ctx, &pgproto3.EmptyQueryResponse{})
	}
	if err := s.checkAborted(p.prep.stmt.Kind); err != nil {
		return err
	}
	_, err := s.run(ctx, p, m.MaxRows)
	if s.copyIn != nil {
		s.copyIn.extended = true // an error ends it by skipping to Sync
	}
	return err
}

func (s *Session) close(ctx context.Context, m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(s.stmts, m.Name)
	case 'P':
		if p, ok := s.portals[m.Name]; ok {
			if p.rows != nil {
				p.rows.Close()
			}
			delete(s.portals, m.Name)
		}
	default:
		return pgerr.New(pgerrcode.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	return s.out.Send(ctx, &pgproto3.CloseComplete{})
}

func rowDescription(cols []planner.Column, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, c := range cols {
		var f int16
		if i < len(formats) {
			f = formats[i]
		}
		typmod := c.Typmod
		if typmod == 0 {
			typmod = -1
		}
		rd.Fields[i] = pgproto3.FieldDescription{
			Name:         []byte(c.Name),
			DataTypeOID:  c.Type.OID(),
			DataTypeSize: c.Type.Len(),
			TypeModifier: typmod,
			Format:       f,
		}
	}
	return rd
}

func dataRow(cols []planner.Column, formats []int16, row []types.Datum) (*pgproto3.DataRow, error) {
	if len(row) != len(cols) {
		return nil, fmt.Errorf("session: row has %d values for %d columns", len(row), len(cols))
	}
	dr := &pgproto3.DataRow{Values: make([][]byte, len(row))}
	for i, d := range row {
		if types.IsNull(d) {
			continue
		}
		if i < len(formats) && formats[i] == 1 {
			dr.Values[i] = types.EncodeBinary(cols[i].Type, d)
		} else {
			dr.Values[i] = types.EncodeText(cols[i].Type, d)
		}
	}
	return dr, nil
}
