package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Param describes one session parameter (a PostgreSQL GUC): its canonical name as
// PostgreSQL spells it (SHOW uses it as the column name), its default, and how values
// are checked and normalised.
type Param struct {
	Name        string // canonical spelling, e.g. "DateStyle"
	Default     string
	Description string
	// Report: sent in ParameterStatus at startup and whenever the value changes
	// (PostgreSQL's GUC_REPORT).
	Report bool
	// ReadOnly parameters are reported and shown but cannot be SET (55P02).
	ReadOnly bool
	// check normalises a value or returns a 22023 error. nil accepts any string.
	check func(string) (string, error)
}

// Params lists every session parameter Augur knows, in SHOW ALL order (by name).
// ServerVersion is substituted at run time by the session.
var params = []Param{
	{Name: "application_name", Default: "", Description: "Sets the application name to be reported in statistics and logs.", Report: true},
	{Name: "block_size", Default: "8192", Description: "Shows the size of a disk block.", ReadOnly: true},
	{Name: "bytea_output", Default: "hex", Description: "Sets the output format for bytea.", check: enum("hex", "escape")},
	{Name: "client_encoding", Default: "UTF8", Description: "Sets the client's character set encoding.", Report: true, check: clientEncoding},
	{Name: "client_min_messages", Default: "notice", Description: "Sets the message levels that are sent to the client.", check: enum("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")},
	{Name: "DateStyle", Default: "ISO, MDY", Description: "Sets the display format for date and time values.", Report: true, check: dateStyle},
	{Name: "deadlock_timeout", Default: "1s", Description: "Sets the time to wait on a lock before checking for deadlock.", check: duration},
	{Name: "default_transaction_deferrable", Default: "off", Description: "Sets the default deferrable status of new transactions.", check: boolean},
	{Name: "default_transaction_isolation", Default: "read committed", Description: "Sets the transaction isolation level of each new transaction.", check: enum("serializable", "repeatable read", "read committed", "read uncommitted")},
	{Name: "default_transaction_read_only", Default: "off", Description: "Sets the default read-only status of new transactions.", Report: true, check: boolean},
	{Name: "extra_float_digits", Default: "1", Description: "Sets the number of digits displayed for floating-point values.", check: intRange(-15, 3)},
	{Name: "idle_in_transaction_session_timeout", Default: "0", Description: "Sets the maximum allowed idle time between queries, when in a transaction.", check: duration},
	{Name: "in_hot_standby", Default: "off", Description: "Shows whether hot standby is currently active.", Report: true, ReadOnly: true},
	{Name: "integer_datetimes", Default: "on", Description: "Shows whether datetimes are integer based.", Report: true, ReadOnly: true},
	{Name: "IntervalStyle", Default: "postgres", Description: "Sets the display format for interval values.", Report: true, check: enum("postgres", "postgres_verbose", "sql_standard", "iso_8601")},
	{Name: "is_superuser", Default: "off", Description: "Shows whether the current user is a superuser.", Report: true, ReadOnly: true},
	{Name: "lc_collate", Default: "C", Description: "Shows the collation order locale.", ReadOnly: true},
	{Name: "lc_ctype", Default: "C", Description: "Shows the character classification and case conversion locale.", ReadOnly: true},
	{Name: "lock_timeout", Default: "0", Description: "Sets the maximum allowed duration of any wait for a lock.", check: duration},
	{Name: "max_identifier_length", Default: "63", Description: "Shows the maximum identifier length.", ReadOnly: true},
	{Name: "password_encryption", Default: "scram-sha-256", Description: "Chooses the algorithm for encrypting passwords.", check: enum("md5", "scram-sha-256")},
	{Name: "role", Default: "none", Description: "Sets the current role.", ReadOnly: true},
	{Name: "search_path", Default: `"$user", public`, Description: "Sets the schema search order for names that are not schema-qualified."},
	{Name: "server_encoding", Default: "UTF8", Description: "Shows the server (database) character set encoding.", Report: true, ReadOnly: true},
	{Name: "server_version", Default: "15.0", Description: "Shows the server version.", Report: true, ReadOnly: true},
	{Name: "server_version_num", Default: "150000", Description: "Shows the server version as an integer.", ReadOnly: true},
	{Name: "session_authorization", Default: "", Description: "Sets the session user name.", Report: true, ReadOnly: true},
	{Name: "standard_conforming_strings", Default: "on", Description: "Causes '...' strings to treat backslashes literally.", Report: true, check: onlyOn},
	{Name: "statement_timeout", Default: "0", Description: "Sets the maximum allowed duration of any statement.", check: duration},
	{Name: "synchronous_commit", Default: "on", Description: "Sets the current transaction's synchronization level.", check: enum("on", "off", "local", "remote_write", "remote_apply")},
	{Name: "TimeZone", Default: "UTC", Description: "Sets the time zone for displaying and interpreting time stamps.", Report: true, check: timeZone},
	{Name: "transaction_deferrable", Default: "off", Description: "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.", ReadOnly: true},
	{Name: "transaction_isolation", Default: "read committed", Description: "Sets the current transaction's isolation level.", ReadOnly: true},
	{Name: "transaction_read_only", Default: "off", Description: "Sets the current transaction's read-only status.", ReadOnly: true},
}

