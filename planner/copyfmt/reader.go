package copyfmt

import (
	"bytes"
	"encoding/binary"
)

// BinarySignature starts a binary COPY stream.
var BinarySignature = []byte("PGCOPY\n\377\r\n\x00")

// Reader splits a COPY data stream into rows.
type Reader struct {
	opts    Options
	columns int // fields a binary row must have

	buf []byte // data fed and not consumed yet, from off
	off int

	line       int64 // number of the line (text, csv) or tuple (binary) last read
	ended      bool  // the end marker (\. or the binary trailer) was read
	endNext    bool  // the end marker follows the line last returned
	headerDone bool

	scratch []byte
	spans   []span
	fields  [][]byte
	raw     []byte // the last line read, for error messages
}

// empty is an empty, non-NULL field.
var empty = []byte{}

type span struct {
	start, end int // in scratch
	null       bool
}

// NewReader returns a reader of opts' format for rows of the given number of
// columns.
func NewReader(opts Options, columns int) *Reader {
	return &Reader{opts: opts, columns: columns}
}

// Feed appends the next piece of the stream. Data after the end marker is
// ignored, as PostgreSQL ignores it.
func (r *Reader) Feed(p []byte) {
	if r.ended {
		if r.opts.Format == Binary && len(p) > 0 {
			r.buf = append(r.buf[:0], p...) // reported by Next
			r.off = 0
		}
		return
	}
	if r.off > 0 && r.off >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.off:])
		r.buf = r.buf[:n]
		r.off = 0
	}
	r.buf = append(r.buf, p...)
}

// Line is the number of the line (text, csv) or tuple (binary) last read:
// PostgreSQL's "line N" in the context of an error.
func (r *Reader) Line() int64 { return r.line }

// RawLine is the last line read (text, csv), as PostgreSQL quotes it in the
// context of a format error.
func (r *Reader) RawLine() []byte { return r.raw }

// Next returns the next complete row's fields (nil for NULL); they stay valid
// until the next call. It returns nil fields and no error when it needs more
// data, or, with final set (the stream is complete), when the stream has ended.
func (r *Reader) Next(final bool) ([][]byte, error) {
	if r.opts.Format == Binary {
		return r.nextBinary(final)
	}
	for {
		if r.ended {
			return nil, nil
		}
		line, ok, err := r.nextLine(final)
		if err != nil || !ok {
			return nil, err
		}
		if line == nil { // the end marker
			return nil, nil
		}
		r.line++
		r.raw = line
		if r.opts.Header && !r.headerDone {
			r.headerDone = true
			continue
		}
		if r.opts.Format == CSV {
			return r.splitCSV(line)
		}
		return r.splitText(line), nil
	}
}

// nextLine returns the next line without its line ending; nil with ok set for
// the end-of-copy marker; ok false when a complete line is not there yet.
func (r *Reader) nextLine(final bool) (line []byte, ok bool, err error) {
	if r.endNext {
		r.ended = true
		r.buf, r.off = nil, 0
		return nil, true, nil
	}
	data := r.buf[r.off:]
	csv := r.opts.Format == CSV
	inQuote := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case csv && c == r.opts.Quote && !inQuote:
			inQuote = true
		case csv && inQuote && c == r.opts.Escape && r.opts.Escape != r.opts.Quote && i+1 < len(data) &&
			(data[i+1] == r.opts.Quote || data[i+1] == r.opts.Escape):
			i++
		case csv && inQuote && c == r.opts.Quote:
			inQuote = false
		case inQuote:
		case c == '\n' || c == '\r':
			end := i
			next := i + 1
			if c == '\r' {
				if next == len(data) && !final {
					return nil, false, nil // \r\n may be split across messages
				}
				if next < len(data) && data[next] == '\n' {
					next++
				}
			}
			r.off += next
			return data[:end], true, nil
		case c == '\\' && (!csv || i == 0):
			if i+1 >= len(data) {
				if !final {
					return nil, false, nil
				}
				continue
			}
			if data[i+1] != '.' {
				if !csv {
					i++ // a backslash escapes the next byte, a newline too
				}
				continue
			}
			// \. ends the data when a line ending (or the end) follows.
			j := i + 2
			if j == len(data) && !final {
				return nil, false, nil
			}
			if j < len(data) && data[j] == '\r' {
				j++
				if j == len(data) && !final {
					return nil, false, nil
				}
			}
			if j < len(data) && data[j] != '\n' && data[j-1] != '\r' {
				if csv {
					continue
				}
				return nil, false, badFormat("end-of-copy marker corrupt")
			}
			if i > 0 {
				// The bytes before \. form the last line.
				r.endNext = true
				r.off += i
				return data[:i], true, nil
			}
			r.ended = true
			r.buf, r.off = nil, 0
			return nil, true, nil
		}
	}
	if !final {
		return nil, false, nil
	}
	if len(data) == 0 {
		return nil, false, nil
	}
	if inQuote {
		r.line++
		r.raw = data
		return nil, false, badFormat("unterminated CSV quoted field")
	}
	r.off += len(data)
	return data, true, nil
}

