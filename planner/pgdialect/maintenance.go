package pgdialect

import (
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// VACUUM and ANALYZE are maintenance commands clients send on their own (pgbench
// runs VACUUM ANALYZE after loading its tables). Augur has no dead tuples to
// reclaim and no planner statistics, so both are accepted and do nothing; they
// are parsed fully so that what PostgreSQL refuses (an unknown option, a missing
// table or column) is refused here too.

// vacuumOptions are the options VACUUM (…) and ANALYZE (…) accept in
// PostgreSQL 15.
var vacuumOptions = map[string]bool{
	"full": true, "freeze": true, "verbose": true, "analyze": true, "analyse": true,
	"disable_page_skipping": true, "skip_locked": true, "index_cleanup": true,
	"process_toast": true, "truncate": true, "parallel": true,
}

var analyzeOptions = map[string]bool{"verbose": true, "skip_locked": true}

// maintenance reads the rest of VACUUM or ANALYZE (the command word consumed)
// into d: its options, then the tables, each with an optional column list.
func (u *utilParser) maintenance(d *DDL) error {
	command, known := "VACUUM", vacuumOptions
	if d.Kind == DDLAnalyze {
		command, known = "ANALYZE", analyzeOptions
	}
	analyze := d.Kind == DDLAnalyze
	if u.peek().IsPunct("(") {
		u.next()
		for {
			t := u.next()
			if t.Kind != Ident && t.Kind != QIdent {
				u.i--
				return u.fail()
			}
			if !known[t.Val] {
				return syntaxAt(u.src, t.Pos, "unrecognized %s option \"%s\"", command, t.Val)
			}
			if t.Val == "analyze" || t.Val == "analyse" {
				analyze = true
			}
			// An option may have a value: a boolean word, a number or a string.
			if n := u.peek(); !n.IsPunct(",") && !n.IsPunct(")") {
				u.next()
			}
			if n := u.next(); n.IsPunct(")") {
				break
			} else if !n.IsPunct(",") {
				u.i--
				return u.fail()
			}
		}
	} else if d.Kind == DDLVacuum {
		u.accept("full")
		u.accept("freeze")
		u.accept("verbose")
		if u.accept("analyze") || u.accept("analyse") {
			analyze = true
		}
	} else {
		u.accept("verbose")
	}
	for u.i < len(u.toks) {
		if err := u.qualifiedName(d); err != nil {
			return err
		}
		var cols []string
		if u.peek().IsPunct("(") {
			var err error
			if cols, err = u.parenNames(); err != nil {
				return err
			}
			if !analyze {
				return pgerr.New(pgerrcode.FeatureNotSupported, "ANALYZE option must be specified when a column list is provided")
			}
		}
		d.VacuumColumns = append(d.VacuumColumns, cols)
		if !u.peek().IsPunct(",") {
			break
		}
		u.next()
	}
	return u.done()
}
