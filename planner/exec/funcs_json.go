package exec

import (
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// The json and jsonb functions and the functions behind their operators
// (storage/types/jsonops.go does the work). The operators bind to these under
// PostgreSQL's names (jsonb_contains for @>, ...), the path operators #> and
// #>> to augur_json_path(_text), which take the path as a text[].

// textArray returns the elements of a text[] (nil for NULL elements).
func textArray(d types.Datum) []*string {
	a := d.(*types.Array)
	out := make([]*string, len(a.Elems))
	for i, e := range a.Elems {
		if e != nil {
			s := e.(string)
			out[i] = &s
		}
	}
	return out
}

// nonNullStrings returns the non-NULL elements of a text[].
func nonNullStrings(d types.Datum) []string {
	var out []string
	for _, e := range d.(*types.Array).Elems {
		if e != nil {
			out = append(out, e.(string))
		}
	}
	return out
}

func init() {
	T, J, JB, B, I4 := types.Text, types.JSON, types.JSONB, types.Bool, types.Int4
	TA, _ := types.ArrayOf(types.Text)
	str := func(d types.Datum) string { return d.(string) }
	register("jsonb_contains", strict(sig(JB, JB), B, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBContains(str(a[0]), str(a[1])), nil
	}))
	register("jsonb_contained", strict(sig(JB, JB), B, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBContains(str(a[1]), str(a[0])), nil
	}))
	register("jsonb_exists", strict(sig(JB, T), B, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBExists(str(a[0]), str(a[1])), nil
	}))
	exists := func(all bool) pureFn {
		return func(a []types.Datum) (types.Datum, error) {
			for _, k := range nonNullStrings(a[1]) {
				if types.JSONBExists(str(a[0]), k) != all {
					return !all, nil
				}
			}
			return all, nil
		}
	}
	register("jsonb_exists_any", strict(sig(JB, TA), B, exists(false)))
	register("jsonb_exists_all", strict(sig(JB, TA), B, exists(true)))
	register("jsonb_concat", strict(sig(JB, JB), JB, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBConcat(str(a[0]), str(a[1])), nil
	}))
	register("jsonb_delete",
		strict(sig(JB, T), JB, func(a []types.Datum) (types.Datum, error) {
			return types.JSONBDeleteKeys(str(a[0]), []string{str(a[1])})
		}),
		strict(sig(JB, I4), JB, func(a []types.Datum) (types.Datum, error) {
			return types.JSONBDeleteIndex(str(a[0]), a[1].(int64))
		}),
		strict(sig(JB, TA), JB, func(a []types.Datum) (types.Datum, error) {
			return types.JSONBDeleteKeys(str(a[0]), nonNullStrings(a[1]))
		}))
	register("jsonb_delete_path", strict(sig(JB, TA), JB, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBDeletePath(str(a[0]), textArray(a[1]))
	}))
	path := func(jsonb, asText bool) pureFn {
		return func(a []types.Datum) (types.Datum, error) {
			v, ok := types.JSONPath(str(a[0]), jsonb, textArray(a[1]), asText)
			if !ok {
				return nil, nil
			}
			return v, nil
		}
	}
	register("augur_json_path", strict(sig(J, TA), J, path(false, false)), strict(sig(JB, TA), JB, path(true, false)))
	register("augur_json_path_text", strict(sig(J, TA), T, path(false, true)), strict(sig(JB, TA), T, path(true, true)))
	// json(b)_extract_path(doc, VARIADIC path text[]): the variadic arguments
	// arrive as text.
	extract := func(jsonb, asText bool) pureFn {
		return func(a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			p := make([]*string, len(a)-1)
			for i, e := range a[1:] {
				if e != nil {
					s := e.(string)
					p[i] = &s
				}
			}
			v, ok := types.JSONPath(str(a[0]), jsonb, p, asText)
			if !ok {
				return nil, nil
			}
			return v, nil
		}
	}
	register("json_extract_path", variadic(sig(J), J, extract(false, false)))
	register("jsonb_extract_path", variadic(sig(JB), JB, extract(true, false)))
	register("json_extract_path_text", variadic(sig(J), T, extract(false, true)))
	register("jsonb_extract_path_text", variadic(sig(JB), T, extract(true, true)))

	set := func(insert bool) pureFn {
		return func(a []types.Datum) (types.Datum, error) {
			flag := !insert // create_missing defaults to true, insert_after to false
			if len(a) > 3 {
				flag = a[3].(bool)
			}
			return types.JSONBSet(str(a[0]), textArray(a[1]), str(a[2]), flag, insert)
		}
	}
	register("jsonb_set", strict(sig(JB, TA, JB), JB, set(false)), strict(sig(JB, TA, JB, B), JB, set(false)))
	register("jsonb_insert", strict(sig(JB, TA, JB), JB, set(true)), strict(sig(JB, TA, JB, B), JB, set(true)))
	register("jsonb_strip_nulls", strict(sig(JB), JB, func(a []types.Datum) (types.Datum, error) {
		return types.JSONStripNulls(str(a[0]), true), nil
	}))
	register("json_strip_nulls", strict(sig(J), J, func(a []types.Datum) (types.Datum, error) {
		return types.JSONStripNulls(str(a[0]), false), nil
	}))
	register("jsonb_pretty", strict(sig(JB), T, func(a []types.Datum) (types.Datum, error) {
		return types.JSONBPretty(str(a[0])), nil
	}))
	length := func(a []types.Datum) (types.Datum, error) { return types.JSONArrayLength(str(a[0])) }
	register("jsonb_array_length", strict(sig(JB), I4, length))
	register("json_array_length", strict(sig(J), I4, length))
}

