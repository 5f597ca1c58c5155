package store

// crash abandons the store as a killed process would: no WAL sync, no checkpoint.
// Badger is closed (its files must be released for the next Open in this process),
// which may persist more than a real crash would; tests that need Badger to lose
// everything delete its directory.
func (s *Store) crash() {
	s.commitMu.Lock()
	s.closed.Store(true)
	s.commitMu.Unlock()
	s.committer.Close()
	close(s.stop)
	s.bg.Wait()
	s.wal.Close()
	s.db.Close()
}
