package copyfmt

import (
	"bytes"
	"encoding/binary"
)

// Writer formats rows for COPY TO. Each call returns the bytes of one CopyData
// message, valid until the next call.
type Writer struct {
	opts Options
	buf  []byte
}

// NewWriter returns a writer of opts' format.
func NewWriter(opts Options) *Writer { return &Writer{opts: opts} }

// Start returns what comes before the first row: the binary header, or the
// header line of column names (text and csv with HEADER); nil if nothing.
func (w *Writer) Start(names []string) []byte {
	switch {
	case w.opts.Format == Binary:
		w.buf = append(w.buf[:0], BinarySignature...)
		w.buf = binary.BigEndian.AppendUint32(w.buf, 0) // flags
		w.buf = binary.BigEndian.AppendUint32(w.buf, 0) // header extension length
		return w.buf
	case w.opts.Header:
		fields := make([][]byte, len(names))
		for i, n := range names {
			fields[i] = []byte(n)
		}
		saved := w.opts.ForceQuote
		all := w.opts.ForceQuoteAll
		w.opts.ForceQuote, w.opts.ForceQuoteAll = nil, false // the header is never force-quoted
		out := w.Row(fields)
		w.opts.ForceQuote, w.opts.ForceQuoteAll = saved, all
		return out
	}
	return nil
}

// End returns what follows the last row: the binary trailer, or nil.
func (w *Writer) End() []byte {
	if w.opts.Format == Binary {
		return []byte{0xff, 0xff}
	}
	return nil
}

// Row formats one row; a nil field is NULL. Binary fields are the values'
// binary (send) forms, text and csv fields their text output.
func (w *Writer) Row(fields [][]byte) []byte {
	w.buf = w.buf[:0]
	switch w.opts.Format {
	case Binary:
		w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(len(fields)))
		for _, f := range fields {
			if f == nil {
				w.buf = binary.BigEndian.AppendUint32(w.buf, 0xffffffff)
				continue
			}
			w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(f)))
			w.buf = append(w.buf, f...)
		}
		return w.buf
	case CSV:
		for i, f := range fields {
			if i > 0 {
				w.buf = append(w.buf, w.opts.Delimiter)
			}
			if f == nil {
				w.buf = append(w.buf, w.opts.Null...)
				continue
			}
			w.csvField(f, w.opts.ForceQuoteAll || has(w.opts.ForceQuote, i), len(fields) == 1)
		}
	default:
		for i, f := range fields {
			if i > 0 {
				w.buf = append(w.buf, w.opts.Delimiter)
			}
			if f == nil {
				w.buf = append(w.buf, w.opts.Null...)
				continue
			}
			w.textField(f)
		}
	}
	w.buf = append(w.buf, '\n')
	return w.buf
}

func (w *Writer) textField(f []byte) {
	for _, c := range f {
		switch c {
		case '\\':
			w.buf = append(w.buf, '\\', '\\')
		case '\b':
			w.buf = append(w.buf, '\\', 'b')
		case '\f':
			w.buf = append(w.buf, '\\', 'f')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		case '\v':
			w.buf = append(w.buf, '\\', 'v')
		default:
			if c == w.opts.Delimiter {
				w.buf = append(w.buf, '\\')
			}
			w.buf = append(w.buf, c)
		}
	}
}

// csvField writes f, quoted when forced or when it could be misread: it holds
// the delimiter, the quote, a line ending, equals the null string, or is \.
// alone in its row (the end-of-copy marker).
func (w *Writer) csvField(f []byte, force, single bool) {
	o := &w.opts
	quote := force || string(f) == o.Null || (single && string(f) == `\.`) ||
		bytes.IndexByte(f, o.Delimiter) >= 0 || bytes.IndexByte(f, o.Quote) >= 0 ||
		bytes.IndexByte(f, '\n') >= 0 || bytes.IndexByte(f, '\r') >= 0
	if !quote {
		w.buf = append(w.buf, f...)
		return
	}
	w.buf = append(w.buf, o.Quote)
	for _, c := range f {
		if c == o.Quote || c == o.Escape {
			w.buf = append(w.buf, o.Escape)
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, o.Quote)
}
