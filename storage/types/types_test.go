package types

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

// Expected outputs were taken from PostgreSQL 15.
func TestTextRoundTrip(t *testing.T) {
	cases := []struct {
		t        T
		in, want string
	}{
		{Int4, " 12 ", "12"},
		{Int4, "-2147483648", "-2147483648"},
		{Int2, "+7", "7"},
		{Int8, "9223372036854775807", "9223372036854775807"},
		{Bool, "  Yes ", "t"},
		{Bool, "of", "f"},
		{Bool, "1", "t"},
		{Bool, "FALSE", "f"},
		{Float8, "1.5", "1.5"},
		{Float8, "123456789012345678", "1.2345678901234568e+17"},
		{Float8, "1e-5", "1e-05"},
		{Float8, "3.0e-300", "3e-300"},
		{Float8, "-0.0", "-0"},
		{Float8, "1e15", "1e+15"},
		{Float8, "1e14", "100000000000000"},
		{Float8, "0.0001", "0.0001"},
		{Float8, "1e100", "1e+100"},
		{Float8, "infinity", "Infinity"},
		{Float8, "-inf", "-Infinity"},
		{Float8, "nan", "NaN"},
		{Float8, "0.30000000000000004", "0.30000000000000004"},
		{Float4, "0.1", "0.1"},
		{Float4, "1e6", "1e+06"},
		{Float4, "1234567", "1.234567e+06"},
		{Numeric, " 1.50 ", "1.50"},
		{Numeric, "1e5", "100000"},
		{Numeric, "1.5e-3", "0.0015"},
		{Numeric, "-0.00", "0.00"},
		{Numeric, "NaN", "NaN"},
		{Numeric, "-Infinity", "-Infinity"},
		{Numeric, ".5", "0.5"},
		{Text, "héllo", "héllo"},
		{Oid, "-1", "4294967295"},
	}
	for _, c := range cases {
		d, err := DecodeText(c.t, []byte(c.in))
		if err != nil {
			t.Errorf("DecodeText(%s, %q): %v", c.t, c.in, err)
			continue
		}
		if got := string(EncodeText(c.t, d)); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.t, c.in, got, c.want)
		}
		b := EncodeBinary(c.t, d)
		d2, err := DecodeBinary(c.t, b)
		if err != nil {
			t.Errorf("DecodeBinary(%s, %x): %v", c.t, b, err)
			continue
		}
		if got := string(EncodeText(c.t, d2)); got != c.want {
			t.Errorf("%s %q binary round trip: got %q, want %q", c.t, c.in, got, c.want)
		}
	}
}

func TestTextErrors(t *testing.T) {
	cases := []struct {
		t    T
		in   string
		code string
	}{
		{Int4, "abc", "22P02"},
		{Int4, "", "22P02"},
		{Int4, "1.5", "22P02"},
		{Int4, "3000000000", "22003"},
		{Int2, "40000", "22003"},
		{Int8, "99999999999999999999", "22003"},
		{Bool, "o", "22P02"},
		{Bool, "maybe", "22P02"},
		{Float8, "1e400", "22003"},
		{Float8, "1e-400", "22003"},
		{Float8, "x", "22P02"},
		{Numeric, "1e2000", "22P02"},
		{Numeric, "1..2", "22P02"},
		{Text, "a\x00b", "22021"},
		{Text, "\xff", "22021"},
	}
	for _, c := range cases {
		_, err := DecodeText(c.t, []byte(c.in))
		if got := pgerr.Code(err); got != c.code {
			t.Errorf("DecodeText(%s, %q) = %v, want SQLSTATE %s", c.t, c.in, err, c.code)
		}
	}
}

