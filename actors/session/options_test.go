package session

import (
	"reflect"
	"testing"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		ok   bool
	}{
		{"", map[string]string{}, true},
		{"-c statement_timeout=5s", map[string]string{"statement_timeout": "5s"}, true},
		{"-cstatement_timeout=5s --search-path=a,b", map[string]string{"statement_timeout": "5s", "search_path": "a,b"}, true},
		{`-c application_name=my\ app`, map[string]string{"application_name": "my app"}, true},
		{"-c nokey", nil, false},
		{"-x", nil, false},
	}
	for _, tt := range tests {
		got, err := parseOptions(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("parseOptions(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
