//go:build long

package integration

import "testing"

// TestCopyMemoryMillion is TestCopyMemory with a million rows of each format
// and the default txn_buffer_max.
func TestCopyMemoryMillion(t *testing.T) { testCopyMemory(t, 1_000_000, 0) }
