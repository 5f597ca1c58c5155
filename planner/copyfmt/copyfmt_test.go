package copyfmt

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

// readAll feeds data to a reader in pieces of chunk bytes and returns its rows
// (NULL as "<NULL>").
func readAll(t testing.TB, opts Options, cols int, data []byte, chunk int) ([][]string, error) {
	r := NewReader(opts, cols)
	var out [][]string
	collect := func(final bool) error {
		for {
			fields, err := r.Next(final)
			if err != nil {
				return err
			}
			if fields == nil {
				return nil
			}
			row := make([]string, len(fields))
			for i, f := range fields {
				if f == nil {
					row[i] = "<NULL>"
				} else {
					row[i] = string(f)
				}
			}
			out = append(out, row)
		}
	}
	for len(data) > 0 {
		n := min(chunk, len(data))
		r.Feed(data[:n])
		data = data[n:]
		if err := collect(false); err != nil {
			return out, err
		}
	}
	return out, collect(true)
}

func opts(f Format, mod func(*Options)) Options {
	o := Options{Format: f}
	if mod != nil {
		mod(&o)
	}
	o.Defaults(false)
	return o
}

func TestReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		cols int
		in   string
		want [][]string
		err  string // SQLSTATE and message
	}{
		{"text", opts(Text, nil), 2, "1\ta\n2\t\\N\n", [][]string{{"1", "a"}, {"2", "<NULL>"}}, ""},
		{"text escapes", opts(Text, nil), 1, `a\tb\\c\nd\101\x41\q` + "\n", [][]string{{"a\tb\\c\nd" + "AAq"}}, ""},
		{"text no final newline", opts(Text, nil), 1, "x\ny", [][]string{{"x"}, {"y"}}, ""},
		{"text crlf", opts(Text, nil), 2, "1\ta\r\n2\tb\r\n", [][]string{{"1", "a"}, {"2", "b"}}, ""},
		{"text end marker", opts(Text, nil), 1, "a\n\\.\nignored\n", [][]string{{"a"}}, ""},
		{"text end marker corrupt", opts(Text, nil), 1, "a\n\\.x\n", [][]string{{"a"}}, "22P04 end-of-copy marker corrupt"},
		{"text escaped newline", opts(Text, nil), 1, "a\\\nb\n", [][]string{{"a\nb"}}, ""},
		{"text header", opts(Text, func(o *Options) { o.Header = true }), 1, "h\nv\n", [][]string{{"v"}}, ""},
		{"text delimiter", opts(Text, func(o *Options) { o.Delimiter = '|' }), 2, "a|b\\|c\n", [][]string{{"a", "b|c"}}, ""},
		{"csv", opts(CSV, nil), 3, "1,\"a,b\",\n2,\"\",x\n", [][]string{{"1", "a,b", "<NULL>"}, {"2", "", "x"}}, ""},
		{"csv quotes", opts(CSV, nil), 1, "\"say \"\"hi\"\"\"\n", [][]string{{`say "hi"`}}, ""},
		{"csv multiline", opts(CSV, nil), 2, "1,\"x\ny\"\n2,z\n", [][]string{{"1", "x\ny"}, {"2", "z"}}, ""},
		{"csv escape", opts(CSV, func(o *Options) { o.Escape = '\\' }), 1, "\"a\\\"b\"\n", [][]string{{`a"b`}}, ""},
		{"csv unterminated", opts(CSV, nil), 1, "\"abc\n", nil, "22P04 unterminated CSV quoted field"},
		{"csv force not null", opts(CSV, func(o *Options) { o.ForceNotNull = []bool{true, false} }), 2, ",\n", [][]string{{"", "<NULL>"}}, ""},
		{"csv force null", opts(CSV, func(o *Options) { o.ForceNull = []bool{true} }), 1, "\"\"\n", [][]string{{"<NULL>"}}, ""},
		{"csv end marker", opts(CSV, nil), 1, "a\n\\.\n", [][]string{{"a"}}, ""},
		{"csv header", opts(CSV, func(o *Options) { o.Header = true }), 1, "h\n\"v\"\n", [][]string{{"v"}}, ""},
	} {
		for _, chunk := range []int{1, 3, 1 << 20} {
			got, err := readAll(t, tc.opts, tc.cols, []byte(tc.in), chunk)
			if tc.err != "" {
				pe, ok := err.(*pgerr.Error)
				if !ok || pe.Code+" "+pe.Message != tc.err {
					t.Errorf("%s (chunk %d): error %v, want %s", tc.name, chunk, err, tc.err)
				}
				continue
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (chunk %d): %q, %v; want %q", tc.name, chunk, got, err, tc.want)
			}
		}
	}
}

