package exec

import "github.com/augurdb/augur/storage/types"

// unnest(anyarray [, anyarray ...]): the elements of each array in storage
// order (a multidimensional array flattened), side by side, the shorter arrays
// padded with NULLs. A NULL array has no elements. With one array the column is
// named after the function or the alias; with several (PostgreSQL allows them
// in FROM only) every column is "unnest".
func init() {
	RegisterTableFunc("unnest", TableFunc{
		Resolve: func(args []types.T) ([]types.T, []ResultCol, bool) {
			if len(args) == 0 {
				return nil, nil, false
			}
			cols := make([]ResultCol, len(args))
			for i, t := range args {
				if !t.IsArray() {
					return nil, nil, false
				}
				cols[i] = ResultCol{T: t.Elem()}
				if len(args) > 1 {
					cols[i].Name = "unnest"
				}
			}
			return args, cols, true
		},
		Rows: func(_ *Ctx, args []types.Datum) (Iter, error) {
			n := 0
			for _, a := range args {
				if a != nil {
					n = max(n, len(a.(*types.Array).Elems))
				}
			}
			rows := make([][]types.Datum, n)
			for i := range rows {
				row := make([]types.Datum, len(args))
				for j, a := range args {
					if a != nil && i < len(a.(*types.Array).Elems) {
						row[j] = a.(*types.Array).Elems[i]
					}
				}
				rows[i] = row
			}
			return SliceRows(rows), nil
		},
	})
}
