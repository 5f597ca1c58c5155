// Package copyfmt reads and writes the row formats of PostgreSQL's COPY: text,
// csv and binary.
//
// It works on raw field bytes, not on typed values: a Reader splits the COPY
// data stream into rows of fields (nil for NULL) and a Writer joins fields into
// the stream, so the package knows nothing of types, tables or transactions and
// can be fuzzed on its own. The caller converts fields with the type's text or
// binary input and output functions.
//
// A Reader is fed the stream in pieces as CopyData messages arrive (Feed) and
// hands out the complete rows it holds (Next), so a COPY of any size holds at
// most one message and one partial row in memory.
package copyfmt

import (
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Format is a COPY format.
type Format uint8

// COPY formats.
const (
	Text Format = iota
	CSV
	Binary
)

// Code is the format's code in CopyInResponse and CopyOutResponse (0 text, 1 binary).
func (f Format) Code() int16 {
	if f == Binary {
		return 1
	}
	return 0
}

// Options are a COPY statement's format options, validated and with their
// defaults filled in (Defaults).
type Options struct {
	Format    Format
	Delimiter byte
	Null      string
	Header    bool
	Quote     byte
	Escape    byte
	// ForceQuoteAll quotes every non-NULL value (FORCE_QUOTE *); ForceQuote
	// quotes the values of the columns set in it (COPY TO, csv).
	ForceQuoteAll bool
	ForceQuote    []bool
	// ForceNotNull reads the null string as an empty string, not NULL, in the
	// columns set in it (COPY FROM, csv); ForceNull reads a quoted null string
	// as NULL too.
	ForceNotNull []bool
	ForceNull    []bool
}

// Defaults fills in the options left unset (zero) with the format's defaults:
// tab and \N for text, comma, empty string and double quote for csv.
func (o *Options) Defaults(nullSet bool) {
	if o.Delimiter == 0 {
		if o.Format == CSV {
			o.Delimiter = ','
		} else {
			o.Delimiter = '\t'
		}
	}
	if !nullSet {
		if o.Format == CSV {
			o.Null = ""
		} else {
			o.Null = `\N`
		}
	}
	if o.Format == CSV {
		if o.Quote == 0 {
			o.Quote = '"'
		}
		if o.Escape == 0 {
			o.Escape = o.Quote
		}
	}
}

func badFormat(format string, args ...any) *pgerr.Error {
	return pgerr.New(pgerrcode.BadCopyFileFormat, format, args...)
}
