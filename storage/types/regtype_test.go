package types

import (
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

func TestRegtype(t *testing.T) {
	for _, c := range []struct {
		in   string
		oid  int64
		text string
		code string // SQLSTATE of the input error
	}{
		{in: "int4", oid: 23, text: "integer"},
		{in: " integer ", oid: 23, text: "integer"},
		{in: "pg_catalog.int8", oid: 20, text: "bigint"},
		{in: `"int4"`, oid: 23, text: "integer"},
		{in: `"integer"`, code: "42704"},
		{in: "_int4", oid: 1007, text: "integer[]"},
		{in: "integer[]", oid: 1007, text: "integer[]"},
		{in: "text[][]", oid: 1009, text: "text[]"},
		{in: "character varying(10)", oid: 1043, text: "character varying"},
		{in: "double precision", oid: 701, text: "double precision"},
		{in: "regtype", oid: 2206, text: "regtype"},
		{in: "_regtype", oid: 2211, text: "regtype[]"},
		{in: "23", oid: 23, text: "integer"},
		{in: "99999", oid: 99999, text: "99999"},
		{in: "-", oid: 0, text: "-"},
		{in: "nope", code: "42704"},
	} {
		d, err := DecodeText(Regtype, []byte(c.in))
		if c.code != "" {
			if pgerr.Code(err) != c.code {
				t.Errorf("%q: got %v, %v; want SQLSTATE %s", c.in, d, err, c.code)
			}
			continue
		}
		if err != nil || d != c.oid {
			t.Errorf("%q: got %v, %v; want %d", c.in, d, err, c.oid)
			continue
		}
		if got := string(EncodeText(Regtype, d)); got != c.text {
			t.Errorf("%q: text %q, want %q", c.in, got, c.text)
		}
		back, err := DecodeBinary(Regtype, EncodeBinary(Regtype, d))
		if err != nil || back != d {
			t.Errorf("%q: binary round trip %v, %v", c.in, back, err)
		}
	}
}
