//go:build !unix

package dedup

import "os"

// lockDir opens the lock file; this platform gets no advisory lock, so
// keeping one process per store is up to the caller.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}