func binaryStream(rows ...[][]byte) []byte {
	w := NewWriter(Options{Format: Binary})
	out := append([]byte(nil), w.Start(nil)...)
	for _, r := range rows {
		out = append(out, w.Row(r)...)
	}
	return append(out, w.End()...)
}

func TestReaderBinary(t *testing.T) {
	stream := binaryStream([][]byte{{0, 0, 0, 1}, nil}, [][]byte{{}, []byte("xy")})
	for _, chunk := range []int{1, 5, 1 << 20} {
		got, err := readAll(t, Options{Format: Binary}, 2, stream, chunk)
		want := [][]string{{"\x00\x00\x00\x01", "<NULL>"}, {"", "xy"}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("chunk %d: %q, %v", chunk, got, err)
		}
	}
	for _, tc := range []struct {
		name, in, err string
	}{
		{"signature", "PGCOPZ\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00", "COPY file signature not recognized"},
		{"field count", string(binaryStream([][]byte{nil})), "row field count is 1, expected 2"},
		{"truncated", string(binaryStream([][]byte{nil, []byte("abc")}))[:25], "unexpected EOF in COPY data"},
		{"after trailer", string(binaryStream()) + "x", "received copy data after EOF marker"},
	} {
		_, err := readAll(t, Options{Format: Binary}, 2, []byte(tc.in), 1<<20)
		if pe, ok := err.(*pgerr.Error); !ok || pe.Code != "22P04" || pe.Message != tc.err {
			t.Errorf("%s: %v, want 22P04 %s", tc.name, err, tc.err)
		}
	}
}

func TestWriter(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		row  [][]byte
		want string
	}{
		{"text", opts(Text, nil), [][]byte{[]byte("a\tb\\c\nd"), nil, {}}, "a\\tb\\\\c\\nd\t\\N\t\n"},
		{"text delimiter", opts(Text, func(o *Options) { o.Delimiter = ',' }), [][]byte{[]byte("a,b")}, "a\\,b\n"},
		{"csv", opts(CSV, nil), [][]byte{[]byte(`a"b`), nil, {}, []byte("x,y"), []byte("p\nq")}, "\"a\"\"b\",,\"\",\"x,y\",\"p\nq\"\n"},
		{"csv force quote", opts(CSV, func(o *Options) { o.ForceQuoteAll = true }), [][]byte{[]byte("a"), nil}, "\"a\",\n"},
		{"csv end marker", opts(CSV, nil), [][]byte{[]byte(`\.`)}, "\"\\.\"\n"},
	} {
		if got := string(NewWriter(tc.opts).Row(tc.row)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	b := binaryStream([][]byte{[]byte("ab"), nil})
	want := append(append([]byte{}, BinarySignature...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 'a', 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	if !bytes.Equal(b, want) {
		t.Errorf("binary: %q, want %q", b, want)
	}
}

// FuzzReader checks that no input crashes a reader, that feeding the input in
// pieces gives the rows feeding it whole gives, and that a row written by the
// Writer reads back as itself.
func FuzzReader(f *testing.F) {
	f.Add(byte(0), []byte("1\ta\\N\n\\.\n"), 2)
	f.Add(byte(1), []byte("1,\"a\n\"\"b\",\n"), 3)
	f.Add(byte(2), binaryStream([][]byte{{1}, nil}), 1)
	f.Fuzz(func(t *testing.T, format byte, data []byte, chunk int) {
		o := opts(Format(format%3), nil)
		if chunk <= 0 || chunk > len(data) {
			chunk = len(data) + 1
		}
		whole, errWhole := readAll(t, o, 2, data, len(data)+1)
		pieces, errPieces := readAll(t, o, 2, data, chunk)
		if (errWhole == nil) != (errPieces == nil) || (errWhole == nil && !reflect.DeepEqual(whole, pieces)) {
			t.Fatalf("whole: %q, %v; in pieces of %d: %q, %v", whole, errWhole, chunk, pieces, errPieces)
		}
		for _, e := range []error{errWhole, errPieces} {
			if e != nil {
				if _, ok := e.(*pgerr.Error); !ok {
					t.Fatalf("error %T %v is not a *pgerr.Error", e, e)
				}
			}
		}
		// Round trip: the data as one field of a two-column row.
		row := [][]byte{data, nil}
		back, err := readAll(t, o, 2, append(NewWriter(o).Row(row), NewWriter(o).End()...), 7)
		if err != nil || len(back) != 1 || back[0][0] != string(data) || back[0][1] != "<NULL>" {
			if o.Format == Binary {
				back, err = readAll(t, o, 2, append(append([]byte{}, NewWriter(o).Start(nil)...), append(NewWriter(o).Row(row), NewWriter(o).End()...)...), 7)
				if err == nil && len(back) == 1 && back[0][0] == string(data) {
					return
				}
			}
			t.Fatalf("round trip of %q: %q, %v", data, back, err)
		}
	})
}
