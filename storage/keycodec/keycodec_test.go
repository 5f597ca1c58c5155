package keycodec

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func num(t testing.TB, s string) *apd.Decimal {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("numeric %q: %v", s, err)
	}
	return d
}

// TestOrder lists, per kind, values in ascending PostgreSQL order; equal neighbours
// are marked. Encodings must sort the same way in both directions.
func TestOrder(t *testing.T) {
	null := Value{Kind: KindNull}
	ints := func(vs ...int64) []Value {
		var out []Value
		for _, v := range vs {
			out = append(out, Value{Kind: KindInt, Int: v})
		}
		return append(out, null)
	}
	floats := func(vs ...float64) []Value {
		var out []Value
		for _, v := range vs {
			out = append(out, Value{Kind: KindFloat, Float: v})
		}
		return append(out, null)
	}
	strs := func(k Kind, vs ...string) []Value {
		var out []Value
		for _, v := range vs {
			out = append(out, Value{Kind: k, Bytes: []byte(v)})
		}
		return append(out, null)
	}
	nums := func(vs ...string) []Value {
		var out []Value
		for _, v := range vs {
			out = append(out, Value{Kind: KindNumeric, Numeric: num(t, v)})
		}
		return append(out, null)
	}
	tests := []struct {
		name string
		vals []Value
	}{
		{"bool", []Value{{Kind: KindBool}, {Kind: KindBool, Bool: true}, null}},
		{"int", ints(math.MinInt64, math.MinInt32, -1, 0, 1, 255, 256, math.MaxInt32, math.MaxInt64)},
		{"float", floats(math.Inf(-1), -math.MaxFloat64, -1.5, -math.SmallestNonzeroFloat64, math.Copysign(0, -1), 0, math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1), math.NaN())},
		{"numeric", nums("-Infinity", "-1e100", "-123.45", "-123.4", "-1", "-0.001", "0", "0.00", "0.001", "0.0011", "1", "1.0", "1.5", "10", "99.99", "100", "1e100", "Infinity", "NaN")},
		{"text", strs(KindText, "", "\x00", "\x00\x00", "\x00\x01", "\x01", "a", "a\x00", "ab", "b", "\xff", "\xff\xff")},
		{"bytea", strs(KindBytea, "", "\x00", "a", "a\x00b", "ab")},
		{"date", []Value{{Kind: KindDate, Int: math.MinInt32}, {Kind: KindDate, Int: -1}, {Kind: KindDate}, {Kind: KindDate, Int: math.MaxInt32}, null}},
		{"timestamp", []Value{{Kind: KindTimestamp, Int: math.MinInt64}, {Kind: KindTimestamp, Int: 0}, {Kind: KindTimestamp, Int: 1}, null}},
		{"timestamptz", []Value{{Kind: KindTimestampTZ, Int: -5}, {Kind: KindTimestampTZ, Int: 5}, null}},
		{"uuid", []Value{{Kind: KindUUID}, {Kind: KindUUID, UUID: [16]byte{0, 1}}, {Kind: KindUUID, UUID: [16]byte{1}}, null}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dir := range []Direction{Asc, Desc} {
				for i := range tt.vals {
					for j := range tt.vals {
						a, b := tt.vals[i], tt.vals[j]
						want := Compare(a, b)
						if dir == Desc {
							want = -want
						}
						got := bytes.Compare(Append(nil, a, dir), Append(nil, b, dir))
						if got != want {
							t.Errorf("dir %d: %v vs %v: bytes.Compare = %d, want %d", dir, a, b, got, want)
						}
					}
					checkRoundTrip(t, tt.vals[i], dir)
				}
			}
		})
	}
}

func checkRoundTrip(t *testing.T, v Value, dir Direction) {
	t.Helper()
	enc := Append(nil, v, dir)
	enc = append(enc, 0xAB) // trailing bytes must be returned untouched
	got, rest, err := Decode(enc, dir)
	if err != nil {
		t.Fatalf("decode %v: %v", v, err)
	}
	if !bytes.Equal(rest, []byte{0xAB}) {
		t.Fatalf("decode %v: rest %x", v, rest)
	}
	if got.Kind != v.Kind || Compare(got, v) != 0 {
		t.Fatalf("round trip %v: got %v", v, got)
	}
}

func TestCompositeAndPrefix(t *testing.T) {
	key := func(id int64, name string) []byte {
		k := AppendTablePrefix(nil, 7, 1)
		k = AppendInt(k, id, Asc)
		return AppendText(k, name, Desc)
	}
	keys := [][]byte{key(2, "a"), key(1, "b"), key(1, "a"), key(1, ""), key(2, "b")}
	slices.SortFunc(keys, bytes.Compare)
	want := [][]byte{key(1, "b"), key(1, "a"), key(1, ""), key(2, "b"), key(2, "a")}
	if !slices.EqualFunc(keys, want, bytes.Equal) {
		t.Fatalf("composite order wrong")
	}
	tid, iid, rest, err := DecodeTablePrefix(keys[0])
	if err != nil || tid != 7 || iid != 1 {
		t.Fatalf("prefix: %d %d %v", tid, iid, err)
	}
	v1, rest, err := Decode(rest, Asc)
	if err != nil || v1.Int != 1 {
		t.Fatalf("first column: %v %v", v1, err)
	}
	v2, rest, err := Decode(rest, Desc)
	if err != nil || string(v2.Bytes) != "b" || len(rest) != 0 {
		t.Fatalf("second column: %v %v %x", v2, err, rest)
	}
	p := AppendTablePrefix(nil, 7, 1)
	end := PrefixEnd(p)
	for _, k := range keys {
		if bytes.Compare(k, p) < 0 || bytes.Compare(k, end) >= 0 {
			t.Fatalf("key %x outside [%x, %x)", k, p, end)
		}
	}
	if PrefixEnd([]byte{0xFF, 0xFF}) != nil {
		t.Fatalf("PrefixEnd of all-0xFF must be nil")
	}
}

