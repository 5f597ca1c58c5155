//go:build long

package learned

import "testing"

// TestLongRandomOperations is TestRandomOperations at fifty times the
// length, with both node sizes; run with -tags long.
func TestLongRandomOperations(t *testing.T) {
	for _, gen := range keyGens() {
		for _, cfg := range []config{smallConfig(), defaultConfig()} {
			t.Run(gen.name, func(t *testing.T) {
				for seed := uint64(100); seed < 104; seed++ {
					runOps(t, newTestIndex(cfg), gen, seed, 150000)
				}
			})
		}
	}
}
