package pgdialect

import (
	"strings"

	tidbparser "github.com/pingcap/tidb/pkg/parser"
)

// reserved holds PostgreSQL's reserved keywords and the type_func_name keywords
// that cannot start a column reference. The rewrite uses it to tell where an
// expression can start: a word in this set is never an identifier.
var reserved = setOf(
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
	"case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
	"current_date", "current_role", "current_time", "current_timestamp", "current_user",
	"default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false",
	"fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially",
	"intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
	"null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
	"returning", "select", "session_user", "some", "symmetric", "table", "then", "to",
	"trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
	"window", "with",
	// type_func_name keywords
	"authorization", "binary", "collation", "concurrently", "cross", "current_schema",
	"freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural",
	"notnull", "outer", "overlaps", "right", "similar", "tablesample", "verbose",
	// col_name keywords that only appear in special syntax
	"between", "exists", "extract", "overlay", "position", "substring", "trim", "values",
	"row", "interval", "setof",
	// statement words the rewrite must not take for identifiers
	"set", "update", "delete", "insert", "returning", "over", "filter", "escape",
)

// typeStarts are words that may begin a type name in a typed literal (type 'string').
var typeStarts = setOf(
	"int", "int2", "int4", "int8", "integer", "smallint", "bigint", "real", "float", "float4",
	"float8", "double", "numeric", "decimal", "dec", "text", "varchar", "char", "character",
	"bpchar", "name", "bool", "boolean", "oid", "date", "time", "timestamp", "timestamptz",
	"timetz", "interval", "bytea", "json", "jsonb", "uuid", "regclass", "regproc",
	"regprocedure", "regtype", "regnamespace", "regrole", "regoper", "inet", "cidr", "money",
	"xml", "bit", "varbit", "point", "tsvector", "tsquery", "pg_lsn", "macaddr",
)

// sqlValueFunctions are the keyword-spelled functions PostgreSQL calls without
// parentheses (SQLValueFunction in its grammar).
var sqlValueFunctions = setOf(
	"current_user", "session_user", "current_role", "user", "current_catalog",
	"current_schema", "current_date", "current_time", "current_timestamp", "localtime",
	"localtimestamp",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// IsReserved reports whether word (lower case) is a PostgreSQL reserved keyword or
// one that cannot be a column name.
func IsReserved(word string) bool { return reserved[word] }

// tidbReserved holds the words the TiDB grammar reserves: a PostgreSQL identifier
// spelled like one (key, index, rank, status...) must reach TiDB quoted.
var tidbReserved = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range tidbparser.Keywords {
		if k.Reserved {
			m[strings.ToLower(k.Word)] = true
		}
	}
	// Reserved in TiDB's grammar though not marked so in its keyword table.
	for _, w := range []string{"schema"} {
		m[w] = true
	}
	return m
}()

// tidbFuncKeywords are PostgreSQL function names that the TiDB grammar takes
// for keywords when a parenthesis follows; their calls go quoted.
var tidbFuncKeywords = map[string]bool{"cardinality": true}

// identPrev are the tokens after which a word is an identifier (a column, alias or
// table name) and never a keyword of the statement's syntax.
func identPrev(t Token) bool {
	switch t.Kind {
	case Op:
		return true
	case Punct:
		return t.Val == "," || t.Val == "(" || t.Val == "."
	case Ident:
		switch t.Val {
		case "select", "where", "and", "or", "not", "by", "on", "then", "else", "when",
			"set", "as", "distinct", "having", "returning", "from", "join", "update", "into",
			"is", "in", "like", "ilike", "between", "case", "all", "any", "some":
			return true
		}
	}
	return false
}
