// Package faultfs wraps a wal.FS so tests can make writes fail (ENOSPC, EIO, short
// writes) and fsyncs fail, then heal the file system again, the way a disk that fills
// up and is cleaned, or a failing device, behaves.
package faultfs

import (
	"os"
	"sync"

	"github.com/augurdb/augur/storage/wal"
)

// FS is a wal.FS with injectable faults. Faults apply to every file opened through it.
type FS struct {
	inner wal.FS

	mu          sync.Mutex
	writeErr    error
	writeBudget int // bytes that may still be written before writeErr hits
	syncErr     error
	syncs       int
}

// New wraps inner.
func New(inner wal.FS) *FS { return &FS{inner: inner} }

// FailWrites makes writes fail with err once budget more bytes have been written
// (budget 0: fail at once; a write that crosses the budget is a short write).
func (f *FS) FailWrites(err error, budget int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeErr, f.writeBudget = err, budget
}

// FailSyncs makes every fsync (of files and directories) fail with err.
func (f *FS) FailSyncs(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncErr = err
}

// Heal removes all faults.
func (f *FS) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeErr, f.syncErr = nil, nil
}

// Syncs returns how many successful file fsyncs have been made.
func (f *FS) Syncs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs
}

// OpenFile opens a file whose writes and syncs are subject to the faults.
func (f *FS) OpenFile(name string, flag int, perm os.FileMode) (wal.File, error) {
	file, err := f.inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

// Remove removes a file.
func (f *FS) Remove(name string) error { return f.inner.Remove(name) }

// Rename renames a file.
func (f *FS) Rename(o, n string) error { return f.inner.Rename(o, n) }

// ReadDir lists a directory.
func (f *FS) ReadDir(dir string) ([]string, error) { return f.inner.ReadDir(dir) }

// MkdirAll creates a directory.
func (f *FS) MkdirAll(dir string, perm os.FileMode) error { return f.inner.MkdirAll(dir, perm) }

// SyncDir fsyncs a directory, or fails with the injected sync error.
func (f *FS) SyncDir(dir string) error {
	f.mu.Lock()
	err := f.syncErr
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.inner.SyncDir(dir)
}

type faultFile struct {
	wal.File
	fs *FS
}

func (ff *faultFile) WriteAt(p []byte, off int64) (int, error) {
	ff.fs.mu.Lock()
	err, budget := ff.fs.writeErr, ff.fs.writeBudget
	if err != nil {
		n := min(budget, len(p))
		ff.fs.writeBudget -= n
		ff.fs.mu.Unlock()
		if n == len(p) {
			return ff.File.WriteAt(p, off)
		}
		if n > 0 {
			if _, werr := ff.File.WriteAt(p[:n], off); werr != nil {
				return 0, werr
			}
		}
		return n, err
	}
	ff.fs.mu.Unlock()
	return ff.File.WriteAt(p, off)
}

func (ff *faultFile) Sync() error {
	ff.fs.mu.Lock()
	err := ff.fs.syncErr
	ff.fs.mu.Unlock()
	if err != nil {
		return err
	}
	if err := ff.File.Sync(); err != nil {
		return err
	}
	ff.fs.mu.Lock()
	ff.fs.syncs++
	ff.fs.mu.Unlock()
	return nil
}
