package rowcodec

import (
	"bytes"
	"errors"
	"testing"
)

func equalCols(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		version uint32
		cols    [][]byte
	}{
		{"no columns", 0, [][]byte{}},
		{"one null", 1, [][]byte{nil}},
		{"empty vs null", 2, [][]byte{{}, nil, []byte("x")}},
		{"nine columns", 1<<32 - 1, [][]byte{nil, []byte("a"), nil, nil, nil, nil, nil, nil, []byte("last")}},
		{"large", 3, [][]byte{bytes.Repeat([]byte{7}, 100000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := Append([]byte("prefix"), tt.version, tt.cols)[len("prefix"):]
			v, cols, err := Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			if v != tt.version || !equalCols(cols, tt.cols) {
				t.Fatalf("got version %d cols %q, want %d %q", v, cols, tt.version, tt.cols)
			}
		})
	}
}

func TestChecksumDetectsEveryBitFlip(t *testing.T) {
	enc := Append(nil, 5, [][]byte{[]byte("hello"), nil, []byte("world")})
	for i := range enc {
		for bit := range 8 {
			b := bytes.Clone(enc)
			b[i] ^= 1 << bit
			if _, _, err := Decode(b); err == nil {
				t.Fatalf("flip of byte %d bit %d not detected", i, bit)
			}
		}
	}
	b := bytes.Clone(enc)
	b[2] ^= 1
	if _, _, err := Decode(b); !errors.Is(err, ErrChecksum) {
		t.Fatalf("want ErrChecksum, got %v", err)
	}
}

func FuzzRowRoundTrip(f *testing.F) {
	f.Add(uint32(1), []byte("abc"), uint8(3))
	f.Add(uint32(0), []byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, version uint32, data []byte, nulls uint8) {
		// Split data into up to 8 columns; bit i of nulls makes column i NULL.
		var cols [][]byte
		for i := 0; i < 8 && len(data) > 0; i++ {
			n := int(data[0]) % (len(data) + 1)
			if n > len(data)-1 {
				n = len(data) - 1
			}
			col := data[1 : 1+n]
			data = data[1+n:]
			if nulls&(1<<i) != 0 {
				col = nil
			}
			cols = append(cols, col)
		}
		if cols == nil {
			cols = [][]byte{}
		}
		v, got, err := Decode(Append(nil, version, cols))
		if err != nil || v != version || !equalCols(got, cols) {
			t.Fatalf("round trip: %v %d %q want %d %q", err, v, got, version, cols)
		}
	})
}

func FuzzRowDecode(f *testing.F) {
	f.Add(Append(nil, 1, [][]byte{[]byte("a"), nil}))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, cols, err := Decode(b)
		if err != nil {
			return
		}
		if re := Append(nil, v, cols); !bytes.Equal(re, b) {
			t.Fatalf("decoded %x to %d %q, re-encodes to %x", b, v, cols, re)
		}
	})
}

// TestDecodeIntoReusesBuffer: DecodeInto fills a buffer large enough in place
// (a NULL column left over from the previous row is cleared), and allocates
// when the buffer is too small.
func TestDecodeIntoReusesBuffer(t *testing.T) {
	buf := make([][]byte, 0, 3)
	for _, tt := range []struct {
		name  string
		cols  [][]byte
		inBuf bool
	}{
		{"fills the buffer", [][]byte{[]byte("a"), []byte("bb"), []byte("ccc")}, true},
		{"NULLs where values were", [][]byte{nil, []byte("x"), nil}, true},
		{"fewer columns", [][]byte{[]byte("y")}, true},
		{"more columns than room", [][]byte{[]byte("1"), []byte("2"), []byte("3"), []byte("4")}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := DecodeInto(Append(nil, 7, tt.cols), buf[:0])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.cols) {
				t.Fatalf("%d columns, want %d", len(got), len(tt.cols))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.cols[i]) || (got[i] == nil) != (tt.cols[i] == nil) {
					t.Errorf("column %d = %q, want %q", i, got[i], tt.cols[i])
				}
			}
			if inBuf := &got[0] == &buf[:1][0]; inBuf != tt.inBuf {
				t.Errorf("decoded into the buffer: %v, want %v", inBuf, tt.inBuf)
			}
		})
	}
}