var paramIndex = func() map[string]int {
	m := make(map[string]int, len(params))
	for i, p := range params {
		m[strings.ToLower(p.Name)] = i
	}
	return m
}()

// LookupParam finds a parameter by name, case-insensitively.
func LookupParam(name string) (Param, bool) {
	i, ok := paramIndex[strings.ToLower(name)]
	if !ok {
		return Param{}, false
	}
	return params[i], true
}

// AllParams returns every known parameter, sorted by lower-cased name.
func AllParams() []Param {
	out := append([]Param(nil), params...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// isCustom reports whether name is a placeholder ("extension") parameter such as
// "myapp.tenant": PostgreSQL accepts any dotted name in SET.
func isCustom(name string) bool {
	i := strings.IndexByte(name, '.')
	return i > 0 && i < len(name)-1
}

// CheckParam validates a value for a settable parameter and returns it normalised.
// Errors: 42704 unknown parameter, 55P02 read-only parameter, 22023 bad value.
func CheckParam(name, value string) (string, error) {
	p, ok := LookupParam(name)
	if !ok {
		if isCustom(name) {
			return value, nil
		}
		return "", pgerr.New(pgerrcode.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if p.ReadOnly {
		return "", pgerr.New(pgerrcode.CantChangeRuntimeParam, "parameter %q cannot be changed", strings.ToLower(p.Name))
	}
	if p.check == nil {
		return value, nil
	}
	v, err := p.check(value)
	if err != nil {
		return "", valueErrorFor(strings.ToLower(p.Name), value, err)
	}
	return v, nil
}

// valueError is a checker's complaint about a value, worded by CheckParam the way
// PostgreSQL words it.
type valueError struct {
	kind   string // "range", "bool" or "" (invalid value)
	shown  string // the value as the range message shows it
	bounds string // "lo .. hi" for range errors
	hint   string
	detail string
}

func (e *valueError) Error() string {
	switch e.kind {
	case "range":
		return fmt.Sprintf("%s is outside the valid range (%s)", e.shown, e.bounds)
	case "bool":
		return "requires a Boolean value"
	}
	return strings.TrimSpace("invalid value " + e.hint + " " + e.detail)
}

func valueErrorFor(name, value string, err error) *pgerr.Error {
	ve, ok := err.(*valueError)
	if !ok {
		ve = &valueError{detail: err.Error()}
	}
	var pe *pgerr.Error
	switch ve.kind {
	case "range":
		pe = pgerr.New(pgerrcode.InvalidParameterValue, "%s is outside the valid range for parameter %q (%s)", ve.shown, name, ve.bounds)
	case "bool":
		pe = pgerr.New(pgerrcode.InvalidParameterValue, "parameter %q requires a Boolean value", name)
	default:
		pe = pgerr.New(pgerrcode.InvalidParameterValue, "invalid value for parameter %q: %q", name, value)
	}
	pe.Hint, pe.Detail = ve.hint, ve.detail
	return pe
}

// Vars is one session's parameter values. It is not safe for concurrent use: it
// belongs to the session actor.
type Vars struct {
	defaults map[string]string // lower name -> value at session start (server default or startup packet)
	values   map[string]string // lower name -> current value
	custom   map[string]string // lower name -> spelling, for dotted names
	gen      uint64            // counts changes of values (Generation)
}

// NewVars returns the values of a new session: each parameter's built-in default,
// overridden by the server's [session] table, then by fixed per-session values
// (server_version, is_superuser, session_authorization…) from fixed, then by the
// client's startup parameters (validated; unknown or read-only ones are errors, as in
// PostgreSQL's FATAL at startup).
func NewVars(serverDefaults, fixed, startup map[string]string) (*Vars, error) {
	v := &Vars{defaults: map[string]string{}, values: map[string]string{}, custom: map[string]string{}}
	for _, p := range params {
		v.defaults[strings.ToLower(p.Name)] = p.Default
	}
	for n, val := range serverDefaults {
		nv, err := CheckParam(n, val)
		if err != nil {
			return nil, err
		}
		v.defaults[strings.ToLower(n)] = nv
	}
	for n, val := range fixed {
		v.defaults[strings.ToLower(n)] = val
	}
	for n, val := range startup {
		nv, err := CheckParam(n, val)
		if err != nil {
			return nil, err
		}
		v.defaults[strings.ToLower(n)] = nv
		if isCustom(n) {
			v.custom[strings.ToLower(n)] = n
		}
	}
	for n, val := range v.defaults {
		v.values[n] = val
	}
	return v, nil
}

// Get returns a parameter's current value. Unknown names give 42704.
func (v *Vars) Get(name string) (string, error) {
	l := strings.ToLower(name)
	if val, ok := v.values[l]; ok {
		return val, nil
	}
	return "", pgerr.New(pgerrcode.UndefinedObject, "unrecognized configuration parameter %q", name)
}

// Set changes a parameter after checking it; it returns the normalised value.
func (v *Vars) Set(name, value string) (string, error) {
	nv, err := CheckParam(name, value)
	if err != nil {
		return "", err
	}
	l := strings.ToLower(name)
	v.values[l] = nv
	v.gen++
	if isCustom(name) {
		if _, ok := v.custom[l]; !ok {
			v.custom[l] = name
		}
	}
	return nv, nil
}

// Assign sets a parameter without checking it: the session uses it for the
// parameters it checks itself (role, session_authorization, is_superuser), which
// are read-only to SET and to the startup packet.
func (v *Vars) Assign(name, value string) {
	v.values[strings.ToLower(name)] = value
	v.gen++
}

// Reset restores a parameter to its session default.
func (v *Vars) Reset(name string) error {
	l := strings.ToLower(name)
	if _, err := CheckParam(name, v.defaults[l]); err != nil && !isCustom(name) {
		if p, ok := LookupParam(name); !ok || !p.ReadOnly {
			return err
		}
		return pgerr.New(pgerrcode.CantChangeRuntimeParam, "parameter %q cannot be changed", l)
	}
	if d, ok := v.defaults[l]; ok {
		v.values[l] = d
	} else {
		delete(v.values, l) // custom parameter set during the session
	}
	v.gen++
	return nil
}

// Generation changes whenever a value may have changed (Set, Assign, Reset,
// ResetAll): the session compares it to tell at no cost that no ParameterStatus
// is due and that settings it parsed are still current.
func (v *Vars) Generation() uint64 { return v.gen }

// ResetAll restores every settable parameter (RESET ALL).
func (v *Vars) ResetAll() {
	v.gen++
	for _, p := range params {
		if !p.ReadOnly {
			l := strings.ToLower(p.Name)
			v.values[l] = v.defaults[l]
		}
	}
	for l := range v.values {
		if _, known := paramIndex[l]; !known {
			if d, ok := v.defaults[l]; ok {
				v.values[l] = d
			} else {
				delete(v.values, l)
			}
		}
	}
}

// Setting is one row of SHOW ALL.
type Setting struct{ Name, Value, Description string }

// All returns SHOW ALL's rows: known parameters (canonical names) sorted by name.
func (v *Vars) All() []Setting {
	var out []Setting
	for _, p := range AllParams() {
		out = append(out, Setting{Name: p.Name, Value: v.values[strings.ToLower(p.Name)], Description: p.Description})
	}
	return out
}

// Reported returns the GUC_REPORT parameters and their current values, for
// ParameterStatus messages.
func (v *Vars) Reported() map[string]string {
	out := map[string]string{}
	for _, p := range params {
		if p.Report {
			out[p.Name] = v.values[strings.ToLower(p.Name)]
		}
	}
	return out
}

// CanonicalName returns PostgreSQL's spelling of a parameter name (for SHOW's column).
func CanonicalName(name string) string {
	if p, ok := LookupParam(name); ok {
		return p.Name
	}
	return strings.ToLower(name)
}

// Value checkers.

func enum(allowed ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		l := strings.ToLower(strings.TrimSpace(s))
		for _, a := range allowed {
			if l == a {
				return a, nil
			}
		}
		return "", &valueError{hint: "Available values: " + strings.Join(allowed, ", ") + "."}
	}
}

func boolean(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", &valueError{kind: "bool"}
}

func onlyOn(s string) (string, error) {
	b, err := boolean(s)
	if err != nil {
		return "", err
	}
	if b != "on" {
		return "", &valueError{detail: "Only on is supported."}
	}
	return b, nil
}

func intRange(lo, hi int) func(string) (string, error) {
	return func(s string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return "", &valueError{}
		}
		if n < lo || n > hi {
			return "", &valueError{kind: "range", shown: strconv.Itoa(n), bounds: fmt.Sprintf("%d .. %d", lo, hi)}
		}
		return strconv.Itoa(n), nil
	}
}

// duration accepts PostgreSQL's time values: a bare integer is milliseconds, or a
// number with a unit (us, ms, s, min, h, d). It normalises as PostgreSQL shows them.
func duration(s string) (string, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return "", err
	}
	return FormatDuration(d), nil
}

// ParseDuration parses a PostgreSQL time setting (bare integers are milliseconds).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, &valueError{}
	}
	if f < 0 {
		return 0, &valueError{kind: "range", shown: strings.TrimSpace(num + " " + map[string]string{"": "ms"}[unit] + unit), bounds: "0 .. 2147483647"}
	}
	m, ok := durationUnit(unit)
	if !ok {
		return 0, &valueError{hint: `Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`}
	}
	return time.Duration(f * float64(m)), nil
}