// Binary forms checked against PostgreSQL's numeric_send.
func TestNumericBinary(t *testing.T) {
	cases := []struct{ in, hex string }{
		{"0", "0000000000000000"},
		{"0.00", "0000000000000002"},
		{"1", "0001000000000000" + "0001"},
		{"-1.5", "0002000040000001" + "0001" + "1388"},
		{"12345.678", "000300010000000300010929" + "1a7c"},
		{"0.0001", "0001ffff00000004" + "0001"},
		{"NaN", "00000000c0000000"},
		{"Infinity", "00000000d0000000"},
		{"100000000", "0001000200000000" + "0001"},
	}
	for _, c := range cases {
		if c.in == "" {
			continue
		}
		d, err := DecodeText(Numeric, []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		got := hex.EncodeToString(EncodeBinary(Numeric, d))
		if got != c.hex {
			t.Errorf("numeric_send(%s) = %s, want %s", c.in, got, c.hex)
		}
	}
}

func TestNumericDiv(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"1.0", "3", "0.33333333333333333333"},
		{"10.0", "4", "2.5000000000000000"},
		{"1", "3.0", "0.33333333333333333333"},
		{"100000", "3.00", "33333.333333333333"},
		{"1", "7", "0.14285714285714285714"},
		{"123456789.123", "0.0001", "1234567891230.00000000"},
		{"2", "3", "0.66666666666666666667"},
	}
	for _, c := range cases {
		a, _ := ParseNumeric(c.a)
		b, _ := ParseNumeric(c.b)
		r, err := NumericDiv(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatNumeric(r); got != c.want {
			t.Errorf("%s/%s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
	z, _ := ParseNumeric("0")
	if _, err := NumericDiv(z, z); pgerr.Code(err) != "22012" {
		t.Errorf("0/0: %v", err)
	}
}

func TestCast(t *testing.T) {
	cases := []struct {
		from T
		in   string
		to   T
		mod  int32
		want string
		code string
	}{
		{Numeric, "2.5", Int4, -1, "3", ""},
		{Numeric, "-2.5", Int4, -1, "-3", ""},
		{Float8, "2.5", Int4, -1, "2", ""},
		{Float8, "0.1", Numeric, -1, "0.1", ""},
		{Float8, "0.333333333333333314829616256247", Numeric, -1, "0.333333333333333", ""},
		{Bool, "t", Text, -1, "true", ""},
		{Int8, "3000000000", Int4, -1, "", "22003"},
		{Numeric, "123.456", Numeric, NumericTypmod(5, 2), "123.46", ""},
		{Numeric, "1234.5", Numeric, NumericTypmod(5, 2), "", "22003"},
		{Text, "abcdef", Varchar, 3 + 4, "abc", ""},
		{Text, "x", Int4, -1, "", "22P02"},
		{Int4, "5", Bool, -1, "t", ""},
	}
	for _, c := range cases {
		d, err := DecodeText(c.from, []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Cast(d, c.from, c.to, c.mod)
		if c.code != "" {
			if pgerr.Code(err) != c.code {
				t.Errorf("cast %s %q to %s: %v, want %s", c.from, c.in, c.to, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("cast %s %q to %s: %v", c.from, c.in, c.to, err)
			continue
		}
		if got := string(EncodeText(c.to, r)); got != c.want {
			t.Errorf("cast %s %q to %s = %q, want %q", c.from, c.in, c.to, got, c.want)
		}
	}
}

func TestByName(t *testing.T) {
	for name, want := range map[string]T{
		"integer": Int4, "INT": Int4, "bigint": Int8, "double  precision": Float8, "character varying": Varchar,
		"pg_catalog.int4": Int4, "boolean": Bool, "decimal": Numeric, "real": Float4, "smallint": Int2,
	} {
		if got, ok := ByName(name); !ok || got != want {
			t.Errorf("ByName(%q) = %v, %v", name, got, ok)
		}
	}
	for _, typ := range []T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Varchar, Unknown} {
		if got, ok := ByOID(typ.OID()); !ok || got != typ {
			t.Errorf("ByOID(%d)", typ.OID())
		}
		if got, ok := ByName(typ.Name()); !ok || got != typ {
			t.Errorf("ByName(%q)", typ.Name())
		}
	}
}

func TestBinaryErrors(t *testing.T) {
	// As PostgreSQL: a value shorter than its type needs ran out of message (08P01);
	// a longer one, or a malformed one, is 22P03.
	for _, c := range []struct {
		t    T
		b    []byte
		code string
	}{
		{Int4, []byte{1, 2}, "08P01"},
		{Int4, []byte{1, 2, 3, 4, 5}, "22P03"},
		{Int8, nil, "08P01"},
		{Numeric, []byte{0, 1}, "08P01"},
		{Numeric, []byte{0, 1, 0, 0, 0, 0, 0, 0}, "08P01"},
		{Numeric, []byte{0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, "22P03"},
		{Numeric, []byte{0, 0, 0, 0, 0x12, 0x34, 0, 0}, "22P03"},
		{Numeric, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0}, "22P03"},
	} {
		if _, err := DecodeBinary(c.t, c.b); pgerr.Code(err) != c.code {
			t.Errorf("DecodeBinary(%s, %x) = %v, want %s", c.t, c.b, err, c.code)
		}
	}
}

var fuzzTypes = []T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Varchar, Oid}

func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"1", " -12 ", "1.5e3", "NaN", "t", "Infinity", "0.000100", "x"} {
		f.Add(uint8(0), []byte(s))
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		typ := fuzzTypes[int(k)%len(fuzzTypes)]
		d, err := DecodeText(typ, b)
		if err != nil {
			if _, ok := err.(*pgerr.Error); !ok {
				t.Fatalf("non-pgerr error %T", err)
			}
			return
		}
		out := EncodeText(typ, d)
		d2, err := DecodeText(typ, out)
		if err != nil {
			t.Fatalf("%s: re-decode of %q: %v", typ, out, err)
		}
		if out2 := EncodeText(typ, d2); !bytes.Equal(out, out2) {
			t.Fatalf("%s: %q -> %q -> %q", typ, b, out, out2)
		}
		bin := EncodeBinary(typ, d)
		d3, err := DecodeBinary(typ, bin)
		if err != nil {
			t.Fatalf("%s: binary re-decode of %x: %v", typ, bin, err)
		}
		if out3 := EncodeText(typ, d3); !bytes.Equal(out, out3) {
			t.Fatalf("%s: binary round trip %q -> %q", typ, out, out3)
		}
	})
}

func FuzzDecodeBinary(f *testing.F) {
	f.Add(uint8(6), []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add(uint8(2), []byte{0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		typ := fuzzTypes[int(k)%len(fuzzTypes)]
		d, err := DecodeBinary(typ, b)
		if err != nil {
			return
		}
		bin := EncodeBinary(typ, d)
		d2, err := DecodeBinary(typ, bin)
		if err != nil {
			t.Fatalf("%s: re-decode %x: %v", typ, bin, err)
		}
		a, c := EncodeText(typ, d), EncodeText(typ, d2)
		if !bytes.Equal(a, c) && !(typ.Category() == CatNumeric && math.IsNaN(toF(d))) {
			t.Fatalf("%s: %x: %q vs %q", typ, b, a, c)
		}
	})
}

func toF(d Datum) float64 {
	if f, ok := d.(float64); ok {
		return f
	}
	return 0
}

// TestEmptyValuesAreNotNull: an empty string encodes to an empty, non-nil value,
// because the session sends a nil value as NULL.
func TestEmptyValuesAreNotNull(t *testing.T) {
	for _, typ := range []T{Text, Varchar, Bpchar, Name} {
		if b := EncodeText(typ, ""); b == nil || len(b) != 0 {
			t.Errorf("EncodeText(%s, \"\") = %#v, want empty non-nil", typ.Name(), b)
		}
		if b := EncodeBinary(typ, ""); b == nil || len(b) != 0 {
			t.Errorf("EncodeBinary(%s, \"\") = %#v, want empty non-nil", typ.Name(), b)
		}
	}
}
