// Package pgerr is the error type every layer of Augur returns when a client should
// see a PostgreSQL SQLSTATE: the planner for bad SQL, storage for a full disk, the
// session for a cancelled statement. The protocol layer turns an *Error into an
// ErrorResponse; any other error reaching a client is reported as XX000
// (internal_error), so code that knows the right SQLSTATE must say it here.
//
// It is a leaf package (it imports only pgerrcode) so that storage, planner,
// protocol and actors can all use it without import cycles.
package pgerr

import (
	"errors"
	"fmt"

	"github.com/jackc/pgerrcode"
)

// Severities as PostgreSQL spells them in the ErrorResponse 'S' and 'V' fields.
const (
	SeverityError = "ERROR"
	SeverityFatal = "FATAL"
	SeverityPanic = "PANIC"
)

// Error is a PostgreSQL error: a SQLSTATE, a message and the optional fields of an
// ErrorResponse. The zero Severity means ERROR.
type Error struct {
	Code     string // SQLSTATE, e.g. pgerrcode.SyntaxError ("42601")
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character position in the query text; 0 if none
	// Where is the context of the error (the W field), e.g. COPY's
	// "COPY t, line 3, column a: "x"".
	Where    string
	Severity string
	// Err is the underlying cause, if any; it is not shown to the client.
	Err error
}

// New returns an ERROR with the given SQLSTATE and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Fatal returns a FATAL error: the server ends the session after sending it.
func Fatal(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Severity: SeverityFatal}
}

// Wrap returns an ERROR with the given SQLSTATE whose message is msg and whose cause is err.
func Wrap(err error, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Err: err}
}

func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("%s: %s (SQLSTATE %s, position %d)", e.severity(), e.Message, e.Code, e.Position)
	}
	return fmt.Sprintf("%s: %s (SQLSTATE %s)", e.severity(), e.Message, e.Code)
}

func (e *Error) severity() string {
	if e.Severity == "" {
		return SeverityError
	}
	return e.Severity
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// WithPosition returns a copy of e with Position set.
func (e *Error) WithPosition(pos int32) *Error {
	c := *e
	c.Position = pos
	return &c
}

// WithDetail returns a copy of e with Detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithHint returns a copy of e with Hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// SeverityOrDefault returns the severity, ERROR when unset.
func (e *Error) SeverityOrDefault() string { return e.severity() }

// IsFatal reports whether the session must end after this error is sent.
func (e *Error) IsFatal() bool { return e.Severity == SeverityFatal || e.Severity == SeverityPanic }

// From returns the *Error in err's chain, or, when there is none, an internal_error
// (XX000) carrying err's text. It returns nil for a nil err.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Code: pgerrcode.InternalError, Message: err.Error(), Err: err}
}

// Code returns the SQLSTATE of err ("" for nil, XX000 for errors without one).
func Code(err error) string {
	if err == nil {
		return ""
	}
	return From(err).Code
}

// Common constructors used across layers.

// FeatureNotSupported is 0A000 for SQL Augur does not implement yet.
func FeatureNotSupported(format string, args ...any) *Error {
	return New(pgerrcode.FeatureNotSupported, format, args...)
}

// Syntax is 42601 at a 1-based position (0 if unknown).
func Syntax(pos int32, format string, args ...any) *Error {
	e := New(pgerrcode.SyntaxError, format, args...)
	e.Position = pos
	return e
}

// QueryCanceled is 57014, for a statement ended by a cancel request or a timeout.
func QueryCanceled() *Error {
	return New(pgerrcode.QueryCanceled, "canceling statement due to user request")
}

// ProtocolViolation is a FATAL 08P01.
func ProtocolViolation(format string, args ...any) *Error {
	return Fatal(pgerrcode.ProtocolViolation, format, args...)
}
