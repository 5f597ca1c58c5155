package types

import (
	"encoding/binary"
	"math"
	"math/big"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Numeric values are apd decimals kept in PostgreSQL's shape: the exponent is never
// positive, and -exponent is the display scale (dscale), so 1.50 keeps its trailing
// zero as PostgreSQL does. Special values are NaN and ±Infinity (PostgreSQL 14+).

const (
	numericMaxPrecision = 1000  // NUMERIC_MAX_PRECISION: bound on input exponents and typmods
	numericMaxDscale    = 16383 // NUMERIC_DSCALE_MAX
	numericMinSigDigits = 16    // NUMERIC_MIN_SIG_DIGITS, for division's result scale
	numericMaxDisplay   = 1000  // NUMERIC_MAX_DISPLAY_SCALE
	nbase               = 10000
)

// numCtx is exact enough for any addition, subtraction or multiplication of values
// within PostgreSQL's numeric limits.
var numCtx = apd.Context{Precision: 300000, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Rounding: apd.RoundHalfUp}

// ParseNumeric parses PostgreSQL's numeric input syntax.
func ParseNumeric(s string) (*apd.Decimal, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	if t == "" || !floatSyntax(t) {
		return nil, invalidText(Numeric, []byte(s))
	}
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		exp := strings.TrimLeft(t[i+1:], "+-")
		exp = strings.TrimLeft(exp, "0")
		if len(exp) > 4 || (len(exp) == 4 && exp > "1000") {
			return nil, invalidText(Numeric, []byte(s))
		}
	}
	d, _, err := apd.NewFromString(t)
	if err != nil {
		return nil, invalidText(Numeric, []byte(s))
	}
	return normalizeNumeric(d)
}

// normalizeNumeric brings d into PostgreSQL's shape (non-positive exponent, no
// negative zero) and checks PostgreSQL's limits.
func normalizeNumeric(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	if d.Exponent > 0 {
		r := new(apd.Decimal)
		if _, err := numCtx.Quantize(r, d, 0); err != nil {
			return nil, numericOverflow()
		}
		d = r
	}
	if -d.Exponent > numericMaxDscale {
		r := new(apd.Decimal)
		if _, err := numCtx.Quantize(r, d, -numericMaxDscale); err != nil {
			return nil, numericOverflow()
		}
		d = r
	}
	if d.Coeff.Sign() == 0 && d.Negative {
		r := *d
		r.Negative = false
		d = &r
	}
	if int64(d.NumDigits())+int64(d.Exponent) > 131072 {
		return nil, numericOverflow()
	}
	return d, nil
}

func numericOverflow() error {
	return pgerr.New(pgerrcode.NumericValueOutOfRange, "value overflows numeric format")
}

// FormatNumeric returns PostgreSQL's text output of a numeric.
func FormatNumeric(d *apd.Decimal) string {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return "NaN"
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	if d.Exponent > 0 {
		if n, err := normalizeNumeric(d); err == nil {
			d = n
		}
	}
	s := d.Text('f')
	if d.Coeff.Sign() == 0 && strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	return s
}

// NumericScale returns PostgreSQL's display scale of a finite numeric.
func NumericScale(d *apd.Decimal) int32 {
	if d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// PostgreSQL's sign words in the binary format.
const (
	numPos  = 0x0000
	numNeg  = 0x4000
	numNaN  = 0xC000
	numPInf = 0xD000
	numNInf = 0xF000
)

// numericSend encodes PostgreSQL's binary numeric: ndigits, weight, sign, dscale
// (int16 each), then ndigits base-10000 digits, most significant first, with leading
// and trailing zero digits stripped.
func numericSend(d *apd.Decimal) []byte {
	var sign uint16
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return header(0, 0, numNaN, 0)
	case apd.Infinite:
		if d.Negative {
			return header(0, 0, numNInf, 0)
		}
		return header(0, 0, numPInf, 0)
	}
	if d.Exponent > 0 {
		if n, err := normalizeNumeric(d); err == nil {
			d = n
		}
	}
	if d.Negative && d.Coeff.Sign() != 0 {
		sign = numNeg
	}
	dscale := NumericScale(d)
	digits := d.Coeff.String()
	if d.Coeff.Sign() == 0 {
		digits = ""
	}
	// Split into integer and fraction digit strings.
	var intPart, frac string
	if int(dscale) >= len(digits) {
		frac = strings.Repeat("0", int(dscale)-len(digits)) + digits
	} else {
		intPart, frac = digits[:len(digits)-int(dscale)], digits[len(digits)-int(dscale):]
	}
	if pad := (4 - len(intPart)%4) % 4; pad > 0 {
		intPart = strings.Repeat("0", pad) + intPart
	}
	if pad := (4 - len(frac)%4) % 4; pad > 0 {
		frac += strings.Repeat("0", pad)
	}
	all := intPart + frac
	groups := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		g := uint16(0)
		for _, c := range all[i : i+4] {
			g = g*10 + uint16(c-'0')
		}
		groups = append(groups, g)
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight = 0
		sign = numPos
	}
	out := header(uint16(len(groups)), uint16(int16(weight)), sign, uint16(dscale))
	for _, g := range groups {
		out = binary.BigEndian.AppendUint16(out, g)
	}
	return out
}

