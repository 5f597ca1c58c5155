package catalog

import (
	"fmt"
	"strings"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/rowcodec"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
)

// EncodeRow appends the stored form of row (one value per attribute, indexed by
// attribute number - 1) to dst.
func (t *Table) EncodeRow(dst []byte, row []types.Datum) []byte {
	cols := make([][]byte, len(t.Columns))
	for i := range t.Columns {
		if i < len(row) && row[i] != nil && !t.Columns[i].Dropped {
			cols[i] = types.EncodeBinary(t.Columns[i].Type, row[i])
		}
	}
	return rowcodec.Append(dst, t.Version, cols)
}

// DecodeRow reads a stored row into dst (len(dst) == len(t.Columns)). Attributes
// added after the row was written read as NULL.
func (t *Table) DecodeRow(b []byte, dst []types.Datum) error {
	var buf [16][]byte // the columns of most tables, without an allocation
	_, cols, err := rowcodec.DecodeInto(b, buf[:0])
	if err != nil {
		return fmt.Errorf("catalog: table %s: %w", t.Name, err)
	}
	for i := range t.Columns {
		dst[i] = nil
		if i >= len(cols) || cols[i] == nil || t.Columns[i].Dropped {
			continue
		}
		d, err := types.DecodeStored(t.Columns[i].Type, cols[i])
		if err != nil {
			return fmt.Errorf("catalog: table %s column %s: %w", t.Name, t.Columns[i].Name, err)
		}
		dst[i] = d
	}
	return nil
}

// PrimaryKey appends the primary-index key of row to dst.
func (t *Table) PrimaryKey(dst []byte, row []types.Datum) []byte {
	dst = keycodec.AppendTablePrefix(dst, t.ID, PrimaryIndexID)
	for _, n := range t.Indexes[0].Columns {
		dst = AppendKeyValue(dst, t.Columns[n-1].Type, row[n-1])
	}
	return dst
}

// IndexKey appends the key of row in index ix to dst: for the primary index its
// key; for a secondary index the index columns followed by the primary-key columns.
// A secondary index entry's value is the row's primary key (PrimaryKey), so that
// reading through the index never has to decode key columns.
func (t *Table) IndexKey(dst []byte, ix *Index, row []types.Datum) []byte {
	if ix.Primary {
		return t.PrimaryKey(dst, row)
	}
	dst = keycodec.AppendTablePrefix(dst, t.ID, ix.ID)
	for _, n := range ix.Columns {
		dst = AppendKeyValue(dst, t.Columns[n-1].Type, row[n-1])
	}
	for _, n := range t.Indexes[0].Columns {
		dst = AppendKeyValue(dst, t.Columns[n-1].Type, row[n-1])
	}
	return dst
}

// IndexPrefixOf appends the prefix of ix's keys whose first columns equal vals.
func (t *Table) IndexPrefixOf(dst []byte, ix *Index, vals []types.Datum) []byte {
	dst = keycodec.AppendTablePrefix(dst, t.ID, ix.ID)
	for i, v := range vals {
		dst = AppendKeyValue(dst, t.Columns[ix.Columns[i]-1].Type, v)
	}
	return dst
}

// DecodeIndexKey reads the primary-key values out of a secondary-index key into
// row (at their attribute positions).
func (t *Table) DecodeIndexKey(key []byte, ix *Index, row []types.Datum) error {
	_, _, rest, err := keycodec.DecodeTablePrefix(key)
	if err != nil {
		return err
	}
	cols := ix.Columns
	if !ix.Primary {
		cols = append(append([]int(nil), ix.Columns...), t.Indexes[0].Columns...)
	}
	for _, n := range cols {
		var v keycodec.Value
		if v, rest, err = keycodec.Decode(rest, keycodec.Asc); err != nil {
			return fmt.Errorf("catalog: index key of %s: %w", t.Name, err)
		}
		row[n-1] = keyDatum(t.Columns[n-1].Type, v)
	}
	return nil
}

func keyDatum(t types.T, v keycodec.Value) types.Datum {
	switch v.Kind {
	case keycodec.KindNull:
		return nil
	case keycodec.KindBool:
		return v.Bool
	case keycodec.KindInt:
		return v.Int
	case keycodec.KindFloat:
		return v.Float
	case keycodec.KindNumeric:
		return v.Numeric
	case keycodec.KindText:
		return string(v.Bytes)
	}
	d, err := types.DecodeBinary(t, v.Bytes)
	if err != nil {
		return nil
	}
	return d
}

// AppendKeyValue appends the order-preserving key encoding of d (of type t).
func AppendKeyValue(dst []byte, t types.T, d types.Datum) []byte {
	if d == nil {
		return keycodec.AppendNull(dst, keycodec.Asc)
	}
	switch {
	case t.IsInteger() || t.IsOid():
		return keycodec.AppendInt(dst, d.(int64), keycodec.Asc)
	case t == types.Float4 || t == types.Float8:
		return keycodec.AppendFloat(dst, d.(float64), keycodec.Asc)
	case t == types.Numeric:
		return keycodec.AppendNumeric(dst, d.(*apd.Decimal), keycodec.Asc)
	case t == types.Bpchar:
		return keycodec.AppendText(dst, strings.TrimRight(d.(string), " "), keycodec.Asc)
	case t.IsString():
		return keycodec.AppendText(dst, d.(string), keycodec.Asc)
	case t == types.Bool:
		return keycodec.AppendBool(dst, d.(bool), keycodec.Asc)
	case t == types.DateT:
		return keycodec.AppendDate(dst, int32(d.(types.Date)), keycodec.Asc)
	case t == types.TimestampT:
		return keycodec.AppendTimestamp(dst, int64(d.(types.Timestamp)), keycodec.Asc)
	case t == types.TimestampTZT:
		return keycodec.AppendTimestampTZ(dst, int64(d.(types.TimestampTZ)), keycodec.Asc)
	case t == types.TimeT:
		return keycodec.AppendInt(dst, int64(d.(types.Time)), keycodec.Asc)
	case t == types.UUIDT:
		return keycodec.AppendUUID(dst, [16]byte(d.(types.UUID)), keycodec.Asc)
	case t == types.Bytea:
		return keycodec.AppendBytea(dst, d.([]byte), keycodec.Asc)
	case t == types.IntervalT:
		// Intervals compare by their span (1 mon = 30 days), so the key is the span.
		iv := d.(types.Interval)
		span := (int64(iv.Months)*30+int64(iv.Days))*86_400_000_000 + iv.Micros
		return keycodec.AppendInt(dst, span, keycodec.Asc)
	case t == types.JSONB:
		// Equal jsonb values (1.0 and 1) have one key; it does not sort as
		// jsonb does, so the planner uses jsonb keys for equality only.
		return keycodec.AppendText(dst, types.JSONBCanonical(d.(string)), keycodec.Asc)
	case t == types.JSON:
		return keycodec.AppendText(dst, d.(string), keycodec.Asc)
	}
	return keycodec.AppendBytea(dst, types.EncodeBinary(t, d), keycodec.Asc)
}
