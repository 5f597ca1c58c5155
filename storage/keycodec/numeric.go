package keycodec

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// AppendNumeric appends a numeric value.
//
// A finite non-zero numeric is written as 0.d1d2…dn × 10^E with d1 ≠ 0 and dn ≠ 0:
// the exponent E (ordered int64), then one byte per digit (digit+1, so never 0),
// then a 0x00 terminator. Longer digit strings with the same prefix are larger, which
// the terminator gives for free. Negative numbers store the complement of the
// encoding of their magnitude, so larger magnitudes sort first.
func AppendNumeric(dst []byte, d *apd.Decimal, dir Direction) []byte {
	n := len(dst)
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return complementFrom(append(dst, tagNumNaN), n, dir)
	case apd.Infinite:
		if d.Negative {
			return complementFrom(append(dst, tagNumNegInf), n, dir)
		}
		return complementFrom(append(dst, tagNumPosInf), n, dir)
	}
	if d.Coeff.Sign() == 0 {
		return complementFrom(append(dst, tagNumZero), n, dir)
	}
	digits := d.Coeff.String() // absolute value: Coeff is never negative
	trimmed := strings.TrimRight(digits, "0")
	exp := int64(d.Exponent) + int64(len(digits))
	tag := tagNumPos
	if d.Negative {
		tag = tagNumNeg
	}
	dst = append(dst, tag)
	body := len(dst)
	dst = appendOrderedInt(dst, exp)
	for i := 0; i < len(trimmed); i++ {
		dst = append(dst, trimmed[i]-'0'+1)
	}
	dst = append(dst, 0x00)
	if d.Negative {
		complementFrom(dst, body, Desc)
	}
	return complementFrom(dst, n, dir)
}

// decodeNumeric decodes the body after a tagNumPos/tagNumNeg tag; b is already in
// ascending form. It returns the decimal and the number of bytes consumed.
func decodeNumeric(b []byte, negative bool) (*apd.Decimal, int, error) {
	get := func(i int) byte {
		if negative {
			return ^b[i]
		}
		return b[i]
	}
	if len(b) < 9 {
		return nil, 0, fmt.Errorf("%w: short numeric", ErrCorrupt)
	}
	var u uint64
	for i := 0; i < 8; i++ {
		u = u<<8 | uint64(get(i))
	}
	exp := int64(u ^ 1<<63)
	var sb strings.Builder
	i := 8
	for ; ; i++ {
		if i >= len(b) {
			return nil, 0, fmt.Errorf("%w: unterminated numeric", ErrCorrupt)
		}
		c := get(i)
		if c == 0 {
			break
		}
		if c > 10 {
			return nil, 0, fmt.Errorf("%w: bad numeric digit", ErrCorrupt)
		}
		sb.WriteByte('0' + c - 1)
	}
	if sb.Len() == 0 || sb.String()[0] == '0' {
		return nil, 0, fmt.Errorf("%w: numeric not normalized", ErrCorrupt)
	}
	e := exp - int64(sb.Len())
	if e < apd.MinExponent || e > apd.MaxExponent {
		return nil, 0, fmt.Errorf("%w: numeric exponent out of range", ErrCorrupt)
	}
	d := new(apd.Decimal)
	if _, ok := d.Coeff.SetString(sb.String(), 10); !ok {
		return nil, 0, fmt.Errorf("%w: bad numeric digits", ErrCorrupt)
	}
	d.Exponent = int32(e)
	d.Negative = negative
	return d, i + 1, nil
}