func header(ndigits, weight, sign, dscale uint16) []byte {
	b := make([]byte, 0, 8+2*int(ndigits))
	b = binary.BigEndian.AppendUint16(b, ndigits)
	b = binary.BigEndian.AppendUint16(b, weight)
	b = binary.BigEndian.AppendUint16(b, sign)
	return binary.BigEndian.AppendUint16(b, dscale)
}

func numericRecv(b []byte) (*apd.Decimal, error) {
	if len(b) < 8 {
		return nil, shortBinary()
	}
	ndigits := int(int16(binary.BigEndian.Uint16(b)))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if ndigits < 0 || ndigits > numericMaxPrecision*4 {
		return nil, badBinary(Numeric, "invalid length in external \"numeric\" value")
	}
	if len(b) < 8+2*ndigits {
		return nil, shortBinary()
	}
	if len(b) > 8+2*ndigits {
		return nil, badBinary(Numeric, "incorrect binary data format: numeric with %d digits takes %d bytes, got %d", ndigits, 8+2*ndigits, len(b))
	}
	switch sign {
	case numNaN:
		return &apd.Decimal{Form: apd.NaN}, nil
	case numPInf:
		return &apd.Decimal{Form: apd.Infinite}, nil
	case numNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	case numPos, numNeg:
	default:
		return nil, badBinary(Numeric, "invalid sign in external \"numeric\" value")
	}
	if dscale > numericMaxDscale {
		return nil, badBinary(Numeric, "invalid scale in external \"numeric\" value")
	}
	coeff := new(big.Int)
	ten4 := big.NewInt(nbase)
	for i := 0; i < ndigits; i++ {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g >= nbase {
			return nil, badBinary(Numeric, "invalid digit in external \"numeric\" value")
		}
		coeff.Mul(coeff, ten4)
		coeff.Add(coeff, big.NewInt(int64(g)))
	}
	exp := (weight - ndigits + 1) * 4
	if exp+ndigits*4 > 131072+4 {
		return nil, numericOverflow()
	}
	d := apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(coeff), int32(exp))
	d.Negative = sign == numNeg
	r := new(apd.Decimal)
	c := numCtx
	c.Rounding = apd.RoundDown
	if _, err := c.Quantize(r, d, int32(-dscale)); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

// ApplyNumericTypmod rounds d to numeric(precision, scale) as PostgreSQL's
// apply_typmod does, or fails with 22003 when the integer part does not fit.
func ApplyNumericTypmod(d *apd.Decimal, precision, scale int32) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		if d.Form == apd.Infinite {
			return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "numeric field overflow").
				WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", precision, scale)
		}
		return d, nil
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Quantize(r, d, -scale); err != nil {
		return nil, numericOverflow()
	}
	if r.Coeff.Sign() != 0 && int32(r.NumDigits())+r.Exponent > precision-scale {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", precision, scale, precision-scale)
	}
	return normalizeNumeric(r)
}

