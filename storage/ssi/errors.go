package ssi

import (
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// PostgreSQL's wording of a serialization failure (src/backend/storage/lmgr/
// predicate.c). The reason codes name where the failure was found.
const (
	failureMessage = "could not serialize access due to read/write dependencies among transactions"
	failureHint    = "The transaction might succeed if retried."

	// A doomed transaction reads.
	reasonPivotConflictOut = "Canceled on identification as a pivot, during conflict out checking."
	// A doomed transaction writes.
	reasonPivotConflictIn = "Canceled on identification as a pivot, during conflict in checking."
	// A write made a transaction past PreCommit a pivot: the writer fails.
	reasonPivotWrite = "Canceled on identification as a pivot, during write."
	// A read made a writer past PreCommit a pivot: the reader fails.
	reasonOutToPivotRead = "Canceled on conflict out to pivot %d, during read."
	// A pivot (or a doomed transaction) asks to commit.
	reasonPivotCommit = "Canceled on identification as a pivot, during commit attempt."
	// Augur's own: the snapshot predates a commit whose record was dropped.
	reasonStaleSnapshot = "Canceled on a snapshot older than the serializable transactions still tracked."
)

// serializationFailure is the 40001 error with reason.
func serializationFailure(reason string) *pgerr.Error {
	return &pgerr.Error{
		Code:    pgerrcode.SerializationFailure,
		Message: failureMessage,
		Detail:  "Reason code: " + reason,
		Hint:    failureHint,
	}
}

// doomedErr is the error a call of doomed t returns; reason says which call
// it is, unless t was doomed for its snapshot.
func (t *Txn) doomedErr(reason string) *pgerr.Error {
	if t.doomed == doomedStale {
		return serializationFailure(reasonStaleSnapshot)
	}
	return serializationFailure(reason)
}