// JSONBuild binds json_build_object, json_build_array and their jsonb forms
// over arguments of types ts: PostgreSQL's VARIADIC "any", converting each value
// by its type (to_json), so the binder passes the types along.
func JSONBuild(name string, ts []types.T, args []Expr) (Expr, error) {
	jsonb := name == "jsonb_build_object" || name == "jsonb_build_array"
	object := name == "json_build_object" || name == "jsonb_build_object"
	res := types.JSON
	if jsonb {
		res = types.JSONB
	}
	if object && len(args)%2 != 0 {
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "argument list must have even number of elements").
			WithHint("The arguments of %s() must consist of alternating keys and values.", name)
	}
	if object {
		for i := 0; i < len(ts); i += 2 {
			if !types.KeyScalar(ts[i]) {
				return nil, pgerr.New(pgerrcode.InvalidParameterValue, "key value must be scalar, not array, composite, or json")
			}
		}
	}
	return &Func{Name: name, T: res, Args: args, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		b := types.NewJSONBuilder(jsonb, object)
		for i := 0; i < len(a); i++ {
			key := ""
			if object {
				if a[i] == nil {
					return nil, pgerr.New(pgerrcode.InvalidParameterValue, "argument %d: key must not be null", i+1)
				}
				key = types.JSONKeyText(ts[i], a[i])
				i++
			}
			if err := b.Add(key, ts[i], a[i]); err != nil {
				return nil, err
			}
		}
		return b.Result()
	}}, nil
}

// ToJSON binds to_json and to_jsonb of an argument of type t.
func ToJSON(name string, t types.T, arg Expr) Expr {
	if name == "to_jsonb" {
		return &Func{Name: name, T: types.JSONB, Args: []Expr{arg}, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.ToJSONB(t, a[0])
		}}
	}
	return &Func{Name: name, T: types.JSON, Args: []Expr{arg}, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return types.ToJSON(t, a[0]), nil
	}}
}

// The set-returning json functions: json(b)_each(_text),
// json(b)_array_elements(_text) and json(b)_object_keys.
func init() {
	T := types.Text
	for _, j := range []types.T{types.JSON, types.JSONB} {
		jsonb := j == types.JSONB
		prefix := "json"
		if jsonb {
			prefix = "jsonb"
		}
		each := func(name string, asText bool) TableFunc {
			vt := j
			if asText {
				vt = T
			}
			return TableFunc{Args: sig(j), Cols: []ResultCol{{Name: "key", T: T}, {Name: "value", T: vt}}, Strict: true,
				Rows: func(_ *Ctx, a []types.Datum) (Iter, error) {
					es, err := types.JSONEach(a[0].(string), jsonb, name)
					if err != nil {
						return nil, err
					}
					rows := make([][]types.Datum, len(es))
					for i, e := range es {
						rows[i] = []types.Datum{e.Key, elemValue(e, asText)}
					}
					return SliceRows(rows), nil
				}}
		}
		elements := func(name string, asText bool) TableFunc {
			vt := j
			if asText {
				vt = T
			}
			return TableFunc{Args: sig(j), Cols: []ResultCol{{Name: "value", T: vt}}, Strict: true,
				Rows: func(_ *Ctx, a []types.Datum) (Iter, error) {
					es, err := types.JSONArrayElements(a[0].(string), jsonb, name)
					if err != nil {
						return nil, err
					}
					rows := make([][]types.Datum, len(es))
					for i, e := range es {
						rows[i] = []types.Datum{elemValue(e, asText)}
					}
					return SliceRows(rows), nil
				}}
		}
		RegisterTableFunc(prefix+"_each", each(prefix+"_each", false))
		RegisterTableFunc(prefix+"_each_text", each(prefix+"_each_text", true))
		RegisterTableFunc(prefix+"_array_elements", elements(prefix+"_array_elements", false))
		RegisterTableFunc(prefix+"_array_elements_text", elements(prefix+"_array_elements_text", true))
		name := prefix + "_object_keys"
		RegisterTableFunc(name, TableFunc{Args: sig(j), Cols: []ResultCol{{T: T}}, Strict: true,
			Rows: func(_ *Ctx, a []types.Datum) (Iter, error) {
				keys, err := types.JSONObjectKeys(a[0].(string), name)
				if err != nil {
					return nil, err
				}
				rows := make([][]types.Datum, len(keys))
				for i, k := range keys {
					rows[i] = []types.Datum{k}
				}
				return SliceRows(rows), nil
			}})
	}
}

// elemValue is an element's json text, or its text (nil for a JSON null).
func elemValue(e types.JSONElem, asText bool) types.Datum {
	if !asText {
		return e.JSON
	}
	if e.Text == nil {
		return nil
	}
	return *e.Text
}
