// Package datadriven runs the planner's data-driven test files, the way etcd's raft
// tests do: a file is a list of cases separated by blank lines,
//
//	# optional comment lines
//	<directive>
//	<input, one or more lines>
//	----
//	<expected output, no blank lines>
//
// and a test run with rewrite set regenerates the expected outputs from what the
// code produces now (review the diff before committing it).
package datadriven

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Case is one test case of a file.
type Case struct {
	Directive, Input, Want string
}

// Read parses a test file.
func Read(path string) ([]Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("datadriven: %w", err)
	}
	var out []Case
	for _, block := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		lines := strings.Split(block, "\n")
		for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
			lines = lines[1:]
		}
		if len(lines) == 0 {
			continue
		}
		c := Case{Directive: lines[0]}
		var in, want []string
		sep := false
		for _, l := range lines[1:] {
			switch {
			case l == "----":
				sep = true
			case sep:
				want = append(want, l)
			default:
				in = append(in, l)
			}
		}
		c.Input, c.Want = strings.Join(in, "\n"), strings.Join(want, "\n")
		out = append(out, c)
	}
	return out, nil
}

// Write writes cases back to a test file.
func Write(path string, cases []Case) error {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n%s\n----\n%s\n", c.Directive, c.Input, c.Want)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("datadriven: %w", err)
	}
	return nil
}

// RunFile evaluates every case of the file at path with eval and compares the
// result with the expected output, or, when rewrite is set, records it instead.
func RunFile(t *testing.T, path string, rewrite bool, eval func(Case) string) {
	t.Helper()
	cases, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		got := eval(c)
		if rewrite {
			cases[i].Want = got
			continue
		}
		if got != c.Want {
			t.Errorf("%s\n%s\ngot:\n%s\nwant:\n%s", c.Directive, c.Input, got, c.Want)
		}
	}
	if rewrite {
		if err := Write(path, cases); err != nil {
			t.Fatal(err)
		}
	}
}