// durationUnit is the length of a time unit of a duration setting ("": ms). It is
// a switch, not a map, because statements parse statement_timeout and lock_timeout
// each time they start.
func durationUnit(unit string) (time.Duration, bool) {
	switch unit {
	case "", "ms":
		return time.Millisecond, true
	case "us":
		return time.Microsecond, true
	case "s":
		return time.Second, true
	case "min":
		return time.Minute, true
	case "h":
		return time.Hour, true
	case "d":
		return 24 * time.Hour, true
	}
	return 0, false
}

// FormatDuration shows a duration as PostgreSQL shows a millisecond time setting.
func FormatDuration(d time.Duration) string {
	ms := d.Milliseconds()
	switch {
	case ms == 0:
		return "0"
	case ms%(24*3600*1000) == 0:
		return fmt.Sprintf("%dd", ms/(24*3600*1000))
	case ms%(3600*1000) == 0:
		return fmt.Sprintf("%dh", ms/(3600*1000))
	case ms%(60*1000) == 0:
		return fmt.Sprintf("%dmin", ms/(60*1000))
	case ms%1000 == 0:
		return fmt.Sprintf("%ds", ms/1000)
	}
	return fmt.Sprintf("%dms", ms)
}

func clientEncoding(s string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQL_ASCII":
		return "SQL_ASCII", nil
	}
	return "", fmt.Errorf("only UTF8 is supported as client encoding")
}

// dateStyle accepts "ISO, MDY" style values; only ISO output is supported for now.
func dateStyle(s string) (string, error) {
	out, order := "ISO", "MDY"
	for _, part := range strings.Split(s, ",") {
		switch strings.ToUpper(strings.TrimSpace(part)) {
		case "ISO":
			out = "ISO"
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "":
		default:
			return "", fmt.Errorf("unrecognized or unsupported DateStyle keyword %q (Augur supports ISO output)", strings.TrimSpace(part))
		}
	}
	return out + ", " + order, nil
}

func timeZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "UTC", "GMT", "Z", "ZULU":
		return strings.ToUpper(s), nil
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", fmt.Errorf("time zone %q not recognized", s)
	}
	return s, nil
}

// Clone returns an independent copy (a transaction block saves one at BEGIN, so
// that ROLLBACK can undo SET, and COMMIT can undo SET LOCAL).
func (v *Vars) Clone() *Vars {
	c := &Vars{defaults: v.defaults, values: make(map[string]string, len(v.values)), custom: make(map[string]string, len(v.custom)), gen: v.gen}
	for k, x := range v.values {
		c.values[k] = x
	}
	for k, x := range v.custom {
		c.custom[k] = x
	}
	return c
}
