package learned

import (
	"cmp"
	"encoding/binary"
)

// A key is stored relative to the index's common prefix. The bytes after the
// prefix are the key's rest. The model works on the rest's first eight bytes
// read as a big-endian uint64 (zero-padded when the rest is shorter), which is
// order-preserving but not one-to-one: "a" and "a\x00" share a uint64, and so
// do all keys that agree in their first eight bytes after the prefix.
//
// Everything a uint64 cannot say is kept in the slot's ext string, which is
// empty for the common case of a rest exactly eight bytes long (integer
// primary keys), so such nodes carry no ext slice at all. Otherwise ext holds
// one length byte followed by the bytes beyond the eighth:
//
//	len(rest) == 8   ext == ""
//	len(rest) <  8   ext == string(byte(len(rest)))
//	len(rest) >  8   ext == "\x08" + rest[8:]
//
// Two keys with equal uint64 compare by their ext alone (see cmpExt), so the
// last-mile search is exact for composite and text keys.

// shortExts holds the ext strings of rests shorter than eight bytes, so that
// making them does not allocate.
const shortExts = "\x00\x01\x02\x03\x04\x05\x06\x07"

// probe is a search key split the way slots store keys.
type probe struct {
	u    uint64 // first eight bytes of the rest, zero-padded
	rlen int    // length of the rest
	tail []byte // rest[8:] when rlen > 8
}

// makeProbe splits key, which must start with prefix.
func makeProbe(prefix, key []byte) probe {
	rest := key[len(prefix):]
	p := probe{rlen: len(rest)}
	if len(rest) >= 8 {
		p.u = binary.BigEndian.Uint64(rest)
		p.tail = rest[8:]
		return p
	}
	var b [8]byte
	copy(b[:], rest)
	p.u = binary.BigEndian.Uint64(b[:])
	return p
}

// ext returns the ext string of the probe's key; it allocates only for keys
// whose rest is longer than eight bytes.
func (p *probe) ext() string {
	switch {
	case p.rlen == 8:
		return ""
	case p.rlen < 8:
		return shortExts[p.rlen : p.rlen+1]
	default:
		return "\x08" + string(p.tail)
	}
}

// extRestLen is the length of the rest a slot's ext describes, with every
// rest longer than eight bytes reported as 9 (cmpExt then compares tails).
func extRestLen(ext string) int {
	if ext == "" {
		return 8
	}
	if ext[0] < 8 {
		return int(ext[0])
	}
	return 9
}

// cmpExt orders the probe against a stored key with the same uint64.
func cmpExt(p *probe, ext string) int {
	el := extRestLen(ext)
	pl := p.rlen
	if pl > 8 {
		pl = 9
	}
	if pl != el || pl < 9 {
		// Equal uint64s and at least one rest of at most eight bytes: the
		// shorter rest is a prefix of the longer one.
		return cmp.Compare(pl, el)
	}
	return cmpBytesString(p.tail, ext[1:])
}

func cmpBytesString(a []byte, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(a), len(b))
}

// appendRest appends the rest described by (u, ext) to dst.
func appendRest(dst []byte, u uint64, ext string) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], u)
	n := extRestLen(ext)
	if n <= 8 {
		return append(dst, b[:n]...)
	}
	dst = append(dst, b[:]...)
	return append(dst, ext[1:]...)
}

// commonPrefixLen is the length of the longest common prefix of a and b.
func commonPrefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
