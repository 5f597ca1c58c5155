// Package types holds the SQL value types that every layer of Augur shares: the
// planner types expressions with them, the executor computes Datums of them, the
// protocol layer sends them to clients in PostgreSQL's text and binary formats, and
// storage encodes them in rows.
//
// A type is identified by its PostgreSQL OID, because that is what clients see in
// RowDescription and ParameterDescription, and what they send in Parse: keeping the
// OID as the identity means no translation table sits between the wire and the
// planner. The codecs follow PostgreSQL 15 byte for byte (text output of float8 is the
// shortest round-trip form, numeric binary is the base-10000 digit format), so a
// driver cannot tell Augur from PostgreSQL by the values it receives.
//
// Every error a decoder returns is a *pgerr.Error with the SQLSTATE PostgreSQL uses
// (22P02 invalid_text_representation, 22003 numeric_value_out_of_range, 22P03
// invalid_binary_representation, 22021 character_not_in_repertoire, 22007
// invalid_datetime_format, 22008 datetime_field_overflow, 22015
// interval_field_overflow) and PostgreSQL's message.
//
// Datum representations (see Datum): bytea is []byte; date is Date (int32 days
// since 2000-01-01, PostgreSQL's epoch, with ±infinity as the int32 extremes);
// time is Time (int64 microseconds since midnight); timestamp and timestamptz are
// Timestamp and TimestampTZ (int64 microseconds since 2000-01-01 00:00:00 UTC,
// ±infinity as the int64 extremes); interval is Interval{Months, Days, Micros};
// uuid is UUID ([16]byte); json is a string holding the text as given; jsonb is a
// string holding jsonb's normalized text (keys sorted shorter-first then bytewise,
// last duplicate kept, numbers as numeric prints them, {"a": 1, "b": [1, 2]}
// spacing). Being PostgreSQL's own units and epoch, the datetime values are their
// binary wire form. Every base type has its array type with PostgreSQL's OID
// (int4[] is _int4, 1007); an array value is an *Array with its dimensions, lower
// bounds and elements (array.go).
//
// Datetime text follows PostgreSQL 15 with DateStyle ISO, MDY, IntervalStyle
// postgres and TimeZone UTC: Augur sessions run in UTC, so timestamptz prints
// "+00", a timestamptz read without a zone is UTC, and timestamp and timestamptz
// convert into each other unchanged. Input accepts PostgreSQL's formats (ISO,
// month names, MDY, BC, Julian days, 'epoch', 'infinity', 'now', 'today', numeric
// zones, common zone abbreviations, tz database names, ISO 8601 intervals).
//
// Compare orders every type as PostgreSQL's default btree operator class does
// (bpchar ignoring trailing spaces; json has no order); AppendKey gives the
// equality keys of hash joins, grouping and DISTINCT.
package types

