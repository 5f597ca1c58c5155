package types

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Arrays.
//
// Every base type has an array type with the OID PostgreSQL gives it (int4[] is
// _int4, 1007). An array type's T is the array OID; Elem gives the element type.
// As in PostgreSQL, the number of dimensions is not part of the type: int4[] and
// int4[][] are the same type, and a value carries its own dimensions.
//
// A value is an *Array: its dimensions (length and lower bound of each,
// outermost first) and its elements in row-major order, nil for NULL. The empty
// array has no dimensions. Arrays are never mutated once they are Datums.

// CatArray is PostgreSQL's array category ('A').
const CatArray Category = 'A'

// MaxArrayDims is PostgreSQL's MAXDIM.
const MaxArrayDims = 6

// maxArrayItems is PostgreSQL's MaxArraySize (MaxAllocSize / sizeof(Datum)).
const maxArrayItems = 134217727

// arrayOIDs maps each element type to its array type (pg_type.typarray).
var arrayOIDs = map[uint32]uint32{
	OIDBool: 1000, OIDBytea: 1001, OIDName: 1003, OIDInt2: 1005, OIDInt4: 1007, OIDText: 1009,
	OIDBpchar: 1014, OIDVarchar: 1015, OIDInt8: 1016, OIDFloat4: 1021, OIDFloat8: 1022, OIDOid: 1028,
	OIDNumeric: 1231, OIDJSON: 199, OIDDate: 1182, OIDTime: 1183, OIDTimestamp: 1115,
	OIDTimestampTZ: 1185, OIDInterval: 1187, OIDUUID: 2951, OIDJSONB: 3807, OIDRegtype: 2211,
}

// elemOIDs maps each array type to its element type (pg_type.typelem).
var elemOIDs = map[uint32]uint32{}

func init() {
	for elem, arr := range arrayOIDs {
		elemOIDs[arr] = elem
		ei := infos[elem]
		infos[arr] = info{name: "_" + ei.name, sqlName: ei.sqlName + "[]", len: -1, category: CatArray}
		aliases["_"+ei.name] = T{arr}
	}
}

// IsArray reports whether t is an array type.
func (t T) IsArray() bool { _, ok := elemOIDs[t.oid]; return ok }

// Elem returns the element type of an array type, Invalid for other types.
func (t T) Elem() T {
	if e, ok := elemOIDs[t.oid]; ok {
		return T{e}
	}
	return Invalid
}

// ArrayOf returns the array type whose elements are of type t; ok is false when
// t has none (unknown, void, arrays themselves).
func ArrayOf(t T) (T, bool) {
	if a, ok := arrayOIDs[t.oid]; ok {
		return T{a}, true
	}
	return Invalid, false
}

// ArrayDim is one dimension of an array: its length and its lower bound.
type ArrayDim struct{ Len, Lower int }

// Array is an array value (see the package comment on arrays).
type Array struct {
	Dims  []ArrayDim
	Elems []Datum
}

// NewArray returns a one-dimensional array with lower bound 1 (the empty array
// when elems is empty).
func NewArray(elems []Datum) *Array {
	if len(elems) == 0 {
		return &Array{}
	}
	return &Array{Dims: []ArrayDim{{Len: len(elems), Lower: 1}}, Elems: elems}
}

// NDims returns the number of dimensions (0 for the empty array).
func (a *Array) NDims() int { return len(a.Dims) }

// HasNull reports whether some element is NULL.
func (a *Array) HasNull() bool {
	for _, e := range a.Elems {
		if e == nil {
			return true
		}
	}
	return false
}

// SameShape reports whether a and b have the same dimensions and lower bounds.
func (a *Array) SameShape(b *Array) bool {
	if len(a.Dims) != len(b.Dims) {
		return false
	}
	for i := range a.Dims {
		if a.Dims[i] != b.Dims[i] {
			return false
		}
	}
	return true
}

