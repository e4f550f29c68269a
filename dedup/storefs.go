package dedup

import (
	"io"
	"os"
)

// storeFS is what a Store needs of a file system: the operating system's
// (osFS), or, in tests, a simulation that keeps only what was synced when
// it "crashes", to check the order of writes, fsyncs and renames.
type storeFS interface {
	MkdirAll(dir string) error
	ReadDir(dir string) ([]string, error) // names
	ReadFile(path string) ([]byte, error)
	// OpenFile opens path for reading and writing, creating it if needed,
	// and truncating it with trunc.
	OpenFile(path string, trunc bool) (storeFile, error)
	Rename(from, to string) error
	Remove(path string) error
	SyncDir(dir string) error
	// Lock takes the directory's lock file, or reports why not.
	Lock(path string) (io.Closer, error)
}

// storeFile is an open file of a storeFS.
type storeFile interface {
	io.ReadWriteSeeker
	io.WriterAt
	Truncate(size int64) error
	Sync() error
	Close() error
}

// osFS is the operating system's file system.
type osFS struct{}

func (osFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func (osFS) ReadDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, err
}

func (osFS) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

func (osFS) OpenFile(path string, trunc bool) (storeFile, error) {
	flag := os.O_RDWR | os.O_CREATE
	if trunc {
		flag |= os.O_TRUNC
	}
	return os.OpenFile(path, flag, 0o644)
}

func (osFS) Rename(from, to string) error { return os.Rename(from, to) }
func (osFS) Remove(path string) error     { return os.Remove(path) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (osFS) Lock(path string) (io.Closer, error) { return lockDir(path) }

// writeFileSync writes b to path and syncs it before closing.
func writeFileSync(fsys storeFS, path string, b []byte) error {
	f, err := fsys.OpenFile(path, true)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
