package planner

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

const corpusDir = "../../shared/pg-client-sql"

// TestClientCorpus checks that every statement real clients sent to PostgreSQL 15
// either gets through the dialect layer and the TiDB parser, or is refused with a
// SQLSTATE (never an internal error or a panic). It reports the counts with -v.
func TestClientCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.sql"))
	if len(files) == 0 {
		t.Skip("client SQL corpus not found")
	}
	p := New()
	parsed, total := 0, 0
	refused := map[string]int{}
	examples := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimSuffix(string(b), "\n")
		for _, entry := range strings.Split(text, "\n-- next\n") {
			total++
			stmts, err := p.Parse(entry)
			if err == nil {
				// Unsupported statements parse and are refused by Prepare.
				for _, st := range stmts {
					if st.err != nil {
						err = st.err
						break
					}
				}
			}
			if err == nil {
				parsed++
				continue
			}
			pe := pgerr.From(err)
			if pe.Code == "XX000" {
				t.Errorf("%s: internal error for %q: %v", filepath.Base(f), entry, err)
			}
			key := pe.Code + " " + pe.Message
			if pe.Code == "42601" {
				key = "42601 syntax error"
			}
			refused[key]++
			if _, ok := examples[key]; !ok {
				examples[key] = filepath.Base(f) + ": " + firstLine(entry)
			}
		}
	}
	var keys []string
	for k := range refused {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var report strings.Builder
	fmt.Fprintf(&report, "client corpus: %d statements, %d parse, %d refused\n", total, parsed, total-parsed)
	for _, k := range keys {
		fmt.Fprintf(&report, "  %3d  %s   e.g. %s\n", refused[k], k, examples[k])
	}
	t.Log(report.String())
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
