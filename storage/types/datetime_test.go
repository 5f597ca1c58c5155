package types

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

// Expected outputs and messages were taken from PostgreSQL 15 (DateStyle ISO, MDY;
// TimeZone UTC; IntervalStyle postgres).
func TestNewTypesText(t *testing.T) {
	cases := []struct {
		t        T
		in, want string
	}{
		{DateT, "2024-01-02", "2024-01-02"},
		{DateT, "Jan 5 2024", "2024-01-05"},
		{DateT, "5 Jan 2024", "2024-01-05"},
		{DateT, "1/5/2024", "2024-01-05"},
		{DateT, "20240105", "2024-01-05"},
		{DateT, "2024.005", "2024-01-05"},
		{DateT, "January 5, 2024", "2024-01-05"},
		{DateT, "Fri Jan 5 2024", "2024-01-05"},
		{DateT, "01/02/03", "2003-01-02"},
		{DateT, "2024-01-02 03:04:05+05", "2024-01-02"},
		{DateT, "0001-01-01 BC", "0001-01-01 BC"},
		{DateT, "4714-11-24 BC", "4714-11-24 BC"},
		{DateT, "5874897-12-31", "5874897-12-31"},
		{DateT, "infinity", "infinity"},
		{DateT, "-infinity", "-infinity"},
		{DateT, "epoch", "1970-01-01"},
		{DateT, "J2451545", "2000-01-01"},
		{TimestampT, "2024-01-02 03:04:05.120", "2024-01-02 03:04:05.12"},
		{TimestampT, "2024-01-02 24:00", "2024-01-03 00:00:00"},
		{TimestampT, "2024-01-02 03:04:05.9999995", "2024-01-02 03:04:06"},
		{TimestampT, "2024-01-05 12:00:00 BC", "2024-01-05 12:00:00 BC"},
		{TimestampT, "2024-01-05 1:00 pm", "2024-01-05 13:00:00"},
		{TimestampT, "2024-01-02T030405", "2024-01-02 03:04:05"},
		{TimestampT, "20240102T030405.5", "2024-01-02 03:04:05.5"},
		{TimestampT, "2024-01-02 03:04:05+05", "2024-01-02 03:04:05"},
		{TimestampT, "294276-12-31 23:59:59.999999", "294276-12-31 23:59:59.999999"},
		{TimestampT, "epoch", "1970-01-01 00:00:00"},
		{TimestampT, "-infinity", "-infinity"},
		{TimestampTZT, "2024-01-02 03:04:05-08", "2024-01-02 11:04:05+00"},
		{TimestampTZT, "2024-01-02T03:04:05Z", "2024-01-02 03:04:05+00"},
		{TimestampTZT, "2024-01-02 03:04:05+05:30", "2024-01-01 21:34:05+00"},
		{TimestampTZT, "2024-01-02 03:04:05 +0530", "2024-01-01 21:34:05+00"},
		{TimestampTZT, "2024-07-02 03:04:05 PST", "2024-07-02 11:04:05+00"},
		{TimestampTZT, "2024-07-02 03:04:05 PDT", "2024-07-02 10:04:05+00"},
		{TimestampTZT, "2024-01-02 03:04:05 America/New_York", "2024-01-02 08:04:05+00"},
		{TimestampTZT, "2024-07-02 03:04:05 america/new_york", "2024-07-02 07:04:05+00"},
		{TimestampTZT, "2024-01-02 03:04:05 utc+3", "2024-01-02 06:04:05+00"},
		{TimestampTZT, "Jan 5 12:00 2024 EST", "2024-01-05 17:00:00+00"},
		{TimestampTZT, "0001-01-01 00:00:00 BC", "0001-01-01 00:00:00+00 BC"},
		{TimeT, "12:00 pm", "12:00:00"},
		{TimeT, "12:00 am", "00:00:00"},
		{TimeT, "1:05pm", "13:05:00"},
		{TimeT, "1200", "12:00:00"},
		{TimeT, "2024-01-01 12:00", "12:00:00"},
		{TimeT, "12:00+05", "12:00:00"},
		{TimeT, "allballs", "00:00:00"},
		{TimeT, "12:00:60", "12:01:00"},
		{TimeT, "24:00:00", "24:00:00"},
		{TimeT, "12:34:56.1234567", "12:34:56.123457"},
		{TimeT, "040506.789", "04:05:06.789"},
		{IntervalT, "1 year 2 months 3 days 04:05:06.789", "1 year 2 mons 3 days 04:05:06.789"},
		{IntervalT, "-1 year -2 mons +3 days -04:05:06", "-1 years -2 mons +3 days -04:05:06"},
		{IntervalT, "1.5 years", "1 year 6 mons"},
		{IntervalT, "1.5 months", "1 mon 15 days"},
		{IntervalT, "1.5 weeks", "10 days 12:00:00"},
		{IntervalT, "P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"},
		{IntervalT, "P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"},
		{IntervalT, "PT1.5S", "00:00:01.5"},
		{IntervalT, "1-2", "1 year 2 mons"},
		{IntervalT, "3 4:05:06", "3 days 04:05:06"},
		{IntervalT, "@ 1 hour ago", "-01:00:00"},
		{IntervalT, "-1 2:03", "-1 days +02:03:00"},
		{IntervalT, "100000000 hours", "100000000:00:00"},
		{IntervalT, "5", "00:00:05"},
		{IntervalT, "-00:00:01.5", "-00:00:01.5"},
		{IntervalT, "1 century 1 decade 1 millennium", "1110 years"},
		{IntervalT, "10 secs 5 msec", "00:00:10.005"},
		{IntervalT, "45:30.5", "00:45:30.5"},
		{IntervalT, "2562047788:00:54.775807", "2562047788:00:54.775807"},
		{Bytea, `\x01FF`, `\x01ff`},
		{Bytea, `\x 01 ff `, `\x01ff`},
		{Bytea, `ab\000c`, `\x61620063`},
		{Bytea, `a\\b`, `\x615c62`},
		{Bytea, "", `\x`},
		{UUIDT, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{UUIDT, "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{UUIDT, "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{JSON, ` {"b" : 1, "a":2, "a":3} `, ` {"b" : 1, "a":2, "a":3} `},
		{JSON, `"\u0000"`, `"\u0000"`},
		{JSONB, `{"b":1,"a":[1, 2], "aa":{"x":1.50e1,"x":null}}`, `{"a": [1, 2], "b": 1, "aa": {"x": null}}`},
		{JSONB, `[1e-3, 0.10, -0, 1.0e2]`, `[0.001, 0.10, 0, 100]`},
		{JSONB, `"a\u00e9\n\ud83d\ude00"`, "\"a\u00e9\\n\U0001F600\""},
		{JSONB, `"ctl\u0001"`, `"ctl\u0001"`},
		{JSONB, ` [ true , false,null ] `, `[true, false, null]`},
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
		d2, err := DecodeBinary(c.t, EncodeBinary(c.t, d))
		if err != nil {
			t.Errorf("%s %q binary: %v", c.t, c.in, err)
			continue
		}
		if got := string(EncodeText(c.t, d2)); got != c.want {
			t.Errorf("%s %q binary round trip: got %q, want %q", c.t, c.in, got, c.want)
		}
	}
}

func TestNewTypesErrors(t *testing.T) {
	cases := []struct {
		t         T
		in        string
		code, msg string
	}{
		{DateT, "x", "22007", `invalid input syntax for type date: "x"`},
		{DateT, "2024-02-30", "22008", `date/time field value out of range: "2024-02-30"`},
		{DateT, "13/01/2024", "22008", `date/time field value out of range: "13/01/2024"`},
		{DateT, "0000-01-01", "22008", `date/time field value out of range: "0000-01-01"`},
		{DateT, "5874898-01-01", "22008", `date out of range: "5874898-01-01"`},
		{DateT, "4714-11-23 BC", "22008", `date out of range: "4714-11-23 BC"`},
		{TimestampT, "294277-01-01", "22008", `timestamp out of range: "294277-01-01"`},
		{TimestampT, "2024-01-02 03", "22007", `invalid input syntax for type timestamp: "2024-01-02 03"`},
		{TimestampT, "+infinity", "22007", `invalid input syntax for type timestamp: "+infinity"`},
		{TimestampTZT, "2024-01-02 03:04:05+25", "22009", `time zone displacement out of range: "2024-01-02 03:04:05+25"`},
		{TimestampTZT, "2024-01-02 03:04:05 foo", "22007", `invalid input syntax for type timestamp with time zone: "2024-01-02 03:04:05 foo"`},
		{TimeT, "24:00:01", "22008", `date/time field value out of range: "24:00:01"`},
		{TimeT, "23:59:60.5", "22008", `date/time field value out of range: "23:59:60.5"`},
		{TimeT, "12", "22007", `invalid input syntax for type time: "12"`},
		{TimeT, "04:05:06 America/New_York", "22007", `invalid input syntax for type time: "04:05:06 America/New_York"`},
		{IntervalT, "x", "22007", `invalid input syntax for type interval: "x"`},
		{IntervalT, "1 fortnight", "22007", `invalid input syntax for type interval: "1 fortnight"`},
		{IntervalT, "1 day 1 day", "22007", `invalid input syntax for type interval: "1 day 1 day"`},
		{IntervalT, "1 hour 02:00", "22007", `invalid input syntax for type interval: "1 hour 02:00"`},
		{IntervalT, "2147483648 days", "22015", `interval field value out of range: "2147483648 days"`},
		{IntervalT, "178956971 years", "22008", `interval out of range`},
		{IntervalT, "2562047789:00:00", "22015", `interval field value out of range: "2562047789:00:00"`},
		{Bytea, `\xzz`, "22023", `invalid hexadecimal digit: "z"`},
		{Bytea, `\x1`, "22023", `invalid hexadecimal data: odd number of digits`},
		{Bytea, `a\9`, "22P02", `invalid input syntax for type bytea`},
		{UUIDT, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "22P02", `invalid input syntax for type uuid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"`},
		{UUIDT, "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11", "22P02", `invalid input syntax for type uuid: "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11"`},
		{JSON, "x", "22P02", "invalid input syntax for type json"},
		{JSON, "01", "22P02", "invalid input syntax for type json"},
		{JSON, `{"a":1} x`, "22P02", "invalid input syntax for type json"},
		{JSONB, `"\u0000"`, "22P05", "unsupported Unicode escape sequence"},
		{JSONB, `"\ud800"`, "22P02", "invalid input syntax for type json"},
	}
	for _, c := range cases {
		_, err := DecodeText(c.t, []byte(c.in))
		if pgerr.Code(err) != c.code || err == nil || pgerr.From(err).Message != c.msg {
			t.Errorf("DecodeText(%s, %q) = %v, want %s %s", c.t, c.in, err, c.code, c.msg)
		}
	}
	details := map[string]string{
		`{"a":}`:   `Expected JSON value, but found "}".`,
		`{"a" 1}`:  `Expected ":", but found "1".`,
		`x`:        `Token "x" is invalid.`,
		`[1,2`:     `The input string ended unexpectedly.`,
		`01`:       `Token "01" is invalid.`,
		`"\x"`:     `Escape sequence "\x" is invalid.`,
		"\"a\nb\"": `Character with value 0x0a must be escaped.`,
		``:         `The input string ended unexpectedly.`,
		`[1 2]`:    `Expected "," or "]", but found "2".`,
	}
	for in, want := range details {
		_, err := DecodeText(JSON, []byte(in))
		if err == nil || pgerr.From(err).Detail != want {
			t.Errorf("json %q: %v (detail %q), want detail %q", in, err, pgerr.From(err).Detail, want)
		}
	}
}

// Binary forms checked against PostgreSQL's send functions.
func TestNewTypesBinary(t *testing.T) {
	cases := []struct {
		t       T
		in, hex string
	}{
		{DateT, "2024-01-02", "0000223f"},
		{DateT, "infinity", "7fffffff"},
		{TimeT, "12:34:56.789", "0000000a8be62608"},
		{TimestampT, "2024-01-02 03:04:05.12", "0002b0ec8517c800"},
		{TimestampTZT, "1999-12-31 23:59:59+00", "fffffffffff0bdc0"},
		{TimestampT, "-infinity", "8000000000000000"},
		{IntervalT, "1 year 2 mons 3 days 04:05:06.5", "000000036c9361a0000000030000000e"},
		{UUIDT, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc999c0b4ef8bb6d6bb9bd380a11"},
		{JSONB, `{"b":1,"a":2}`, "017b2261223a20322c202262223a20317d"},
		{Bytea, `\x01ff`, "01ff"},
	}
	for _, c := range cases {
		d, err := DecodeText(c.t, []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		b := EncodeBinary(c.t, d)
		if got := hex.EncodeToString(b); got != c.hex {
			t.Errorf("send %s %q = %s, want %s", c.t, c.in, got, c.hex)
		}
		d2, err := DecodeBinary(c.t, b)
		if err != nil || Compare(c.t, d, d2) != 0 {
			t.Errorf("recv %s %s = %v, %v", c.t, c.hex, d2, err)
		}
	}
	for _, c := range []struct {
		t    T
		b    []byte
		code string
	}{
		{DateT, []byte{1, 2}, "08P01"},
		{TimestampT, make([]byte, 9), "22P03"},
		{TimeT, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "22008"},
		{TimestampT, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, "22008"},
		{UUIDT, make([]byte, 15), "08P01"},
		{JSONB, []byte{2, '1'}, "XX000"},
	} {
		if _, err := DecodeBinary(c.t, c.b); pgerr.Code(err) != c.code {
			t.Errorf("DecodeBinary(%s, %x) = %v, want %s", c.t, c.b, err, c.code)
		}
	}
}

func TestCompareAndKeys(t *testing.T) {
	num := func(s string) Datum { d, _ := ParseNumeric(s); return d }
	iv := func(s string) Datum { d, _ := ParseInterval([]byte(s)); return d }
	cases := []struct {
		t    T
		a, b Datum
		want int
	}{
		{Int4, int64(1), int64(2), -1},
		{Float8, math.NaN(), math.Inf(1), 1},
		{Float8, math.Copysign(0, -1), 0.0, 0},
		{Numeric, num("1.50"), num("1.5"), 0},
		{Numeric, num("NaN"), num("Infinity"), 1},
		{Bpchar, "ab  ", "ab", 0},
		{Bpchar, "a ", "a\t", -1},
		{Text, "ab ", "ab", 1},
		{Text, "B", "a", -1},
		{Bool, false, true, -1},
		{Bytea, []byte{1}, []byte{1, 0}, -1},
		{DateT, DateNegInfinity, Date(-2451545), -1},
		{DateT, DateInfinity, Date(1000000), 1},
		{TimestampT, TimestampInfinity, Timestamp(0), 1},
		{IntervalT, iv("1 mon"), iv("30 days"), 0},
		{IntervalT, iv("1 day"), iv("24 hours"), 0},
		{IntervalT, iv("1 day"), iv("23:59:59.999999"), 1},
		{IntervalT, iv("-1 day 25:00"), iv("01:00"), 0},
		{UUIDT, UUID{1}, UUID{2}, -1},
		{JSONB, `{"a": 1}`, `{"a": 1}`, 0},
	}
	for _, c := range cases {
		if got := Compare(c.t, c.a, c.b); got != c.want {
			t.Errorf("Compare(%s, %v, %v) = %d, want %d", c.t, c.a, c.b, got, c.want)
		}
		if got := -Compare(c.t, c.b, c.a); got != c.want {
			t.Errorf("Compare(%s, %v, %v) reversed = %d, want %d", c.t, c.b, c.a, got, c.want)
		}
		ka, kb := AppendKey(nil, c.t, c.a), AppendKey(nil, c.t, c.b)
		if bytes.Equal(ka, kb) != (c.want == 0) {
			t.Errorf("AppendKey(%s, %v) = %x, (%v) = %x; want equal %v", c.t, c.a, ka, c.b, kb, c.want == 0)
		}
	}
	if !bytes.Equal(AppendKey(nil, Float8, math.NaN()), AppendKey(nil, Float8, -math.NaN())) {
		t.Error("all NaNs must share a key")
	}
	// Keys are self-delimiting: ("a", "bc") and ("ab", "c") differ.
	k1 := AppendKey(AppendKey(nil, Text, "a"), Text, "bc")
	k2 := AppendKey(AppendKey(nil, Text, "ab"), Text, "c")
	if bytes.Equal(k1, k2) {
		t.Error("composite keys collide")
	}
	if Comparable(JSON) || !Comparable(JSONB) || !Comparable(IntervalT) {
		t.Error("Comparable")
	}
}

func TestDatetimeCasts(t *testing.T) {
	cases := []struct {
		from T
		in   string
		to   T
		mod  int32
		want string
		code string
	}{
		{DateT, "2024-01-02", TimestampT, -1, "2024-01-02 00:00:00", ""},
		{DateT, "2024-01-02", TimestampTZT, -1, "2024-01-02 00:00:00+00", ""},
		{DateT, "5874897-12-31", TimestampT, -1, "", "22008"},
		{DateT, "infinity", TimestampT, -1, "infinity", ""},
		{TimestampT, "2024-01-02 03:04:05.5", DateT, -1, "2024-01-02", ""},
		{TimestampT, "0001-01-01 12:00 BC", DateT, -1, "0001-01-01 BC", ""},
		{TimestampT, "2024-01-02 03:04:05.5", TimeT, -1, "03:04:05.5", ""},
		{TimestampTZT, "2024-01-02 03:04:05.5+01", TimestampT, -1, "2024-01-02 02:04:05.5", ""},
		{TimestampT, "2024-01-02 03:04:05.5", TimestampTZT, -1, "2024-01-02 03:04:05.5+00", ""},
		{TimestampT, "2024-01-02 03:04:05.5555", TimestampT, 2, "2024-01-02 03:04:05.56", ""},
		{TimestampT, "2024-01-02 03:04:05.5", TimestampT, 0, "2024-01-02 03:04:06", ""},
		{TimeT, "03:04:05.5", IntervalT, -1, "03:04:05.5", ""},
		{TimeT, "23:59:59.7", TimeT, 0, "24:00:00", ""},
		{IntervalT, "1 day 03:04:05", TimeT, -1, "03:04:05", ""},
		{IntervalT, "-01:00", TimeT, -1, "23:00:00", ""},
		{IntervalT, "1.5555 sec", IntervalT, IntervalTypmod(2), "00:00:01.56", ""},
		{JSON, `{"b":1, "a":2}`, JSONB, -1, `{"a": 2, "b": 1}`, ""},
		{JSONB, `{"a": 1}`, JSON, -1, `{"a": 1}`, ""},
		{JSONB, `12.5`, Numeric, -1, "12.5", ""},
		{JSONB, `12.5`, Int4, -1, "13", ""},
		{JSONB, `true`, Bool, -1, "t", ""},
		{JSONB, `"x"`, Int4, -1, "", "22023"},
		{Bytea, `\x6869`, Text, -1, `\x6869`, ""},
		{Text, `hi`, Bytea, -1, `\x6869`, ""},
		{UUIDT, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Text, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ""},
		{Text, "2024-01-02", DateT, -1, "2024-01-02", ""},
		{Bpchar, "2024-01-02  ", DateT, -1, "2024-01-02", ""},
		{DateT, "2024-01-02", Text, -1, "2024-01-02", ""},
	}
	for _, c := range cases {
		d, err := DecodeText(c.from, []byte(c.in))
		if err != nil {
			t.Fatalf("%s %q: %v", c.from, c.in, err)
		}
		if !CanCast(c.from, c.to) {
			t.Errorf("CanCast(%s, %s) = false", c.from, c.to)
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
	if r, err := Cast(TimestampInfinity, TimestampT, TimeT, -1); r != nil || err != nil {
		t.Errorf("infinite timestamp to time = %v, %v; want NULL", r, err)
	}
	for _, no := range [][2]T{{Int4, Bytea}, {Bytea, Int4}, {DateT, TimeT}, {UUIDT, Bytea}, {JSON, Int4}, {DateT, Int4}} {
		if CanCast(no[0], no[1]) {
			t.Errorf("CanCast(%s, %s) = true", no[0], no[1])
		}
	}
	for _, c := range []struct {
		from, to T
		want     bool
	}{
		{DateT, TimestampT, true}, {DateT, TimestampTZT, true}, {TimestampT, TimestampTZT, true}, {TimeT, IntervalT, true},
		{TimestampTZT, TimestampT, false}, {TimestampT, DateT, false}, {JSON, JSONB, false}, {IntervalT, TimeT, false},
	} {
		if ImplicitCast(c.from, c.to) != c.want {
			t.Errorf("ImplicitCast(%s, %s) != %v", c.from, c.to, c.want)
		}
	}
}

func TestTypmodsAndNames(t *testing.T) {
	for _, c := range []struct {
		name string
		mods []int64
		want string
	}{
		{"timestamp", []int64{3}, "timestamp(3) without time zone"},
		{"timestamp with time zone", []int64{0}, "timestamp(0) with time zone"},
		{"timestamptz", nil, "timestamp with time zone"},
		{"time without time zone", []int64{9}, "time(6) without time zone"},
		{"interval", []int64{2}, "interval(2)"},
		{"date", nil, "date"},
		{"bytea", nil, "bytea"},
		{"uuid", nil, "uuid"},
		{"jsonb", nil, "jsonb"},
	} {
		typ, ok := ByName(c.name)
		if !ok {
			t.Fatalf("ByName(%q)", c.name)
		}
		typ, mod, err := MakeTypmod(typ, c.mods)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatType(typ, mod); got != c.want {
			t.Errorf("FormatType(%s%v) = %q, want %q", c.name, c.mods, got, c.want)
		}
	}
	if _, _, err := MakeTypmod(TimestampTZT, []int64{-1}); err == nil || pgerr.From(err).Message != "TIMESTAMP(-1) WITH TIME ZONE precision must not be negative" {
		t.Errorf("negative precision: %v", err)
	}
}

var newFuzzTypes = []T{DateT, TimeT, TimestampT, TimestampTZT, IntervalT, Bytea, UUIDT, JSON, JSONB}

// FuzzDecodeTextNew checks that every accepted input of the new types reads back
// as the same value from its text and binary output.
func FuzzDecodeTextNew(f *testing.F) {
	for _, s := range []string{"2024-01-02", "Jan 5 2024 12:00 pm", "1 year 2 mons -3 days 04:05:06.5", "P1Y2M",
		"12:34:56.789", "infinity", "0001-01-01 BC", `\x01ff`, `a\\b\001`, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
		`{"b":[1,2.50,{"a":null}],"a":"x\u00e9"}`, "2024-01-02 03:04:05+05:30", "@ 1 day ago", "J2451545"} {
		for k := range newFuzzTypes {
			f.Add(uint8(k), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		typ := newFuzzTypes[int(k)%len(newFuzzTypes)]
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
			t.Fatalf("%s: re-decode of %q (from %q): %v", typ, out, b, err)
		}
		if out2 := EncodeText(typ, d2); !bytes.Equal(out, out2) {
			t.Fatalf("%s: %q -> %q -> %q", typ, b, out, out2)
		}
		if Comparable(typ) && Compare(typ, d, d2) != 0 {
			t.Fatalf("%s: %q re-read as a different value", typ, b)
		}
		d3, err := DecodeBinary(typ, EncodeBinary(typ, d))
		if err != nil {
			t.Fatalf("%s: binary re-decode of %q: %v", typ, out, err)
		}
		if out3 := EncodeText(typ, d3); !bytes.Equal(out, out3) {
			t.Fatalf("%s: binary round trip %q -> %q", typ, out, out3)
		}
	})
}