import (
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// T is a SQL type. It is comparable; the zero T is invalid (OID 0).
type T struct{ oid uint32 }

// Type OIDs as PostgreSQL assigns them (pg_type.oid).
const (
	OIDBool    uint32 = 16
	OIDBytea   uint32 = 17
	OIDName    uint32 = 19
	OIDInt8    uint32 = 20
	OIDInt2    uint32 = 21
	OIDInt4    uint32 = 23
	OIDText    uint32 = 25
	OIDOid     uint32 = 26
	OIDFloat4  uint32 = 700
	OIDFloat8  uint32 = 701
	OIDUnknown uint32 = 705
	OIDBpchar  uint32 = 1042
	OIDVarchar uint32 = 1043
	OIDNumeric uint32 = 1700
	OIDVoid    uint32 = 2278
	OIDRegtype uint32 = 2206

	OIDJSON        uint32 = 114
	OIDDate        uint32 = 1082
	OIDTime        uint32 = 1083
	OIDTimestamp   uint32 = 1114
	OIDTimestampTZ uint32 = 1184
	OIDInterval    uint32 = 1186
	OIDUUID        uint32 = 2950
	OIDJSONB       uint32 = 3802
)

// The types Augur implements.
var (
	Bool    = T{OIDBool}
	Int2    = T{OIDInt2}
	Int4    = T{OIDInt4}
	Int8    = T{OIDInt8}
	Float4  = T{OIDFloat4}
	Float8  = T{OIDFloat8}
	Numeric = T{OIDNumeric}
	Text    = T{OIDText}
	Varchar = T{OIDVarchar}
	Bpchar  = T{OIDBpchar}
	Name    = T{OIDName}
	Oid     = T{OIDOid}
	Unknown = T{OIDUnknown}
	// Void is the result type of functions that return nothing (pg_sleep); its
	// only value is the empty string.
	Void = T{OIDVoid}

	Bytea = T{OIDBytea}
	JSON  = T{OIDJSON}
	JSONB = T{OIDJSONB}
	// The datetime and uuid types end in T: their plain names are their Datum
	// types (Date, Time, Timestamp, TimestampTZ, Interval, UUID).
	DateT        = T{OIDDate}
	TimeT        = T{OIDTime}
	TimestampT   = T{OIDTimestamp}
	TimestampTZT = T{OIDTimestampTZ}
	IntervalT    = T{OIDInterval}
	UUIDT        = T{OIDUUID}
	// Regtype is an oid that names a type: it prints as the type's name
	// and reads a type name (pg_typeof's result, 'int4'::regtype).
	Regtype = T{OIDRegtype}
	// Invalid is the zero T: "no type".
	Invalid = T{}
)

// Category groups types the way PostgreSQL's typcategory does; the binder uses it for
// implicit coercions and operator resolution.
type Category byte

// Categories, with PostgreSQL's letters.
const (
	CatInvalid Category = 0
	CatBool    Category = 'B'
	CatNumeric Category = 'N'
	CatString  Category = 'S'
	CatUnknown Category = 'X'
	CatPseudo  Category = 'P'
	// CatDateTime holds date, time, timestamp and timestamptz; CatTimespan is
	// interval; CatUser is PostgreSQL's "user-defined" category, where it puts
	// bytea, uuid, json and jsonb.
	CatDateTime Category = 'D'
	CatTimespan Category = 'T'
	CatUser     Category = 'U'
)

type info struct {
	name     string // pg_type.typname
	sqlName  string // format_type() spelling, used in error messages
	len      int16
	category Category
}

var infos = map[uint32]info{
	OIDBool:    {"bool", "boolean", 1, CatBool},
	OIDInt2:    {"int2", "smallint", 2, CatNumeric},
	OIDInt4:    {"int4", "integer", 4, CatNumeric},
	OIDInt8:    {"int8", "bigint", 8, CatNumeric},
	OIDFloat4:  {"float4", "real", 4, CatNumeric},
	OIDFloat8:  {"float8", "double precision", 8, CatNumeric},
	OIDNumeric: {"numeric", "numeric", -1, CatNumeric},
	OIDText:    {"text", "text", -1, CatString},
	OIDVarchar: {"varchar", "character varying", -1, CatString},
	OIDBpchar:  {"bpchar", "character", -1, CatString},
	OIDName:    {"name", "name", 64, CatString},
	OIDOid:     {"oid", "oid", 4, CatNumeric},
	OIDUnknown: {"unknown", "unknown", -2, CatUnknown},
	OIDVoid:    {"void", "void", 4, CatPseudo},
	OIDRegtype: {"regtype", "regtype", 4, CatNumeric},

	OIDBytea:       {"bytea", "bytea", -1, CatUser},
	OIDDate:        {"date", "date", 4, CatDateTime},
	OIDTime:        {"time", "time without time zone", 8, CatDateTime},
	OIDTimestamp:   {"timestamp", "timestamp without time zone", 8, CatDateTime},
	OIDTimestampTZ: {"timestamptz", "timestamp with time zone", 8, CatDateTime},
	OIDInterval:    {"interval", "interval", 16, CatTimespan},
	OIDUUID:        {"uuid", "uuid", 16, CatUser},
	OIDJSON:        {"json", "json", -1, CatUser},
	OIDJSONB:       {"jsonb", "jsonb", -1, CatUser},
}

// OID returns the PostgreSQL type OID.
func (t T) OID() uint32 { return t.oid }

// Name returns pg_type.typname ("int4", "text", ...).
func (t T) Name() string {
	if i, ok := infos[t.oid]; ok {
		return i.name
	}
	return "invalid"
}

// SQLName returns the name PostgreSQL's format_type gives ("integer", "double
// precision"), which is what its error messages say.
func (t T) SQLName() string {
	if i, ok := infos[t.oid]; ok {
		return i.sqlName
	}
	return "invalid"
}

// Len returns pg_type.typlen: the fixed size in bytes, -1 for variable length, -2
// for C strings (unknown).
func (t T) Len() int16 { return infos[t.oid].len }

// Category returns the type's category.
func (t T) Category() Category { return infos[t.oid].category }

// Valid reports whether t is a known type.
func (t T) Valid() bool { _, ok := infos[t.oid]; return ok }

// IsOid reports whether t is oid or regtype, whose values are oids.
func (t T) IsOid() bool { return t == Oid || t == Regtype }

// IsInteger reports whether t is int2, int4 or int8.
func (t T) IsInteger() bool { return t == Int2 || t == Int4 || t == Int8 }

// IsString reports whether t is a string type (text, varchar, bpchar, name).
func (t T) IsString() bool { return t.Category() == CatString }

func (t T) String() string { return t.Name() }

// ByOID returns the type with that OID.
func ByOID(oid uint32) (T, bool) {
	if _, ok := infos[oid]; ok {
		return T{oid}, true
	}
	return T{}, false
}

var aliases = map[string]T{
	"bool": Bool, "boolean": Bool,
	"int2": Int2, "smallint": Int2,
	"int4": Int4, "int": Int4, "integer": Int4,
	"int8": Int8, "bigint": Int8,
	"float4": Float4, "real": Float4,
	"float8": Float8, "double precision": Float8, "float": Float8,
	"numeric": Numeric, "decimal": Numeric, "dec": Numeric,
	"text":    Text,
	"varchar": Varchar, "character varying": Varchar, "char varying": Varchar,
	"bpchar": Bpchar, "character": Bpchar, "char": Bpchar,
	"name":    Name,
	"oid":     Oid,
	"unknown": Unknown,
	"void":    Void,
	"bytea":   Bytea,
	"date":    DateT,
	"time":    TimeT, "time without time zone": TimeT,
	"timestamp": TimestampT, "timestamp without time zone": TimestampT,
	"timestamptz": TimestampTZT, "timestamp with time zone": TimestampTZT,
	"interval": IntervalT,
	"uuid":     UUIDT,
	"json":     JSON,
	"jsonb":    JSONB,
	"regtype":  Regtype,
}

// ByTypname returns the type whose pg_type.typname is name ("int4", "_int4",
// "regtype").
func ByTypname(name string) (T, bool) {
	for oid, i := range infos {
		if i.name == name {
			return T{oid}, true
		}
		if a, ok := ArrayOf(T{oid}); ok && a.Name() == name {
			return a, true
		}
	}
	return T{}, false
}

// ParseRegtype is regtype's input function: a type's oid ("-" for 0), or its name as SQL
// writes it (integer, int4, pg_catalog.int4, "int4", _int4, integer[],
// character varying(10): type modifiers are read past).
func ParseRegtype(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return int64(n), nil
	}
	if s == "-" {
		return 0, nil
	}
	name := s
	if i := strings.IndexByte(name, '('); i >= 0 {
		if j := strings.IndexByte(name[i:], ')'); j >= 0 {
			name = name[:i] + name[i+j+1:]
		}
	}
	name = strings.TrimSpace(name)
	dims := 0
	for strings.HasSuffix(name, "[]") {
		name, dims = strings.TrimSpace(strings.TrimSuffix(name, "[]")), dims+1
	}
	quoted := strings.Contains(name, `"`)
	name = strings.ReplaceAll(name, `"`, "")
	t, ok := T{}, false
	if !quoted {
		t, ok = ByName(name)
	}
	if !ok {
		t, ok = ByTypname(strings.TrimPrefix(name, "pg_catalog."))
	}
	if ok && dims > 0 && !t.IsArray() {
		t, ok = ArrayOf(t)
	}
	if !ok {
		return 0, pgerr.New(pgerrcode.UndefinedObject, "type %q does not exist", name)
	}
	return int64(t.OID()), nil
}

// RegtypeText is regtype's output: the type's name as format_type prints it,
// "-" for oid 0, or the number for an oid that names no type.
func RegtypeText(oid int64) string {
	if oid == 0 {
		return "-"
	}
	if t, ok := ByOID(uint32(oid)); ok {
		return FormatType(t, -1)
	}
	return strconv.FormatInt(oid, 10)
}

// ByName returns the type with that name. It accepts PostgreSQL's aliases
// (integer, bigint, double precision, character varying, ...), an optional
// "pg_catalog." prefix, and is case-insensitive. Type modifiers such as (10,2) are
// not part of the name: see ParseTypeName.
func ByName(name string) (T, bool) {
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	n = strings.TrimPrefix(n, "pg_catalog.")
	t, ok := aliases[n]
	return t, ok
}
