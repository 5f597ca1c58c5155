package types

import (
	"bytes"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

func arrT(t *testing.T, elem T) T {
	t.Helper()
	a, ok := ArrayOf(elem)
	if !ok {
		t.Fatalf("no array type for %s", elem)
	}
	return a
}

func TestArrayTypes(t *testing.T) {
	for _, c := range []struct {
		elem    T
		oid     uint32
		name    string
		sqlName string
	}{
		{Int4, 1007, "_int4", "integer[]"},
		{Text, 1009, "_text", "text[]"},
		{Int8, 1016, "_int8", "bigint[]"},
		{Bool, 1000, "_bool", "boolean[]"},
		{Varchar, 1015, "_varchar", "character varying[]"},
		{TimestampTZT, 1185, "_timestamptz", "timestamp with time zone[]"},
		{JSONB, 3807, "_jsonb", "jsonb[]"},
		{UUIDT, 2951, "_uuid", "uuid[]"},
	} {
		a := arrT(t, c.elem)
		if a.OID() != c.oid || a.Name() != c.name || a.SQLName() != c.sqlName || !a.IsArray() || a.Elem() != c.elem || a.Category() != CatArray {
			t.Errorf("%s[]: got oid %d name %s sql %s elem %s", c.elem, a.OID(), a.Name(), a.SQLName(), a.Elem())
		}
		if byName, ok := ByName(c.name); !ok || byName != a {
			t.Errorf("ByName(%q) = %v, %v", c.name, byName, ok)
		}
	}
	// Every base type has an array type, and arrays of arrays do not exist.
	for oid := range infos {
		bt := T{oid}
		if bt.IsArray() || bt == Unknown || bt == Void {
			continue
		}
		if _, ok := ArrayOf(bt); !ok {
			t.Errorf("%s has no array type", bt)
		}
	}
	if _, ok := ArrayOf(arrT(t, Int4)); ok {
		t.Error("int4[][] must be int4[], not a type of its own")
	}
}

func TestArrayText(t *testing.T) {
	for _, c := range []struct {
		elem    T
		in, out string
	}{
		{Int4, "{1,2,3}", "{1,2,3}"},
		{Int4, "{}", "{}"},
		{Int4, "  { 1 , 2 }  ", "{1,2}"},
		{Int4, "{{1,2},{3,4}}", "{{1,2},{3,4}}"},
		{Int4, "[0:1]={1,2}", "[0:1]={1,2}"},
		{Int4, "[1:2]={1,2}", "{1,2}"},
		{Int4, " [1:2] = { 1 , 2 } ", "{1,2}"},
		{Int4, "[-2:-1][3:4]={{1,2},{3,4}}", "[-2:-1][3:4]={{1,2},{3,4}}"},
		{Int4, "{1,NULL,null}", "{1,NULL,NULL}"},
		{Text, `{ a b , "c\\d" , "", NULL, "NULL", nulL}`, `{"a b","c\\d","",NULL,"NULL",NULL}`},
		{Text, `{a\ }`, `{"a "}`},
		{Text, `{"a{","b,c","x\"y",z}`, `{"a{","b,c","x\"y",z}`},
		{Text, `{\NULL}`, `{"NULL"}`},
		{Bool, "{t,false,yes}", "{t,f,t}"},
		{Bytea, `{"\\x0102"}`, `{"\\x0102"}`},
		{Float8, "{1.5,NaN,-Infinity}", "{1.5,NaN,-Infinity}"},
		{DateT, "{2024-01-02}", "{2024-01-02}"},
		{TimestampT, `{"2024-01-02 03:04:05"}`, `{"2024-01-02 03:04:05"}`},
		{Numeric, "{1.50,2}", "{1.50,2}"},
	} {
		at := arrT(t, c.elem)
		d, err := DecodeText(at, []byte(c.in))
		if err != nil {
			t.Errorf("%s %q: %v", at, c.in, err)
			continue
		}
		if got := string(EncodeText(at, d)); got != c.out {
			t.Errorf("%s %q: got %q, want %q", at, c.in, got, c.out)
		}
		bin := EncodeBinary(at, d)
		d2, err := DecodeBinary(at, bin)
		if err != nil {
			t.Errorf("%s %q: binary: %v", at, c.in, err)
			continue
		}
		if Compare(at, d, d2) != 0 || !bytes.Equal(AppendKey(nil, at, d), AppendKey(nil, at, d2)) {
			t.Errorf("%s %q: binary round trip changed the value", at, c.in)
		}
	}
}

func TestArrayTextErrors(t *testing.T) {
	for _, c := range []struct {
		elem        T
		in, code, d string
	}{
		{Int4, "{1,2", "22P02", "Unexpected end of input."},
		{Int4, "{1,,2}", "22P02", `Unexpected "," character.`},
		{Int4, "{{},{}}", "22P02", `Unexpected "}" character.`},
		{Int4, "{{1},2}", "22P02", "Unexpected array element."},
		{Int4, "{{1,2},{3}}", "22P02", "Multidimensional arrays must have sub-arrays with matching dimensions."},
		{Int4, "{1}x", "22P02", "Junk after closing right brace."},
		{Int4, "1", "22P02", `Array value must start with "{" or dimension information.`},
		{Int4, "[1:2]={1}", "22P02", "Specified array dimensions do not match array contents."},
		{Int4, "[2:1]={}", "2202E", ""},
		{Int4, "[1:2]{1,2}", "22P02", `Missing "=" after array dimensions.`},
		{Text, `{"a"b}`, "22P02", "Unexpected array element."},
		{Text, `{a"b}`, "22P02", "Unexpected array element."},
		{Int4, "{a}", "22P02", ""},
		{Int4, "{99999999999}", "22003", ""},
		{Int4, "{{{{{{{1}}}}}}}", "54000", ""},
	} {
		_, err := DecodeText(arrT(t, c.elem), []byte(c.in))
		if pgerr.Code(err) != c.code {
			t.Errorf("%q: got %v, want %s", c.in, err, c.code)
			continue
		}
		if c.d != "" && pgerr.From(err).Detail != c.d {
			t.Errorf("%q: detail %q, want %q", c.in, pgerr.From(err).Detail, c.d)
		}
	}
}

func TestArrayBinary(t *testing.T) {
	at := arrT(t, Int4)
	// '[0:1]={7,NULL}' as PostgreSQL sends it.
	want := []byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 0,
		0, 0, 0, 4, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff}
	d, _ := DecodeText(at, []byte("[0:1]={7,NULL}"))
	if got := EncodeBinary(at, d); !bytes.Equal(got, want) {
		t.Fatalf("send: %x, want %x", got, want)
	}
	empty, _ := DecodeText(at, []byte("{}"))
	if got := EncodeBinary(at, empty); !bytes.Equal(got, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23}) {
		t.Fatalf("send of {}: %x", got)
	}
	for _, c := range []struct {
		in   []byte
		code string
	}{
		{want[:10], "08P01"},
		{append(append([]byte{}, want[:8]...), 0, 0, 0, 25), "42804"},                               // text elements
		{append([]byte{0, 0, 0, 7}, want[4:]...), "54000"},                                          // 7 dimensions
		{append([]byte{0, 0, 0, 1, 0, 0, 0, 2}, want[8:]...), "22P03"},                              // bad flags
		{append(append([]byte{}, want...), 0), "22P03"},                                             // trailing byte
		{append(append([]byte{}, want[:20]...), 0, 0, 0, 2, 0, 7, 0xff, 0xff, 0xff, 0xff), "08P01"}, // 2-byte int4
	} {
		if _, err := DecodeBinary(at, c.in); pgerr.Code(err) != c.code {
			t.Errorf("%x: got %v, want %s", c.in, err, c.code)
		}
	}
}

