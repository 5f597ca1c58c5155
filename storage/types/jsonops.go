package types

import (
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Operations on json and jsonb values. A json datum is its text as given and a
// jsonb datum its normalized text (ParseJSONB); both are parsed into jsonValue
// trees to be read or changed, and jsonb results are written back in normalized
// form. The functions take documents that already passed input validation.

// JSONValue is a parsed json or jsonb document, for the functions that walk one
// (the set-returning functions, the aggregates).
type JSONValue = *jsonValue

// mustParse parses a validated document.
func mustParse(doc string) *jsonValue {
	v, err := parseJSON([]byte(doc), false)
	if err != nil {
		return &jsonValue{kind: jsonNull}
	}
	return v
}

func jsonErr(format string, args ...any) *pgerr.Error {
	return pgerr.New(pgerrcode.InvalidParameterValue, format, args...)
}

// jsonbText writes a jsonb tree (whose objects are normalized) as jsonb text.
func jsonbText(v *jsonValue) string { return string(appendJSONB(nil, v)) }

// jsonKindRank orders the kinds of jsonb values as PostgreSQL's btree operator
// class does: null < string < number < boolean < array < object.
func jsonKindRank(k byte) int {
	switch k {
	case jsonNull:
		return 0
	case jsonString:
		return 1
	case jsonNumber:
		return 2
	case jsonFalse, jsonTrue:
		return 3
	case jsonArray:
		return 4
	}
	return 5
}

// JSONBCompare compares two jsonb documents in PostgreSQL's btree order
// (compareJsonbContainers): a top-level scalar is a one-element "raw scalar"
// array; arrays and objects with more elements are greater; then a raw scalar
// is less than a real array; then elements (keys, then values, in storage
// order) are compared in turn, values of different kinds by jsonKindRank,
// strings bytewise (the C collation), numbers by value.
func JSONBCompare(a, b string) int {
	return compareTop(mustParse(a), mustParse(b))
}

func isScalar(v *jsonValue) bool { return v.kind != jsonArray && v.kind != jsonObject }

func compareTop(a, b *jsonValue) int {
	ra, rb := isScalar(a), isScalar(b)
	if ra || rb {
		if ra && rb {
			return compareJSONValues(a, b)
		}
		// A raw scalar is a one-element array: objects are greater, arrays
		// compare by length, then the real array is greater.
		other, sign := b, 1
		if rb {
			other, sign = a, -1
		}
		if other.kind == jsonObject {
			return -sign
		}
		if n := len(other.vals); n != 1 {
			if n > 1 {
				return -sign
			}
			return sign
		}
		return -sign
	}
	return compareJSONValues(a, b)
}

func compareJSONValues(a, b *jsonValue) int {
	if ka, kb := jsonKindRank(a.kind), jsonKindRank(b.kind); ka != kb {
		return cmpInt64(int64(ka), int64(kb))
	}
	switch a.kind {
	case jsonNull:
		return 0
	case jsonString:
		return strings.Compare(a.str, b.str)
	case jsonNumber:
		x, _ := ParseNumeric(a.str)
		y, _ := ParseNumeric(b.str)
		return NumericCmp(x, y)
	case jsonFalse, jsonTrue:
		return cmpInt64(int64(a.kind), int64(b.kind))
	case jsonArray:
		if len(a.vals) != len(b.vals) {
			return cmpInt64(int64(len(a.vals)), int64(len(b.vals)))
		}
		for i := range a.vals {
			if c := compareJSONValues(a.vals[i], b.vals[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	if len(a.keys) != len(b.keys) {
		return cmpInt64(int64(len(a.keys)), int64(len(b.keys)))
	}
	for i := range a.keys {
		if c := strings.Compare(a.keys[i], b.keys[i]); c != 0 {
			return c
		}
		if c := compareJSONValues(a.vals[i], b.vals[i]); c != 0 {
			return c
		}
	}
	return 0
}

// appendJSONBKey appends a key that is equal for jsonb documents JSONBCompare
// finds equal: the document with its numbers in their shortest form.
func appendJSONBKey(dst []byte, doc string) []byte {
	v := mustParse(doc)
	canonicalNumbers(v)
	return appendJSONB(dst, v)
}

// JSONBCanonical is the text of a jsonb document with its numbers in their
// shortest form: equal exactly when JSONBCompare finds the documents equal.
func JSONBCanonical(doc string) string { return string(appendJSONBKey(nil, doc)) }

func canonicalNumbers(v *jsonValue) {
	switch v.kind {
	case jsonNumber:
		if d, err := ParseNumeric(v.str); err == nil {
			var r apd.Decimal
			r.Reduce(d)
			v.str = r.Text('f')
		}
	case jsonArray, jsonObject:
		for _, e := range v.vals {
			canonicalNumbers(e)
		}
	}
}

// JSONBContains is @>: whether a contains b (JsonbDeepContains). Objects
// contain objects whose every pair they contain; arrays contain arrays whose
// every element one of theirs contains; a top-level array also contains a scalar
// it has as an element.
func JSONBContains(a, b string) bool {
	x, y := mustParse(a), mustParse(b)
	if x.kind == jsonArray && isScalar(y) {
		y = &jsonValue{kind: jsonArray, vals: []*jsonValue{y}}
	}
	return contains(x, y)
}

func contains(a, b *jsonValue) bool {
	if isScalar(a) || isScalar(b) {
		return isScalar(a) && isScalar(b) && compareJSONValues(a, b) == 0
	}
	if a.kind != b.kind {
		return false
	}
	if a.kind == jsonObject {
		for i, k := range b.keys {
			e := objectField(a, k)
			if e == nil {
				return false
			}
			if isScalar(e) != isScalar(b.vals[i]) || !contains(e, b.vals[i]) {
				return false
			}
		}
		return true
	}
	for _, be := range b.vals {
		found := false
		for _, ae := range a.vals {
			if (isScalar(ae) == isScalar(be)) && contains(ae, be) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func objectField(v *jsonValue, key string) *jsonValue {
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == key {
			return v.vals[i]
		}
	}
	return nil
}

// JSONBExists is ?: whether key is a key of the top-level object, or a string
// element of the top-level array (or the top-level string itself).
func JSONBExists(doc, key string) bool {
	v := mustParse(doc)
	switch v.kind {
	case jsonObject:
		return objectField(v, key) != nil
	case jsonArray:
		for _, e := range v.vals {
			if e.kind == jsonString && e.str == key {
				return true
			}
		}
		return false
	case jsonString:
		return v.str == key
	}
	return false
}

// JSONBConcat is jsonb || jsonb: objects merge (the right side's keys win),
// anything else concatenates as arrays (a scalar or object is a one-element
// array).
func JSONBConcat(a, b string) string {
	x, y := mustParse(a), mustParse(b)
	if x.kind == jsonObject && y.kind == jsonObject {
		r := &jsonValue{kind: jsonObject, keys: append(append([]string(nil), x.keys...), y.keys...),
			vals: append(append([]*jsonValue(nil), x.vals...), y.vals...)}
		_ = normalizeJSONB(r) // keeps the last of duplicate keys
		return jsonbText(r)
	}
	elems := func(v *jsonValue) []*jsonValue {
		if v.kind == jsonArray {
			return v.vals
		}
		return []*jsonValue{v}
	}
	return jsonbText(&jsonValue{kind: jsonArray, vals: append(append([]*jsonValue(nil), elems(x)...), elems(y)...)})
}

func cannotDeleteFromScalar() error { return jsonErr("cannot delete from scalar") }

// JSONBDeleteKeys is jsonb - text and jsonb - text[]: the object without those
// keys, or the array without the string elements equal to one of them.
func JSONBDeleteKeys(doc string, keys []string) (string, error) {
	v := mustParse(doc)
	drop := func(k string) bool {
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		return false
	}
	switch v.kind {
	case jsonObject:
		r := &jsonValue{kind: jsonObject}
		for i, k := range v.keys {
			if !drop(k) {
				r.keys, r.vals = append(r.keys, k), append(r.vals, v.vals[i])
			}
		}
		return jsonbText(r), nil
	case jsonArray:
		r := &jsonValue{kind: jsonArray}
		for _, e := range v.vals {
			if e.kind != jsonString || !drop(e.str) {
				r.vals = append(r.vals, e)
			}
		}
		return jsonbText(r), nil
	}
	return "", cannotDeleteFromScalar()
}

// JSONBDeleteIndex is jsonb - integer: the array without element i (negative
// counts from the end).
func JSONBDeleteIndex(doc string, i int64) (string, error) {
	v := mustParse(doc)
	switch v.kind {
	case jsonObject:
		return "", jsonErr("cannot delete from object using integer index")
	case jsonArray:
	default:
		return "", cannotDeleteFromScalar()
	}
	n := int64(len(v.vals))
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return doc, nil
	}
	r := &jsonValue{kind: jsonArray, vals: append(append([]*jsonValue(nil), v.vals[:i]...), v.vals[i+1:]...)}
	return jsonbText(r), nil
}

// arrayIndex reads a path element as an array subscript (negative from the end).
func arrayIndex(s string, n int) (int, bool) {
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, true
}

// JSONPath is #> and #>> (and json(b)_extract_path(_text)): the element at
// path, as json/jsonb text or, with asText, a string's contents; ok is false when
// there is none (or, as text, it is a JSON null). An empty path is the document.
func JSONPath(doc string, jsonb bool, path []*string, asText bool) (string, bool) {
	v := mustParse(doc)
	for _, p := range path {
		if p == nil {
			return "", false
		}
		switch v.kind {
		case jsonObject:
			v = objectField(v, *p)
		case jsonArray:
			i, ok := arrayIndex(*p, len(v.vals))
			if !ok || i < 0 || i >= len(v.vals) {
				return "", false
			}
			v = v.vals[i]
		default:
			return "", false
		}
		if v == nil {
			return "", false
		}
	}
	if asText {
		switch v.kind {
		case jsonNull:
			return "", false
		case jsonString:
			return v.str, true
		}
	}
	if jsonb || len(path) == 0 && !asText {
		if jsonb {
			return jsonbText(v), true
		}
		return doc, true
	}
	return doc[v.start:v.end], true
}

func pathElem(path []*string, i int) (string, error) {
	if path[i] == nil {
		return "", pgerr.New(pgerrcode.NullValueNotAllowedDataException, "path element at position %d is null", i+1)
	}
	return *path[i], nil
}

// JSONBSet is jsonb_set(target, path, value, create_missing) and, with insert,
// jsonb_insert(target, path, value, insert_after).
func JSONBSet(doc string, path []*string, value string, flag bool, insert bool) (string, error) {
	return editJSONBPath(doc, path, "set", func(v *jsonValue) error {
		return setPath(v, path, 0, mustParse(value), flag, insert)
	})
}

// editJSONBPath parses doc and applies edit to it, for the functions that
// change a jsonb document at path (verb names the change in the error for a
// scalar document). An empty path leaves the document as it is.
func editJSONBPath(doc string, path []*string, verb string, edit func(v *jsonValue) error) (string, error) {
	v := mustParse(doc)
	if isScalar(v) {
		return "", jsonErr("cannot %s path in scalar", verb)
	}
	if len(path) == 0 {
		return doc, nil
	}
	if err := edit(v); err != nil {
		return "", err
	}
	return jsonbText(v), nil
}

// pathArrayIndex reads path element p, at position level of the path, as an
// array subscript; it is an error when p is not an integer.
func pathArrayIndex(p string, level int) (int, error) {
	i, err := strconv.Atoi(strings.TrimSpace(p))
	if err != nil {
		return 0, pgerr.New(pgerrcode.InvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", level+1, p)
	}
	return i, nil
}

func setPath(v *jsonValue, path []*string, level int, nv *jsonValue, flag, insert bool) error {
	p, err := pathElem(path, level)
	if err != nil {
		return err
	}
	last := level == len(path)-1
	switch v.kind {
	case jsonObject:
		for i, k := range v.keys {
			if k != p {
				continue
			}
			if last {
				if insert {
					return jsonErr("cannot replace existing key").WithHint("Try using the function jsonb_set to replace key value.")
				}
				v.vals[i] = nv
				return nil
			}
			return setPath(v.vals[i], path, level+1, nv, flag, insert)
		}
		if last && (flag || insert) {
			v.keys, v.vals = append(v.keys, p), append(v.vals, nv)
			return normalizeJSONB(v)
		}
		return nil
	case jsonArray:
		n := len(v.vals)
		i, err := pathArrayIndex(p, level)
		if err != nil {
			return err
		}
		if i < 0 {
			if -i > n {
				i = -1 // before the first element
			} else {
				i += n
			}
		}
		if last {
			switch {
			case i >= 0 && i < n && !insert:
				v.vals[i] = nv
			case insert:
				at := i
				if i < 0 {
					at = 0
				} else if i >= n {
					at = n
				} else if flag {
					at = i + 1
				}
				v.vals = append(v.vals[:at], append([]*jsonValue{nv}, v.vals[at:]...)...)
			case flag && i < 0:
				v.vals = append([]*jsonValue{nv}, v.vals...)
			case flag:
				v.vals = append(v.vals, nv)
			}
			return nil
		}
		if i >= 0 && i < n {
			return setPath(v.vals[i], path, level+1, nv, flag, insert)
		}
		return nil
	}
	if level < len(path) {
		return nil
	}
	return nil
}

// JSONBDeletePath is jsonb #- text[]: the document without the element at path.
func JSONBDeletePath(doc string, path []*string) (string, error) {
	return editJSONBPath(doc, path, "delete", func(v *jsonValue) error {
		return deletePath(v, path, 0)
	})
}

func deletePath(v *jsonValue, path []*string, level int) error {
	p, err := pathElem(path, level)
	if err != nil {
		return err
	}
	last := level == len(path)-1
	switch v.kind {
	case jsonObject:
		for i, k := range v.keys {
			if k == p {
				if last {
					v.keys = append(v.keys[:i:i], v.keys[i+1:]...)
					v.vals = append(v.vals[:i:i], v.vals[i+1:]...)
					return nil
				}
				return deletePath(v.vals[i], path, level+1)
			}
		}
	case jsonArray:
		i, err := pathArrayIndex(p, level)
		if err != nil {
			return err
		}
		n := len(v.vals)
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil
		}
		if last {
			v.vals = append(v.vals[:i:i], v.vals[i+1:]...)
			return nil
		}
		return deletePath(v.vals[i], path, level+1)
	}
	return nil
}

// JSONStripNulls is json(b)_strip_nulls: the document without object fields
// whose value is null (at any depth; nulls in arrays stay).
func JSONStripNulls(doc string, jsonb bool) string {
	v := mustParse(doc)
	stripNulls(v)
	if jsonb {
		return jsonbText(v)
	}
	return string(appendJSONCompact(nil, v))
}

func stripNulls(v *jsonValue) {
	switch v.kind {
	case jsonObject:
		keys, vals := v.keys[:0:0], v.vals[:0:0]
		for i, k := range v.keys {
			if v.vals[i].kind == jsonNull {
				continue
			}
			stripNulls(v.vals[i])
			keys, vals = append(keys, k), append(vals, v.vals[i])
		}
		v.keys, v.vals = keys, vals
	case jsonArray:
		for _, e := range v.vals {
			stripNulls(e)
		}
	}
}

// appendJSONCompact writes a json tree without white space (json_strip_nulls'
// output); numbers and strings keep their input text.
func appendJSONCompact(buf []byte, v *jsonValue) []byte {
	return appendJSONTree(buf, v, 0, false)
}

// JSONBPretty is jsonb_pretty: four spaces of indentation per level.
func JSONBPretty(doc string) string {
	return string(appendJSONTree(nil, mustParse(doc), 0, true))
}

// appendJSONTree writes the arrays and objects of a json tree either without
// white space or, with pretty, as jsonb_pretty lays them out (a line and four
// spaces of indentation per level for each element, ": " after a key); other
// values are written as jsonb writes them.
func appendJSONTree(buf []byte, v *jsonValue, level int, pretty bool) []byte {
	indent := func(n int) {
		if !pretty {
			return
		}
		buf = append(buf, '\n')
		for i := 0; i < n; i++ {
			buf = append(buf, "    "...)
		}
	}
	keySep := ":"
	if pretty {
		keySep = ": "
	}
	switch v.kind {
	case jsonArray:
		buf = append(buf, '[')
		for i, e := range v.vals {
			if i > 0 {
				buf = append(buf, ',')
			}
			indent(level + 1)
			buf = appendJSONTree(buf, e, level+1, pretty)
		}
		indent(level)
		return append(buf, ']')
	case jsonObject:
		buf = append(buf, '{')
		for i, k := range v.keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			indent(level + 1)
			buf = appendJSONString(buf, k)
			buf = append(buf, keySep...)
			buf = appendJSONTree(buf, v.vals[i], level+1, pretty)
		}
		indent(level)
		return append(buf, '}')
	}
	return appendJSONB(buf, v)
}

// JSONArrayLength is json(b)_array_length.
func JSONArrayLength(doc string) (int64, error) {
	v := mustParse(doc)
	switch v.kind {
	case jsonArray:
		return int64(len(v.vals)), nil
	case jsonObject:
		return 0, jsonErr("cannot get array length of a non-array")
	}
	return 0, jsonErr("cannot get array length of a scalar")
}

// JSONElem is one element of a document as the set-returning functions return
// it: its key (objects), its json/jsonb text and, for the _text variants, its
// text (nil for a JSON null).
type JSONElem struct {
	Key  string
	JSON string
	Text *string
}

func elemOf(doc string, jsonb bool, v *jsonValue) JSONElem {
	e := JSONElem{}
	if jsonb {
		e.JSON = jsonbText(v)
	} else {
		e.JSON = doc[v.start:v.end]
	}
	switch v.kind {
	case jsonNull:
	case jsonString:
		s := v.str
		e.Text = &s
	default:
		s := e.JSON
		e.Text = &s
	}
	return e
}

// JSONEach is json(b)_each(_text): the fields of an object, in order (json keeps
// duplicates).
func JSONEach(doc string, jsonb bool, fn string) ([]JSONElem, error) {
	v := mustParse(doc)
	switch {
	case v.kind == jsonObject:
	case jsonb:
		return nil, jsonErr("cannot call %s on a non-object", fn)
	case v.kind == jsonArray:
		return nil, jsonErr("cannot deconstruct an array as an object")
	default:
		return nil, jsonErr("cannot deconstruct a scalar")
	}
	out := make([]JSONElem, len(v.keys))
	for i, k := range v.keys {
		out[i] = elemOf(doc, jsonb, v.vals[i])
		out[i].Key = k
	}
	return out, nil
}

// JSONArrayElements is json(b)_array_elements(_text).
func JSONArrayElements(doc string, jsonb bool, fn string) ([]JSONElem, error) {
	v := mustParse(doc)
	switch {
	case v.kind == jsonArray:
	case !jsonb && v.kind == jsonObject:
		return nil, jsonErr("cannot call %s on a non-array", fn)
	case !jsonb:
		return nil, jsonErr("cannot call %s on a scalar", fn)
	case v.kind == jsonObject:
		return nil, jsonErr("cannot extract elements from an object")
	default:
		return nil, jsonErr("cannot extract elements from a scalar")
	}
	out := make([]JSONElem, len(v.vals))
	for i, e := range v.vals {
		out[i] = elemOf(doc, jsonb, e)
	}
	return out, nil
}

// JSONObjectKeys is json(b)_object_keys.
func JSONObjectKeys(doc string, fn string) ([]string, error) {
	v := mustParse(doc)
	switch v.kind {
	case jsonObject:
		return v.keys, nil
	case jsonArray:
		return nil, jsonErr("cannot call %s on an array", fn)
	}
	return nil, jsonErr("cannot call %s on a scalar", fn)
}

// ToJSON is to_json: the json text of d, a value of type t (nil is null).
// Numbers are written as they are (NaN and the infinities, not being JSON
// numbers, as strings), booleans as true and false, json and jsonb unchanged,
// arrays as JSON arrays, date and time values in ISO 8601 (with a T between date
// and time), everything else as a string of its text output.
func ToJSON(t T, d Datum) string { return string(appendToJSON(nil, t, d)) }

func appendToJSON(buf []byte, t T, d Datum) []byte {
	if d == nil {
		return append(buf, "null"...)
	}
	if t.IsArray() {
		a := d.(*Array)
		if a.NDims() == 0 {
			return append(buf, "[]"...)
		}
		i := 0
		return appendJSONArrayDim(buf, t.Elem(), a, 0, &i)
	}
	switch {
	case t.Category() == CatNumeric && !t.IsOid():
		s := EncodeText(t, d)
		if jsonNumberSyntax(string(s)) {
			return append(buf, s...)
		}
		return appendJSONString(buf, string(s))
	case t == Bool:
		if d.(bool) {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case t == JSON || t == JSONB:
		return append(buf, d.(string)...)
	case t == TimestampT || t == TimestampTZT:
		v := int64(0)
		if ts, ok := d.(Timestamp); ok {
			v = int64(ts)
		} else {
			v = int64(d.(TimestampTZ))
		}
		s := string(AppendTimestamp(nil, v, t == TimestampTZT))
		if Timestamp(v).IsFinite() {
			s = strings.Replace(s, " ", "T", 1)
			if t == TimestampTZT && len(s) > 3 && (s[len(s)-3] == '+' || s[len(s)-3] == '-') {
				s += ":00"
			}
		}
		return appendJSONString(buf, s)
	}
	return appendJSONString(buf, string(EncodeText(t, d)))
}

// appendJSONArrayDim writes dimension dim of a as a JSON array; *i is the next
// element.
func appendJSONArrayDim(buf []byte, elem T, a *Array, dim int, i *int) []byte {
	buf = append(buf, '[')
	for k := 0; k < a.Dims[dim].Len; k++ {
		if k > 0 {
			buf = append(buf, ',')
		}
		if dim+1 < len(a.Dims) {
			buf = appendJSONArrayDim(buf, elem, a, dim+1, i)
			continue
		}
		buf = appendToJSON(buf, elem, a.Elems[*i])
		*i++
	}
	return append(buf, ']')
}

// ToJSONB is to_jsonb.
func ToJSONB(t T, d Datum) (string, error) {
	if t == JSONB && d != nil {
		return d.(string), nil
	}
	return ParseJSONB(appendToJSON(nil, t, d))
}

// JSONBuilder assembles the results of json_build_object/array and the json
// aggregates in json's formats ({"a" : 1, "b" : 2} and [1, 2]) or as jsonb.
type JSONBuilder struct {
	jsonb  bool
	object bool
	aggObj bool // json_object_agg's spacing: { "a" : 1 }
	buf    []byte
	n      int
	tree   *jsonValue
}

// NewJSONBuilder starts an object or an array.
func NewJSONBuilder(jsonb, object bool) *JSONBuilder {
	b := &JSONBuilder{jsonb: jsonb, object: object}
	if jsonb {
		b.tree = &jsonValue{kind: jsonArray}
		if object {
			b.tree.kind = jsonObject
		}
	}
	return b
}

// NewObjectAggBuilder starts the result of json(b)_object_agg.
func NewObjectAggBuilder(jsonb bool) *JSONBuilder {
	b := NewJSONBuilder(jsonb, true)
	b.aggObj = true
	return b
}

// KeyScalar reports whether values of t may be object keys of json_build_object.
func KeyScalar(t T) bool { return !t.IsArray() && t != JSON && t != JSONB }

// Add appends a member (key is used for objects only) whose value is d of type t.
func (b *JSONBuilder) Add(key string, t T, d Datum) error {
	if b.jsonb {
		doc, err := ToJSONB(t, d)
		if err != nil {
			return err
		}
		v := mustParse(doc)
		if b.object {
			b.tree.keys = append(b.tree.keys, key)
		}
		b.tree.vals = append(b.tree.vals, v)
		return nil
	}
	if b.n > 0 {
		b.buf = append(b.buf, ", "...)
	}
	b.n++
	if b.object {
		b.buf = appendJSONString(b.buf, key)
		b.buf = append(b.buf, " : "...)
	}
	b.buf = appendToJSON(b.buf, t, d)
	return nil
}

// Result returns the document built.
func (b *JSONBuilder) Result() (string, error) {
	if b.jsonb {
		if err := normalizeJSONB(b.tree); err != nil {
			return "", err
		}
		return jsonbText(b.tree), nil
	}
	switch {
	case b.aggObj:
		return "{ " + string(b.buf) + " }", nil
	case b.object:
		return "{" + string(b.buf) + "}", nil
	}
	return "[" + string(b.buf) + "]", nil
}

// JSONKeyText is the object key json_build_object makes of a key argument: its
// json text, a string's contents unquoted (true, not t; 2024-01-01T10:00:00).
func JSONKeyText(t T, d Datum) string {
	j := appendToJSON(nil, t, d)
	if len(j) > 0 && j[0] == '"' {
		if v, err := parseJSON(j, false); err == nil {
			return v.str
		}
	}
	return string(j)
}
