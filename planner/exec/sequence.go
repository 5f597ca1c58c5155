package exec

import (
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// Sequences is what the sequence functions need of the session: sequences live in
// the engine, currval and lastval are per session.
type Sequences interface {
	Nextval(c *Ctx, name string) (int64, error)
	Currval(name string) (int64, error)
	Lastval() (int64, error)
	Setval(c *Ctx, name string, v int64, called bool) (int64, error)
}

func sequences(c *Ctx) (Sequences, error) {
	s, ok := c.Session.(Sequences)
	if !ok {
		return nil, pgerr.FeatureNotSupported("sequences are not available here")
	}
	return s, nil
}

func init() {
	seqFn := func(f func(s Sequences, c *Ctx, a []types.Datum) (int64, error)) func(*Ctx, []types.Datum) (types.Datum, error) {
		return func(c *Ctx, a []types.Datum) (types.Datum, error) {
			if c.Folding {
				return nil, errNotFoldable
			}
			s, err := sequences(c)
			if err != nil {
				return nil, err
			}
			v, err := f(s, c, a)
			if err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	// The dialect layer renames the calls (the TiDB grammar reserves the names):
	// both spellings resolve here.
	add := func(name string, b Builtin) {
		Builtins[name] = append(Builtins[name], b)
		Builtins["augurseq_"+name] = append(Builtins["augurseq_"+name], b)
	}
	add("nextval", Builtin{Args: []types.T{types.Text}, Result: types.Int8, Strict: true, Volatile: true,
		Fn: seqFn(func(s Sequences, c *Ctx, a []types.Datum) (int64, error) { return s.Nextval(c, a[0].(string)) })})
	add("currval", Builtin{Args: []types.T{types.Text}, Result: types.Int8, Strict: true, Volatile: true,
		Fn: seqFn(func(s Sequences, _ *Ctx, a []types.Datum) (int64, error) { return s.Currval(a[0].(string)) })})
	add("lastval", Builtin{Result: types.Int8, Volatile: true,
		Fn: seqFn(func(s Sequences, _ *Ctx, _ []types.Datum) (int64, error) { return s.Lastval() })})
	add("setval", Builtin{Args: []types.T{types.Text, types.Int8}, Result: types.Int8, Strict: true, Volatile: true,
		Fn: seqFn(func(s Sequences, c *Ctx, a []types.Datum) (int64, error) {
			return s.Setval(c, a[0].(string), a[1].(int64), true)
		})})
	add("setval", Builtin{Args: []types.T{types.Text, types.Int8, types.Bool}, Result: types.Int8, Strict: true, Volatile: true,
		Fn: seqFn(func(s Sequences, c *Ctx, a []types.Datum) (int64, error) {
			return s.Setval(c, a[0].(string), a[1].(int64), a[2].(bool))
		})})
}

// SequenceNotFound is the error for an unknown sequence name.
func SequenceNotFound(name string) error {
	return pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", name)
}

// SequenceReader is implemented by sessions that can show a sequence's state.
type SequenceReader interface {
	ReadSequence(name string) (last, logCnt int64, called bool, err error)
}

// SequenceScan is SELECT ... FROM a sequence: one row (last_value, log_cnt,
// is_called) read when it runs.
type SequenceScan struct {
	Name string
	Info NodeInfo
}

// Explain implements Node.
func (s *SequenceScan) Explain() NodeInfo { return s.Info }

// Open implements Node.
func (s *SequenceScan) Open(c *Ctx) (Iter, error) {
	r, ok := c.Session.(SequenceReader)
	if !ok {
		return nil, pgerr.FeatureNotSupported("sequences are not available here")
	}
	last, logCnt, called, err := r.ReadSequence(s.Name)
	if err != nil {
		return nil, err
	}
	return &sliceIter{rows: [][]types.Datum{{last, logCnt, called}}}, nil
}
