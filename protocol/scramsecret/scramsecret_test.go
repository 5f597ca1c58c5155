package scramsecret

import (
	"strings"
	"testing"
)

func TestSecret(t *testing.T) {
	v, err := New("pencil")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		same bool // stored as given
	}{
		{v, true},
		{"md5" + strings.Repeat("0a", 16), true},
		{"md5" + strings.Repeat("0A", 16), false}, // PostgreSQL wants lower-case hex
		{"md5abc", false},
		{"SCRAM-SHA-256$4096:bad$x:y", false},
		{"plain password", false},
	} {
		got, err := Secret(c.in)
		if err != nil {
			t.Fatalf("Secret(%q): %v", c.in, err)
		}
		if (got == c.in) != c.same {
			t.Errorf("Secret(%q) = %q, stored as given: %v, want %v", c.in, got, got == c.in, c.same)
		}
		if !c.same {
			if _, err := Parse(got); err != nil {
				t.Errorf("Secret(%q) made an unreadable verifier %q: %v", c.in, got, err)
			}
		}
	}
	a, _ := Secret("same")
	b, _ := Secret("same")
	if a == b {
		t.Errorf("two verifiers of one password share a salt: %q", a)
	}
}