// NumericAdd returns a+b with PostgreSQL's result scale (the larger input scale).
func NumericAdd(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := numCtx.Add(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

// NumericSub returns a-b.
func NumericSub(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := numCtx.Sub(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

// NumericMul returns a*b with scale = the sum of the input scales.
func NumericMul(a, b *apd.Decimal) (*apd.Decimal, error) {
	if isInfTimesZero(a, b) || isInfTimesZero(b, a) {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Mul(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

func isInfTimesZero(a, b *apd.Decimal) bool {
	return a.Form == apd.Infinite && b.Form == apd.Finite && b.Coeff.Sign() == 0
}

func divByZero() error {
	return pgerr.New(pgerrcode.DivisionByZero, "division by zero")
}

// NumericDiv returns a/b rounded to PostgreSQL's division scale: enough for at least
// 16 significant digits, and no less than either input's scale.
func NumericDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if a.Form == apd.NaN || b.Form == apd.NaN {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if b.Form == apd.Finite && b.Coeff.Sign() == 0 {
		return nil, divByZero()
	}
	if a.Form == apd.Infinite || b.Form == apd.Infinite {
		switch {
		case a.Form == apd.Infinite && b.Form == apd.Infinite:
			return &apd.Decimal{Form: apd.NaN}, nil
		case a.Form == apd.Infinite:
			return &apd.Decimal{Form: apd.Infinite, Negative: a.Negative != b.Negative}, nil
		default:
			return apd.New(0, 0), nil
		}
	}
	rscale := divScale(a, b)
	return divRound(a, b, rscale)
}

func divRound(a, b *apd.Decimal, rscale int32) (*apd.Decimal, error) {
	// Compute with extra digits, truncating, then round half away from zero: the
	// truncation cannot move a value across a rounding boundary.
	intDigits := int64(a.NumDigits()) + int64(a.Exponent) - (int64(b.NumDigits()) + int64(b.Exponent)) + 2
	if intDigits < 1 {
		intDigits = 1
	}
	c := numCtx
	c.Precision = uint32(intDigits + int64(rscale) + 4)
	c.Rounding = apd.RoundDown
	q := new(apd.Decimal)
	if _, err := c.Quo(q, a, b); err != nil {
		return nil, numericOverflow()
	}
	r := new(apd.Decimal)
	c.Rounding = apd.RoundHalfUp
	c.Precision = numCtx.Precision
	if _, err := c.Quantize(r, q, -rscale); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

// weightAndFirst returns a finite non-zero value's weight in base-10000 digits and
// its first base-10000 digit, as PostgreSQL's NumericVar holds them.
func weightAndFirst(d *apd.Decimal) (weight int64, first int64) {
	if d.Coeff.Sign() == 0 {
		return 0, 0
	}
	// Position of the most significant decimal digit: 10^p.
	p := int64(d.NumDigits()) - 1 + int64(d.Exponent)
	// base-10000 weight: floor(p / 4).
	w := p / 4
	if p < 0 && p%4 != 0 {
		w--
	}
	// first digit = floor(|d| / 10000^w) mod 10000: take the leading decimal digits
	// that fall in that group.
	n := p - w*4 + 1 // decimal digits in the first group (1..4)
	s := d.Coeff.String()
	if int64(len(s)) > n {
		s = s[:n]
	}
	for int64(len(s)) < n {
		s += "0"
	}
	for _, c := range s {
		first = first*10 + int64(c-'0')
	}
	return w, first
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *apd.Decimal) int32 {
	w1, f1 := weightAndFirst(a)
	w2, f2 := weightAndFirst(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := int64(numericMinSigDigits) - qweight*4
	rscale = max(rscale, int64(NumericScale(a)), int64(NumericScale(b)), 0)
	rscale = min(rscale, numericMaxDisplay)
	return int32(rscale)
}

// NumericMod returns a % b (sign of a, scale the larger input scale).
func NumericMod(a, b *apd.Decimal) (*apd.Decimal, error) {
	if a.Form == apd.NaN || b.Form == apd.NaN {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if b.Form == apd.Finite && b.Coeff.Sign() == 0 {
		return nil, divByZero()
	}
	if a.Form == apd.Infinite {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if b.Form == apd.Infinite {
		return a, nil
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Rem(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(r)
}

// NumericNeg returns -a.
func NumericNeg(a *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	r.Neg(a)
	if r.Form == apd.Finite && r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	return r
}

// NumericAbs returns |a|.
func NumericAbs(a *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	r.Abs(a)
	return r
}

// FloatCmp compares floats with PostgreSQL's total order: NaN is larger than
// everything, including +Infinity, and equal to itself; -0 equals 0.
func FloatCmp(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NumericCmp compares with PostgreSQL's total order: NaN is larger than everything,
// including +Infinity, and equal to itself.
func NumericCmp(a, b *apd.Decimal) int {
	an, bn := a.Form == apd.NaN || a.Form == apd.NaNSignaling, b.Form == apd.NaN || b.Form == apd.NaNSignaling
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}

// NumericPow returns a ^ b with PostgreSQL's result scale: at least 16 significant
// digits and no less than the inputs' scales. Integer exponents are exact before
// rounding; others go through apd's Pow at extra precision.
func NumericPow(a, b *apd.Decimal) (*apd.Decimal, error) {
	if a.Form == apd.NaN || b.Form == apd.NaN {
		if a.Form == apd.Finite && a.Cmp(apd.New(1, 0)) == 0 {
			return apd.New(1, 0), nil
		}
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return nil, pgerr.FeatureNotSupported("infinite arguments to numeric power are not supported yet")
	}
	if a.Coeff.Sign() == 0 && b.Negative && b.Coeff.Sign() != 0 {
		return nil, pgerr.New(pgerrcode.InvalidArgumentForPowerFunction, "zero raised to a negative power is undefined")
	}
	isInt := true
	{
		t := new(apd.Decimal)
		if _, err := numCtx.RoundToIntegralExact(t, b); err != nil || t.Cmp(b) != 0 {
			isInt = false
		}
	}
	if a.Negative && !isInt {
		return nil, pgerr.New(pgerrcode.InvalidArgumentForPowerFunction, "a negative number raised to a non-integer power yields a complex result")
	}
	af, _ := a.Float64()
	bf, _ := b.Float64()
	var weight float64
	if af != 0 {
		weight = bf * math.Log10(math.Abs(af))
	}
	if weight > 131072 {
		return nil, numericOverflow()
	}
	rscale := int64(numericMinSigDigits)
	if !isInt {
		rscale -= int64(math.Floor(weight))
	}
	rscale = max(rscale, int64(NumericScale(a)), int64(NumericScale(b)), 0)
	rscale = min(rscale, numericMaxDisplay)
	c := numCtx
	c.Precision = uint32(max(int64(weight), 0) + rscale + 20)
	r := new(apd.Decimal)
	if _, err := c.Pow(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	q := new(apd.Decimal)
	if _, err := numCtx.Quantize(q, r, -int32(rscale)); err != nil {
		return nil, numericOverflow()
	}
	return normalizeNumeric(q)
}