func TestArrayCompare(t *testing.T) {
	at := arrT(t, Int4)
	v := func(s string) Datum {
		d, err := DecodeText(at, []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Each is less than the next, as PostgreSQL's btree orders them.
	order := []string{"{}", "{1}", "{1,2}", "[0:1]={1,3}", "{1,3}", "{{1,3}}", "{1,NULL}", "{2}", "{NULL}"}
	for i := range order {
		for j := range order {
			want := cmpInt64(int64(i), int64(j))
			if got := Compare(at, v(order[i]), v(order[j])); got != want {
				t.Errorf("compare %s %s = %d, want %d", order[i], order[j], got, want)
			}
			if keq := bytes.Equal(AppendKey(nil, at, v(order[i])), AppendKey(nil, at, v(order[j]))); keq != (i == j) {
				t.Errorf("keys of %s and %s: equal %v", order[i], order[j], keq)
			}
		}
	}
}

func TestArrayCast(t *testing.T) {
	i4, txt, vc := arrT(t, Int4), arrT(t, Text), arrT(t, Varchar)
	d, _ := DecodeText(txt, []byte("{1,NULL,3}"))
	r, err := Cast(d, txt, i4, -1)
	if err != nil || string(EncodeText(i4, r)) != "{1,NULL,3}" {
		t.Fatalf("text[] -> int4[]: %v %v", r, err)
	}
	s, err := Cast(r, i4, Text, -1)
	if err != nil || s != "{1,NULL,3}" {
		t.Fatalf("int4[] -> text: %v %v", s, err)
	}
	long, _ := DecodeText(txt, []byte("{abcdef,ab}"))
	_, typmod, _ := MakeTypmod(vc, []int64{3})
	r, err = Cast(long, txt, vc, typmod)
	if err != nil || string(EncodeText(vc, r)) != "{abc,ab}" {
		t.Fatalf("text[] -> varchar(3)[]: %v %v", r, err)
	}
	if _, err := ApplyTypmod(long, vc, typmod, false); pgerr.Code(err) != "22001" {
		t.Fatalf("assignment to varchar(3)[]: %v", err)
	}
	if got := FormatType(vc, typmod); got != "character varying(3)[]" {
		t.Fatalf("FormatType: %s", got)
	}
	if !CanCast(i4, txt) || CanCast(i4, arrT(t, UUIDT)) || !CanCast(Text, i4) || CanCast(i4, Int4) {
		t.Fatal("CanCast of arrays")
	}
	bad, _ := DecodeText(txt, []byte("{x}"))
	if _, err := Cast(bad, txt, i4, -1); pgerr.Code(err) != "22P02" {
		t.Fatalf("{x} -> int4[]: %v", err)
	}
}

var fuzzArrayElems = []T{Int4, Text, Bool, Float8, Numeric, Bytea, DateT, Varchar, JSONB}

func FuzzArrayText(f *testing.F) {
	for _, s := range []string{"{1,2}", "{}", `{"a b",NULL,"\\"}`, "[0:1]={1,2}", "{{1,2},{3,4}}", `{a\ ,"x"}`, "{{}}"} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(1), []byte(s))
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		at, _ := ArrayOf(fuzzArrayElems[int(k)%len(fuzzArrayElems)])
		d, err := DecodeText(at, b)
		if err != nil {
			if _, ok := err.(*pgerr.Error); !ok {
				t.Fatalf("non-pgerr error %T", err)
			}
			return
		}
		out := EncodeText(at, d)
		d2, err := DecodeText(at, out)
		if err != nil {
			t.Fatalf("%s: re-decode of %q: %v", at, out, err)
		}
		if out2 := EncodeText(at, d2); !bytes.Equal(out, out2) {
			t.Fatalf("%s: %q -> %q -> %q", at, b, out, out2)
		}
		d3, err := DecodeBinary(at, EncodeBinary(at, d))
		if err != nil {
			t.Fatalf("%s: binary re-decode of %q: %v", at, out, err)
		}
		if out3 := EncodeText(at, d3); !bytes.Equal(out, out3) {
			t.Fatalf("%s: binary round trip %q -> %q", at, out, out3)
		}
	})
}

func FuzzArrayBinary(f *testing.F) {
	f.Add(uint8(0), []byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff})
	f.Add(uint8(1), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'a'})
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		at, _ := ArrayOf(fuzzArrayElems[int(k)%len(fuzzArrayElems)])
		d, err := DecodeBinary(at, b)
		if err != nil {
			if _, ok := err.(*pgerr.Error); !ok {
				t.Fatalf("non-pgerr error %T", err)
			}
			return
		}
		d2, err := DecodeBinary(at, EncodeBinary(at, d))
		if err != nil {
			t.Fatalf("%s: re-decode: %v", at, err)
		}
		if a, c := EncodeText(at, d), EncodeText(at, d2); !bytes.Equal(a, c) {
			t.Fatalf("%s: %q vs %q", at, a, c)
		}
	})
}