func (r *Reader) finishFields() [][]byte {
	r.fields = r.fields[:0]
	for _, s := range r.spans {
		if s.null {
			r.fields = append(r.fields, nil)
		} else if s.start == s.end {
			r.fields = append(r.fields, empty) // not nil: nil is NULL
		} else {
			r.fields = append(r.fields, r.scratch[s.start:s.end:s.end])
		}
	}
	return r.fields
}

// splitText splits a text-format line into fields, undoing backslash escapes.
func (r *Reader) splitText(line []byte) [][]byte {
	r.scratch, r.spans = r.scratch[:0], r.spans[:0]
	delim := r.opts.Delimiter
	null := r.opts.Null
	rawStart := 0
	start := 0
	for i := 0; ; i++ {
		if i == len(line) || line[i] == delim {
			raw := line[rawStart:i]
			r.spans = append(r.spans, span{start: start, end: len(r.scratch), null: string(raw) == null})
			if i == len(line) {
				return r.finishFields()
			}
			rawStart, start = i+1, len(r.scratch)
			continue
		}
		c := line[i]
		if c != '\\' || i+1 == len(line) {
			r.scratch = append(r.scratch, c)
			continue
		}
		i++
		c = line[i]
		switch {
		case c >= '0' && c <= '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(line[i]-'0')
			}
			r.scratch = append(r.scratch, byte(v))
		case c == 'x' && i+1 < len(line) && isHex(line[i+1]):
			i++
			v := hexVal(line[i])
			if i+1 < len(line) && isHex(line[i+1]) {
				i++
				v = v*16 + hexVal(line[i])
			}
			r.scratch = append(r.scratch, v)
		case c == 'b':
			r.scratch = append(r.scratch, '\b')
		case c == 'f':
			r.scratch = append(r.scratch, '\f')
		case c == 'n':
			r.scratch = append(r.scratch, '\n')
		case c == 'r':
			r.scratch = append(r.scratch, '\r')
		case c == 't':
			r.scratch = append(r.scratch, '\t')
		case c == 'v':
			r.scratch = append(r.scratch, '\v')
		default:
			r.scratch = append(r.scratch, c)
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// splitCSV splits a csv line (which may hold quoted line endings) into fields.
func (r *Reader) splitCSV(line []byte) ([][]byte, error) {
	r.scratch, r.spans = r.scratch[:0], r.spans[:0]
	o := &r.opts
	col := 0
	i := 0
	for {
		start := len(r.scratch)
		rawStart := i
		quoted := false
		inQuote := false
		for i < len(line) {
			c := line[i]
			if inQuote {
				switch {
				case c == o.Escape && i+1 < len(line) && (line[i+1] == o.Quote || line[i+1] == o.Escape) &&
					(o.Escape != o.Quote || line[i+1] == o.Quote):
					r.scratch = append(r.scratch, line[i+1])
					i += 2
				case c == o.Quote:
					inQuote = false
					i++
				default:
					r.scratch = append(r.scratch, c)
					i++
				}
				continue
			}
			if c == o.Delimiter {
				break
			}
			if c == o.Quote {
				inQuote, quoted = true, true
				i++
				continue
			}
			r.scratch = append(r.scratch, c)
			i++
		}
		if inQuote {
			return nil, badFormat("unterminated CSV quoted field")
		}
		val := string(r.scratch[start:])
		null := false
		switch {
		case !quoted && string(line[rawStart:i]) == o.Null:
			null = !has(o.ForceNotNull, col)
		case quoted && val == o.Null:
			null = has(o.ForceNull, col)
		}
		r.spans = append(r.spans, span{start: start, end: len(r.scratch), null: null})
		col++
		if i >= len(line) {
			return r.finishFields(), nil
		}
		i++ // the delimiter
	}
}

func has(set []bool, i int) bool { return i < len(set) && set[i] }

// nextBinary reads the header (once) and the next tuple.
func (r *Reader) nextBinary(final bool) ([][]byte, error) {
	if r.ended {
		if r.off < len(r.buf) {
			r.buf, r.off = nil, 0
			return nil, badFormat("received copy data after EOF marker")
		}
		return nil, nil
	}
	data := r.buf[r.off:]
	need := func() ([][]byte, error) {
		if final {
			return nil, badFormat("unexpected EOF in COPY data")
		}
		return nil, nil
	}
	if !r.headerDone {
		if len(data) < len(BinarySignature) {
			if final || !bytes.HasPrefix(BinarySignature, data) {
				return nil, badFormat("COPY file signature not recognized")
			}
			return nil, nil
		}
		if !bytes.Equal(data[:len(BinarySignature)], BinarySignature) {
			return nil, badFormat("COPY file signature not recognized")
		}
		p := len(BinarySignature)
		if len(data) < p+4 {
			if final {
				return nil, badFormat("invalid COPY file header (missing flags)")
			}
			return nil, nil
		}
		flags := binary.BigEndian.Uint32(data[p:])
		if flags&(1<<16) != 0 {
			return nil, badFormat("invalid COPY file header (WITH OIDS)")
		}
		if flags&^uint32(0xffff)&^(1<<16) != 0 {
			return nil, badFormat("unrecognized critical flags in COPY file header")
		}
		p += 4
		if len(data) < p+4 {
			if final {
				return nil, badFormat("invalid COPY file header (missing length)")
			}
			return nil, nil
		}
		ext := int(int32(binary.BigEndian.Uint32(data[p:])))
		p += 4
		if ext < 0 {
			return nil, badFormat("invalid COPY file header (missing length)")
		}
		if len(data) < p+ext {
			if final {
				return nil, badFormat("invalid COPY file header (wrong length)")
			}
			return nil, nil
		}
		r.off += p + ext
		r.headerDone = true
		data = r.buf[r.off:]
	}
	if len(data) == 0 {
		if final {
			return nil, nil // PostgreSQL accepts a stream without the trailer
		}
		return nil, nil
	}
	if len(data) < 2 {
		return need()
	}
	count := int(int16(binary.BigEndian.Uint16(data)))
	if count == -1 {
		r.line++
		r.ended = true
		rest := len(data) > 2
		r.buf, r.off = nil, 0
		if rest {
			return nil, badFormat("received copy data after EOF marker")
		}
		return nil, nil
	}
	if count != r.columns {
		r.line++
		return nil, badFormat("row field count is %d, expected %d", count, r.columns)
	}
	// Check that the whole tuple is there before consuming it.
	p := 2
	r.spans = r.spans[:0]
	for k := 0; k < count; k++ {
		if len(data) < p+4 {
			return need()
		}
		n := int(int32(binary.BigEndian.Uint32(data[p:])))
		p += 4
		if n < -1 {
			r.line++
			return nil, badFormat("invalid field size")
		}
		if n == -1 {
			r.spans = append(r.spans, span{null: true})
			continue
		}
		if len(data) < p+n {
			return need()
		}
		r.spans = append(r.spans, span{start: p, end: p + n})
		p += n
	}
	r.line++
	r.fields = r.fields[:0]
	for _, s := range r.spans {
		if s.null {
			r.fields = append(r.fields, nil)
		} else if s.start == s.end {
			r.fields = append(r.fields, empty)
		} else {
			r.fields = append(r.fields, data[s.start:s.end:s.end])
		}
	}
	r.off += p
	return r.fields, nil
}
