//go:build long

package crash

// longRounds is the number of kill/recover rounds with -tags long.
const longRounds = 500