// fuzzValue builds a value of the kind chosen by k from the fuzzer's raw inputs.
func fuzzValue(t *testing.T, k uint8, i int64, f float64, s string) (Value, bool) {
	switch Kind(k % 11) {
	case KindNull:
		return Value{Kind: KindNull}, true
	case KindBool:
		return Value{Kind: KindBool, Bool: i&1 == 1}, true
	case KindInt:
		return Value{Kind: KindInt, Int: i}, true
	case KindFloat:
		return Value{Kind: KindFloat, Float: f}, true
	case KindNumeric:
		d, _, err := apd.NewFromString(s)
		if err != nil || d.Exponent < -10000 || d.Exponent > 10000 {
			return Value{}, false
		}
		return Value{Kind: KindNumeric, Numeric: d}, true
	case KindText:
		return Value{Kind: KindText, Bytes: []byte(s)}, true
	case KindBytea:
		return Value{Kind: KindBytea, Bytes: []byte(s)}, true
	case KindDate:
		return Value{Kind: KindDate, Int: int64(int32(i))}, true
	case KindTimestamp:
		return Value{Kind: KindTimestamp, Int: i}, true
	case KindTimestampTZ:
		return Value{Kind: KindTimestampTZ, Int: i}, true
	default:
		var u [16]byte
		copy(u[:], s)
		return Value{Kind: KindUUID, UUID: u}, true
	}
}

// FuzzKeyOrder: byte order of encodings equals value order, and encodings round trip.
func FuzzKeyOrder(f *testing.F) {
	f.Add(uint8(2), int64(1), 0.0, "", int64(-1), 0.0, "", false)
	f.Add(uint8(3), int64(0), math.Copysign(0, -1), "", int64(0), 0.0, "", true)
	f.Add(uint8(4), int64(0), 0.0, "1.5", int64(0), 0.0, "-1.50e3", false)
	f.Add(uint8(5), int64(0), 0.0, "a\x00", int64(0), 0.0, "a", true)
	f.Fuzz(func(t *testing.T, k uint8, i1 int64, f1 float64, s1 string, i2 int64, f2 float64, s2 string, desc bool) {
		a, ok1 := fuzzValue(t, k, i1, f1, s1)
		b, ok2 := fuzzValue(t, k, i2, f2, s2)
		if !ok1 || !ok2 {
			return
		}
		dir := Asc
		if desc {
			dir = Desc
		}
		want := Compare(a, b)
		if dir == Desc {
			want = -want
		}
		if got := bytes.Compare(Append(nil, a, dir), Append(nil, b, dir)); got != want {
			t.Fatalf("%+v vs %+v (dir %d): bytes.Compare = %d, want %d", a, b, dir, got, want)
		}
		checkRoundTrip(t, a, dir)
		checkRoundTrip(t, b, dir)
	})
}

// FuzzKeyDecode: arbitrary bytes never panic the decoder, and whatever decodes
// re-encodes to the bytes it came from (canonical encoding).
func FuzzKeyDecode(f *testing.F) {
	f.Add([]byte{tagInt, 0x80, 0, 0, 0, 0, 0, 0, 1}, false)
	f.Add([]byte{tagText, 'a', 0, 0xFF, 0, 1}, false)
	f.Add(AppendNumeric(nil, &apd.Decimal{Coeff: *apd.NewBigInt(12), Exponent: -1, Negative: true}, Desc), true)
	f.Fuzz(func(t *testing.T, b []byte, desc bool) {
		dir := Asc
		if desc {
			dir = Desc
		}
		v, rest, err := Decode(b, dir)
		if err != nil {
			return
		}
		used := b[:len(b)-len(rest)]
		enc := Append(nil, v, dir)
		if v.Kind == KindFloat {
			// Several bit patterns decode to NaN or to zero; the value must survive.
			checkRoundTrip(t, v, dir)
			return
		}
		if !bytes.Equal(enc, used) {
			t.Fatalf("decoded %+v from %x, re-encodes to %x", v, used, enc)
		}
	})
}

// TestTablePrefixOneAllocation: a key built from nil (the prefix and a
// bigint, as a point read builds it) costs one allocation, and the prefix is
// the same however much room dst had.
func TestTablePrefixOneAllocation(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		k := AppendTablePrefix(nil, 7, 1)
		_ = AppendInt(k, 42, Asc)
	}); n != 1 {
		t.Errorf("%v allocations, want 1", n)
	}
	for _, dst := range [][]byte{nil, make([]byte, 0, 3), []byte("ab"), make([]byte, 2, 64)} {
		got := AppendTablePrefix(dst, 0x01020304, 0x0a0b0c0d)
		want := append(append([]byte(nil), dst...), TablePrefixByte, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d)
		if string(got) != string(want) {
			t.Errorf("AppendTablePrefix(%q) = %x, want %x", dst, got, want)
		}
	}
}