// CheckArraySize returns PostgreSQL's 54000 when an array of dims would hold
// more elements than PostgreSQL allows, and the number of elements otherwise.
func CheckArraySize(dims []ArrayDim) (int, error) {
	n := 1
	if len(dims) == 0 {
		return 0, nil
	}
	for _, d := range dims {
		if d.Len < 0 {
			return 0, tooLargeArray()
		}
		if d.Len == 0 {
			return 0, nil
		}
		if n > maxArrayItems/d.Len {
			return 0, tooLargeArray()
		}
		n *= d.Len
	}
	return n, nil
}

func tooLargeArray() error {
	return pgerr.New(pgerrcode.ProgramLimitExceeded, "array size exceeds the maximum allowed (%d)", maxArrayItems)
}

func tooManyDims(n int) error {
	return pgerr.New(pgerrcode.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", n, MaxArrayDims)
}

func mustArray(t T, d Datum) *Array {
	v, ok := d.(*Array)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

// appendArrayText is array_out: {1,2}, {{1,2},{3,4}}, [0:1]={1,2}, with elements
// quoted when they are empty, NULL as text, or contain a delimiter, brace,
// quote, backslash or white space.
func appendArrayText(buf []byte, t T, a *Array) []byte {
	if len(a.Dims) == 0 {
		return append(buf, "{}"...)
	}
	elem := t.Elem()
	for _, d := range a.Dims {
		if d.Lower != 1 {
			for _, d := range a.Dims {
				buf = append(buf, '[')
				buf = strconv.AppendInt(buf, int64(d.Lower), 10)
				buf = append(buf, ':')
				buf = strconv.AppendInt(buf, int64(d.Lower+d.Len-1), 10)
				buf = append(buf, ']')
			}
			buf = append(buf, '=')
			break
		}
	}
	i := 0
	var level func(dim int)
	var scratch []byte
	level = func(dim int) {
		buf = append(buf, '{')
		for j := 0; j < a.Dims[dim].Len; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			if dim+1 < len(a.Dims) {
				level(dim + 1)
				continue
			}
			e := a.Elems[i]
			i++
			if e == nil {
				buf = append(buf, "NULL"...)
				continue
			}
			scratch = AppendText(scratch[:0], elem, e)
			buf = appendArrayElem(buf, scratch)
		}
		buf = append(buf, '}')
	}
	level(0)
	return buf
}

func appendArrayElem(buf, s []byte) []byte {
	quote := len(s) == 0 || strings.EqualFold(string(s), "null")
	for _, c := range s {
		if c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || isSpace(c) {
			quote = true
			break
		}
	}
	if !quote {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			buf = append(buf, '\\')
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}

// malformedArray is array_in's 22P02 with PostgreSQL's detail.
func malformedArray(s []byte, detail string) error {
	return pgerr.New(pgerrcode.InvalidTextRepresentation, "malformed array literal: %q", string(s)).WithDetail("%s", detail)
}

// arrayParser reads the text form of an array (array_in).
type arrayParser struct {
	src  []byte
	p    int
	dims []int // lengths found so far per nesting level, -1 = not yet known
	// depth of the leaves, -1 until the first element is seen
	leafDepth int
	elems     []arrayToken
}

// arrayToken is one element as written: its text after unquoting and unescaping,
// and whether it is an unquoted NULL.
type arrayToken struct {
	text []byte
	null bool
}

func (ap *arrayParser) skipSpace() {
	for ap.p < len(ap.src) && isSpace(ap.src[ap.p]) {
		ap.p++
	}
}

func (ap *arrayParser) fail(detail string) error { return malformedArray(ap.src, detail) }

// parseArrayText parses the text form of an array of elem.
func parseArrayText(t T, b []byte) (Datum, error) {
	if err := checkText(b); err != nil {
		return nil, err
	}
	ap := &arrayParser{src: b, leafDepth: -1}
	var explicit []ArrayDim
	for {
		ap.skipSpace()
		if ap.p >= len(b) || b[ap.p] != '[' {
			break
		}
		ap.p++
		if len(explicit) >= MaxArrayDims {
			return nil, tooManyDims(len(explicit) + 1)
		}
		lo, ok := ap.int()
		if !ok {
			return nil, ap.fail(`"[" must introduce explicitly-specified array dimensions.`)
		}
		hi := lo
		if ap.p < len(b) && b[ap.p] == ':' {
			ap.p++
			if hi, ok = ap.int(); !ok {
				return nil, ap.fail("Missing array dimension value.")
			}
		} else {
			lo = 1
		}
		if ap.p >= len(b) || b[ap.p] != ']' {
			return nil, ap.fail(`Missing "]" after array dimensions.`)
		}
		ap.p++
		if hi < lo {
			return nil, pgerr.New(pgerrcode.ArraySubscriptError, "upper bound cannot be less than lower bound")
		}
		explicit = append(explicit, ArrayDim{Len: int(hi - lo + 1), Lower: int(lo)})
	}
	if len(explicit) > 0 {
		if ap.p >= len(b) || b[ap.p] != '=' {
			return nil, ap.fail(`Missing "=" after array dimensions.`)
		}
		ap.p++
		ap.skipSpace()
		if ap.p >= len(b) || b[ap.p] != '{' {
			return nil, ap.fail(`Array contents must start with "{".`)
		}
	} else if ap.p >= len(b) || b[ap.p] != '{' {
		return nil, ap.fail(`Array value must start with "{" or dimension information.`)
	}
	if err := ap.level(0); err != nil {
		return nil, err
	}
	ap.skipSpace()
	if ap.p < len(b) {
		return nil, ap.fail("Junk after closing right brace.")
	}
	var dims []ArrayDim
	if len(ap.elems) > 0 {
		for _, n := range ap.dims {
			dims = append(dims, ArrayDim{Len: n, Lower: 1})
		}
	}
	if len(explicit) > 0 {
		if len(explicit) != len(dims) {
			return nil, ap.fail("Specified array dimensions do not match array contents.")
		}
		for i := range dims {
			if dims[i].Len != explicit[i].Len {
				return nil, ap.fail("Specified array dimensions do not match array contents.")
			}
		}
		dims = explicit
	}
	if _, err := CheckArraySize(dims); err != nil {
		return nil, err
	}
	elem := t.Elem()
	out := make([]Datum, len(ap.elems))
	for i, e := range ap.elems {
		if e.null {
			continue
		}
		d, err := DecodeText(elem, e.text)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return &Array{Dims: dims, Elems: out}, nil
}

// int reads an optionally signed decimal integer after optional white space.
func (ap *arrayParser) int() (int64, bool) {
	ap.skipSpace()
	start := ap.p
	if ap.p < len(ap.src) && (ap.src[ap.p] == '-' || ap.src[ap.p] == '+') {
		ap.p++
	}
	digits := ap.p
	for ap.p < len(ap.src) && ap.src[ap.p] >= '0' && ap.src[ap.p] <= '9' {
		ap.p++
	}
	if ap.p == digits {
		ap.p = start
		return 0, false
	}
	v, err := strconv.ParseInt(string(ap.src[start:ap.p]), 10, 32)
	if err != nil {
		if v < 0 {
			v = math.MinInt32
		} else {
			v = math.MaxInt32
		}
	}
	ap.skipSpace()
	return v, true
}

// level reads one brace-enclosed level at nesting depth (src[p] is '{').
func (ap *arrayParser) level(depth int) error {
	if depth >= MaxArrayDims {
		return tooManyDims(depth + 1)
	}
	ap.p++ // '{'
	if len(ap.dims) <= depth {
		ap.dims = append(ap.dims, -1)
	}
	n := 0
	ap.skipSpace()
	if ap.p < len(ap.src) && ap.src[ap.p] == '}' {
		// {} is the empty array only at the top.
		ap.p++
		if depth > 0 {
			return ap.fail(`Unexpected "}" character.`)
		}
		return nil
	}
	for {
		ap.skipSpace()
		if ap.p >= len(ap.src) {
			return ap.fail("Unexpected end of input.")
		}
		switch c := ap.src[ap.p]; c {
		case '{':
			if ap.leafDepth >= 0 && ap.leafDepth <= depth {
				return ap.fail(`Unexpected "{" character.`)
			}
			if err := ap.level(depth + 1); err != nil {
				return err
			}
		case ',', '}':
			return ap.fail(`Unexpected "` + string(c) + `" character.`)
		default:
			if ap.leafDepth < 0 {
				ap.leafDepth = depth
			} else if ap.leafDepth != depth {
				return ap.fail("Unexpected array element.")
			}
			if err := ap.element(); err != nil {
				return err
			}
		}
		n++
		ap.skipSpace()
		if ap.p >= len(ap.src) {
			return ap.fail("Unexpected end of input.")
		}
		switch ap.src[ap.p] {
		case ',':
			ap.p++
			continue
		case '}':
			ap.p++
			switch {
			case ap.dims[depth] < 0:
				ap.dims[depth] = n
			case ap.dims[depth] != n:
				return ap.fail("Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			if depth+1 < len(ap.dims) && ap.leafDepth == depth {
				return ap.fail("Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			return nil
		default:
			return ap.fail("Unexpected array element.")
		}
	}
}

// element reads one scalar element, quoted or not.
func (ap *arrayParser) element() error {
	var text []byte
	if ap.src[ap.p] == '"' {
		ap.p++
		for {
			if ap.p >= len(ap.src) {
				return ap.fail("Unexpected end of input.")
			}
			c := ap.src[ap.p]
			ap.p++
			switch c {
			case '\\':
				if ap.p >= len(ap.src) {
					return ap.fail("Unexpected end of input.")
				}
				text = append(text, ap.src[ap.p])
				ap.p++
			case '"':
				ap.elems = append(ap.elems, arrayToken{text: nonNil(text)})
				return nil
			default:
				text = append(text, c)
			}
		}
	}
	escaped := false
	keep := 0 // length of text that trailing-space trimming must keep
	for ap.p < len(ap.src) {
		c := ap.src[ap.p]
		switch c {
		case ',', '}':
			text = text[:max(keep, trimRightSpace(text))]
			ap.elems = append(ap.elems, arrayToken{text: nonNil(text), null: !escaped && strings.EqualFold(string(text), "null")})
			return nil
		case '{', '"':
			return ap.fail("Unexpected array element.")
		case '\\':
			ap.p++
			if ap.p >= len(ap.src) {
				return ap.fail("Unexpected end of input.")
			}
			text = append(text, ap.src[ap.p])
			escaped = true
			keep = len(text)
		default:
			text = append(text, c)
		}
		ap.p++
	}
	return ap.fail("Unexpected end of input.")
}

func trimRightSpace(b []byte) int {
	n := len(b)
	for n > 0 && isSpace(b[n-1]) {
		n--
	}
	return n
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// arraySend is array_send: ndim, has-null flag, element OID, (length, lower
// bound) per dimension, then each element as a length (-1 for NULL) and its
// binary form.
func arraySend(t T, a *Array) []byte {
	elem := t.Elem()
	b := binary.BigEndian.AppendUint32(nil, uint32(len(a.Dims)))
	flag := uint32(0)
	if a.HasNull() {
		flag = 1
	}
	b = binary.BigEndian.AppendUint32(b, flag)
	b = binary.BigEndian.AppendUint32(b, elem.oid)
	for _, d := range a.Dims {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(d.Len)))
		b = binary.BigEndian.AppendUint32(b, uint32(int32(d.Lower)))
	}
	for _, e := range a.Elems {
		if e == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32)
			continue
		}
		v := EncodeBinary(elem, e)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return b
}

// arrayRecv is array_recv.
func arrayRecv(t T, b []byte) (Datum, error) {
	elem := t.Elem()
	word := func() (int32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		return v, true
	}
	ndim, ok1 := word()
	flags, ok2 := word()
	oid, ok3 := word()
	if !ok1 || !ok2 || !ok3 {
		return nil, shortBinary()
	}
	if ndim < 0 {
		return nil, pgerr.New(pgerrcode.InvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	}
	if ndim > MaxArrayDims {
		return nil, tooManyDims(int(ndim))
	}
	if flags != 0 && flags != 1 {
		return nil, pgerr.New(pgerrcode.InvalidBinaryRepresentation, "invalid array flags")
	}
	if uint32(oid) != elem.oid {
		got := "unknown"
		if et, ok := ByOID(uint32(oid)); ok {
			got = et.Name()
		}
		return nil, pgerr.New(pgerrcode.DatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			uint32(oid), got, elem.oid, elem.Name())
	}
	dims := make([]ArrayDim, ndim)
	for i := range dims {
		n, ok1 := word()
		lo, ok2 := word()
		if !ok1 || !ok2 {
			return nil, shortBinary()
		}
		if n > 0 && int64(lo)+int64(n)-1 > math.MaxInt32 {
			return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "integer out of range")
		}
		dims[i] = ArrayDim{Len: int(n), Lower: int(lo)}
	}
	n, err := CheckArraySize(dims)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &Array{}, nil
	}
	if n > len(b)/4 {
		return nil, shortBinary() // every element takes at least its length word
	}
	elems := make([]Datum, n)
	for i := range elems {
		l, ok := word()
		if !ok {
			return nil, shortBinary()
		}
		if l == -1 {
			continue
		}
		if l < -1 || int(l) > len(b) {
			return nil, shortBinary()
		}
		d, err := DecodeBinary(elem, b[:l])
		if err != nil {
			if IsBinaryFormatError(err) {
				return nil, pgerr.New(pgerrcode.InvalidBinaryRepresentation, "improper binary format in array element %d", i+1)
			}
			return nil, err
		}
		elems[i] = d
		b = b[l:]
	}
	if len(b) > 0 {
		return nil, badBinary(t, "incorrect binary data format: %d bytes left after the array", len(b))
	}
	return &Array{Dims: dims, Elems: elems}, nil
}

// compareArrays is btarraycmp: element by element (NULL after every value), then
// the number of elements, the number of dimensions, the lengths and the lower
// bounds.
func compareArrays(elem T, a, b *Array) int {
	for i := 0; i < len(a.Elems) && i < len(b.Elems); i++ {
		x, y := a.Elems[i], b.Elems[i]
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		if c := Compare(elem, x, y); c != 0 {
			return c
		}
	}
	switch {
	case len(a.Elems) != len(b.Elems):
		return cmpInt64(int64(len(a.Elems)), int64(len(b.Elems)))
	case len(a.Dims) != len(b.Dims):
		return cmpInt64(int64(len(a.Dims)), int64(len(b.Dims)))
	}
	for i := range a.Dims {
		if a.Dims[i].Len != b.Dims[i].Len {
			return cmpInt64(int64(a.Dims[i].Len), int64(b.Dims[i].Len))
		}
	}
	for i := range a.Dims {
		if a.Dims[i].Lower != b.Dims[i].Lower {
			return cmpInt64(int64(a.Dims[i].Lower), int64(b.Dims[i].Lower))
		}
	}
	return 0
}

// appendArrayKey is AppendKey for arrays: the shape, then each element's key
// behind a NULL marker.
func appendArrayKey(dst []byte, elem T, a *Array) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(a.Dims)))
	for _, d := range a.Dims {
		dst = binary.AppendVarint(dst, int64(d.Len))
		dst = binary.AppendVarint(dst, int64(d.Lower))
	}
	for _, e := range a.Elems {
		if e == nil {
			dst = append(dst, 0)
			continue
		}
		dst = append(dst, 1)
		dst = AppendKey(dst, elem, e)
	}
	return dst
}

// mapArray applies f to every non-NULL element, keeping the shape.
func mapArray(a *Array, f func(Datum) (Datum, error)) (*Array, error) {
	out := &Array{Dims: a.Dims, Elems: make([]Datum, len(a.Elems))}
	for i, e := range a.Elems {
		if e == nil {
			continue
		}
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		out.Elems[i] = v
	}
	return out, nil
}
