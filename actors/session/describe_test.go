package session

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// A portal's RowDescription carries its own result formats, whether or not the
// statement's last one was built for other formats.
func TestPortalDescriptionFormats(t *testing.T) {
	s, sys, _, out := startTestSession(t)
	defer sys.Shutdown()
	waitIdle(t, s)
	out.reset()

	msgs := []pgproto3.FrontendMessage{&pgproto3.Parse{Name: "s", Query: "SELECT 1::int8 AS a, 'x' AS b"}}
	for _, formats := range [][]int16{nil, {1}, {1}, {0, 1}, nil} {
		msgs = append(msgs,
			&pgproto3.Bind{PreparedStatement: "s", ResultFormatCodes: formats},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{})
	}
	msgs = append(msgs, &pgproto3.Sync{})
	for _, m := range msgs {
		if !s.RunIdle(m) {
			t.Fatalf("RunIdle refused %T on an idle session", m)
		}
	}
	<-out.rfq

	var got []string
	out.mu.Lock()
	for _, m := range out.msgs {
		if rd, ok := m.(*pgproto3.RowDescription); ok {
			got = append(got, fmt.Sprintf("%s:%d,%s:%d", rd.Fields[0].Name, rd.Fields[0].Format, rd.Fields[1].Name, rd.Fields[1].Format))
		}
	}
	out.mu.Unlock()
	want := []string{"a:0,b:0", "a:1,b:1", "a:1,b:1", "a:0,b:1", "a:0,b:0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("RowDescriptions %v, want %v", got, want)
	}
}
