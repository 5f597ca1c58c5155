package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startCPUProfile starts the process's CPU profile into the file at path; stop
// ends it and closes the file. The bench commands profile their own runs with it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeProfile writes the named runtime profile ("heap", "allocs", "block") to
// the file at path.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s profile: %w", name, err)
	}
	defer f.Close()
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		return fmt.Errorf("%s profile: %w", name, err)
	}
	return nil
}
