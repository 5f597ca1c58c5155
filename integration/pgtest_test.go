package integration

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Scripted wire exchanges: each file in testdata/pgtest lists frontend messages to
// send and the backend messages expected, in this form:
//
//	send
//	Query {"String": "SELECT 1"}
//	----
//
//	until [ignore=Type,Type]
//	ReadyForQuery
//	----
//	{"Type":"RowDescription", ...}
//	...
//
// "send" writes its messages (JSON of pgproto3's frontend messages) in one flush.
// "until" reads until each listed message type has been seen in turn, and compares
// what arrived (as normalised JSON, one message per line) with the expected block.
// Run with -rewrite to regenerate expected blocks from Augur's answers. With
// AUGUR_PGTEST_PG=host:port (a PostgreSQL 15 with trust authentication for user
// augur and a database augur), the same scripts also run against PostgreSQL, to tell
// Augur's bugs from deliberate differences.
var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata scripts")

func TestWireScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/pgtest/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	s := startServer(t, serverOptions{config: trustConfig})
	targets := map[string]string{"augur": s.addr()}
	if pg := os.Getenv("AUGUR_PGTEST_PG"); pg != "" {
		targets["postgres"] = pg
	}
	for _, f := range files {
		for name, addr := range targets {
			t.Run(filepath.Base(f)+"/"+name, func(t *testing.T) {
				runScript(t, f, addr, *rewrite && name == "augur")
			})
		}
	}
}

type scriptBlock struct {
	directive string
	args      []string
	input     []string
	expected  []string
}

func parseScript(t *testing.T, path string) []scriptBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []scriptBlock
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur *scriptBlock
	inExpected := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && (line == "" || strings.HasPrefix(line, "#")):
		case cur == nil:
			fields := strings.Fields(line)
			blocks = append(blocks, scriptBlock{directive: fields[0], args: fields[1:]})
			cur = &blocks[len(blocks)-1]
		case line == "----":
			inExpected = true
		case inExpected && line == "":
			cur, inExpected = nil, false
		case inExpected:
			cur.expected = append(cur.expected, line)
		default:
			cur.input = append(cur.input, line)
		}
	}
	return blocks
}

func runScript(t *testing.T, path, addr string, rewriteFile bool) {
	blocks := parseScript(t, path)
	r := dialRaw(t, addr)
	r.startup("augur", "augur")
	for i := range blocks {
		b := &blocks[i]
		switch b.directive {
		case "send":
			for _, line := range b.input {
				typ, body, _ := strings.Cut(line, " ")
				msg, err := frontendByName(typ)
				if err != nil {
					t.Fatal(err)
				}
				if strings.TrimSpace(body) != "" {
					if err := json.Unmarshal([]byte(body), msg); err != nil {
						t.Fatalf("%s: %s: %v", path, line, err)
					}
				}
				r.fe.Send(msg)
			}
			if err := r.fe.Flush(); err != nil {
				t.Fatal(err)
			}
		case "until":
			ignore := map[string]bool{"ParameterStatus": true, "BackendKeyData": true}
			for _, a := range b.args {
				if v, ok := strings.CutPrefix(a, "ignore="); ok {
					for _, typ := range strings.Split(v, ",") {
						ignore[typ] = true
					}
				}
			}
			got := readUntil(t, r, b.input, ignore)
			if rewriteFile {
				b.expected = got
				continue
			}
			if strings.Join(got, "\n") != strings.Join(b.expected, "\n") {
				t.Errorf("%s: block %d (until %v):\n got:\n%s\nwant:\n%s", path, i+1, b.input,
					strings.Join(got, "\n"), strings.Join(b.expected, "\n"))
			}
		default:
			t.Fatalf("%s: unknown directive %q", path, b.directive)
		}
	}
	if rewriteFile {
		writeScript(t, path, blocks)
	}
}

func readUntil(t *testing.T, r *rawConn, types []string, ignore map[string]bool) []string {
	t.Helper()
	var out []string
	r.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for _, want := range types {
		for {
			m, err := r.fe.Receive()
			if err != nil {
				out = append(out, fmt.Sprintf("<error: %v>", err))
				return out
			}
			typ := fmt.Sprintf("%T", m)[len("*pgproto3."):]
			if !ignore[typ] {
				out = append(out, renderBackend(m))
			}
			if typ == want {
				break
			}
		}
	}
	return out
}

// renderBackend prints a backend message as compact JSON, leaving out what differs
// between servers for no client-visible reason (source file and line of errors,
// table OIDs).
func renderBackend(m pgproto3.BackendMessage) string {
	var v any = m
	switch m := m.(type) {
	case *pgproto3.ErrorResponse:
		v = struct {
			Type, Severity, Code, Message, Detail, Hint string
			Position                                    int32 `json:",omitempty"`
		}{"ErrorResponse", m.Severity, m.Code, m.Message, m.Detail, m.Hint, m.Position}
	case *pgproto3.NoticeResponse:
		v = struct{ Type, Severity, Code, Message string }{"NoticeResponse", m.Severity, m.Code, m.Message}
	case *pgproto3.RowDescription:
		type field struct {
			Name         string
			DataTypeOID  uint32
			DataTypeSize int16
			TypeModifier int32
			Format       int16
		}
		fs := []field{}
		for _, f := range m.Fields {
			fs = append(fs, field{string(f.Name), f.DataTypeOID, f.DataTypeSize, f.TypeModifier, f.Format})
		}
		v = struct {
			Type   string
			Fields []field
		}{"RowDescription", fs}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<unrenderable %T: %v>", m, err)
	}
	return string(b)
}

func frontendByName(name string) (pgproto3.FrontendMessage, error) {
	switch name {
	case "Query":
		return &pgproto3.Query{}, nil
	case "Parse":
		return &pgproto3.Parse{}, nil
	case "Bind":
		return &pgproto3.Bind{}, nil
	case "Describe":
		return &pgproto3.Describe{}, nil
	case "Execute":
		return &pgproto3.Execute{}, nil
	case "Close":
		return &pgproto3.Close{}, nil
	case "Sync":
		return &pgproto3.Sync{}, nil
	case "Flush":
		return &pgproto3.Flush{}, nil
	}
	return nil, fmt.Errorf("unknown frontend message %q", name)
}

func writeScript(t *testing.T, path string, blocks []scriptBlock) {
	t.Helper()
	// Keep the file's comments: re-read it and replace only expected blocks.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	bi, inExpected, inBlock := -1, false, false
	for _, line := range lines {
		switch {
		case !inBlock && (line == "" || strings.HasPrefix(line, "#")):
			out.WriteString(line + "\n")
		case !inBlock:
			bi++
			inBlock = true
			out.WriteString(line + "\n")
		case line == "----":
			inExpected = true
			out.WriteString(line + "\n")
			for _, e := range blocks[bi].expected {
				out.WriteString(e + "\n")
			}
		case inExpected && line == "":
			inExpected, inBlock = false, false
			out.WriteString("\n")
		case inExpected:
		default:
			out.WriteString(line + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
