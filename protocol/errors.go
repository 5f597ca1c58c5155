package protocol

import (
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/augurdb/augur/storage/pgerr"
)

// ErrorResponse builds the ErrorResponse message for err. The fields of a
// *pgerr.Error in err's chain map to the message's fields (severity S and V,
// SQLSTATE C, message M, detail D, hint H, position P); any other error is an
// internal_error (XX000) carrying err's text. A nil err also yields XX000, since a
// caller asking for the message of no error has a bug the client should see.
func ErrorResponse(err error) *pgproto3.ErrorResponse {
	e := pgerr.From(err)
	if e == nil {
		e = &pgerr.Error{Code: pgerrcode.InternalError, Message: "internal error: no error to report"}
	}
	code := e.Code
	if code == "" {
		code = pgerrcode.InternalError
	}
	severity := e.SeverityOrDefault()
	return &pgproto3.ErrorResponse{
		Severity:            severity,
		SeverityUnlocalized: severity,
		Code:                code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		Where:               e.Where,
	}
}
