package types

import "testing"

func TestJSONBCompare(t *testing.T) {
	// PostgreSQL's jsonb btree order, each value less than the next.
	ordered := []string{`[]`, `null`, `""`, `"a"`, `"b"`, `-5`, `1`, `10`, `false`, `true`,
		`[1]`, `[[1]]`, `[{"a": 1}]`, `[1, 2]`, `{}`, `{"aa": 1}`, `{"b": 1}`, `{"a": 1, "b": 2}`}
	for i := range ordered {
		for j := range ordered {
			a, err := ParseJSONB([]byte(ordered[i]))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := ParseJSONB([]byte(ordered[j]))
			want := cmpInt64(int64(i), int64(j))
			if got := JSONBCompare(a, b); got != want {
				t.Errorf("JSONBCompare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if JSONBCompare(`{"a": 1.0}`, `{"a": 1}`) != 0 || JSONBCanonical(`[1.50]`) != JSONBCanonical(`[1.5]`) {
		t.Error("numbers must compare by value")
	}
}

func TestJSONBOps(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"concat objects", JSONBConcat(`{"a": 1}`, `{"a": 2, "b": 3}`), `{"a": 2, "b": 3}`},
		{"concat scalar", JSONBConcat(`1`, `[2]`), `[1, 2]`},
		{"strip nulls", JSONStripNulls(`{"a": null, "b": [null, {"c": null}]}`, true), `{"b": [null, {}]}`},
		{"strip nulls json", JSONStripNulls(`{"a":null, "b" : 1}`, false), `{"b":1}`},
		{"pretty", JSONBPretty(`{"a": [1, {}]}`), "{\n    \"a\": [\n        1,\n        {\n        }\n    ]\n}"},
		{"to_json timestamptz", ToJSON(TimestampTZT, TimestampTZ(0)), `"2000-01-01T00:00:00+00:00"`},
		{"to_json NaN", ToJSON(Float8, nanFloat()), `"NaN"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{`{"a": 1, "b": 2}`, `{"a": 1}`, true},
		{`[1, [2, 3]]`, `[[3]]`, true},
		{`[1, 2]`, `1`, true},
		{`1`, `[1]`, false},
		{`{"a": [1]}`, `{"a": 1}`, false},
		{`[{"a": 1}]`, `{"a": 1}`, false},
	} {
		if got := JSONBContains(c.a, c.b); got != c.want {
			t.Errorf("%s @> %s = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func nanFloat() float64 {
	zero := 0.0
	return zero / zero
}

func TestLookupZone(t *testing.T) {
	local := int64(5*86400+12*3600) * 1_000_000 // 2000-01-06 12:00
	for _, c := range []struct {
		zone  string
		hours int64 // UTC minus local
	}{{"UTC", 0}, {"EST", 5}, {"+05:00", 5}, {"UTC+3", 3}, {"america/new_york", 5}, {"Asia/Tokyo", -9}} {
		z, err := LookupZone(c.zone)
		if err != nil {
			t.Fatalf("%s: %v", c.zone, err)
		}
		utc, err := z.UTC(local)
		if err != nil || utc-local != c.hours*3600*1_000_000 {
			t.Errorf("%s: UTC(local) - local = %v h (%v), want %d", c.zone, float64(utc-local)/3.6e9, err, c.hours)
		}
	}
	if _, err := LookupZone("Mars/Olympus"); err == nil {
		t.Error("unknown zone accepted")
	}
}

func TestFormatNumberPatterns(t *testing.T) {
	for _, c := range []struct{ v, f, want string }{
		{"-12", "999PR", " <12>"}, {"12", "999PR", "  12 "}, {"1234.5", "L9999.99", "  1234.50"},
		{"12345.678", "9.99EEEE", " 1.23e+04"}, {"485", "RN", "        CDLXXXV"}, {"1", "9th", " 1st"},
		{"12", "FM999TH", "12TH"},
	} {
		d, _ := ParseNumeric(c.v)
		got, err := FormatNumber(d, c.f)
		if err != nil || got != c.want {
			t.Errorf("to_char(%s, %q) = %q (%v), want %q", c.v, c.f, got, err, c.want)
		}
	}
	n, err := ParseNumber("12,454.8-", "99G999D9S")
	if err != nil || FormatNumeric(n) != "-12454.8" {
		t.Errorf("to_number = %v (%v)", n, err)
	}
}
