//go:build !long

package crash

// longRounds is 0 in the normal suite (20 rounds).
const longRounds = 0
