package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
)

// shardDir is where the workers write the result's shards.
func shardDir(output string) string { return output + ".shards" }

// writeShards writes the result lines, KV<shard, outLine>, one file per
// shard: the documents of one input range, in input order,
// in a file named by the range's first position in hexadecimal, so that
// the files in name order are the result in input order.
func writeShards(s beam.Scope, output string, lines beam.PCollection) {
	beam.ParDo0(s, &writeShardFn{Dir: shardDir(output)}, beam.GroupByKey(s, lines))
}

type writeShardFn struct{ Dir string }

func (f *writeShardFn) ProcessElement(ctx context.Context, shard int64, next func(*outLine) bool) error {
	defer timed(ctx, "write shards", time.Now())
	var ls []outLine
	var l outLine
	size := 0
	for next(&l) {
		ls = append(ls, l)
		size += len(l.Line)
	}
	groupSize(ctx, "output shards", len(ls), size)
	slices.SortFunc(ls, func(a, b outLine) int { return cmp.Compare(a.Pos, b.Pos) })
	name := fmt.Sprintf("%s/%016x.jsonl", f.Dir, shard)
	if !strings.Contains(name, "://") {
		if err := os.MkdirAll(f.Dir, 0o755); err != nil {
			return err
		}
	}
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if _, err := w.Write(l.Line); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// shardFiles lists the shards of output, in name order.
func shardFiles(ctx context.Context, fs filesystem.Interface, output string) ([]string, error) {
	files, err := fs.List(ctx, shardDir(output)+"/*.jsonl")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b string) int { return cmp.Compare(filepath.Base(a), filepath.Base(b)) })
	return files, nil
}

// Clear removes the shards of an earlier run that wrote output, which
// Merge would otherwise join with the next run's; Run calls it first.
func Clear(ctx context.Context, output string) error {
	fs, err := filesystem.New(ctx, output)
	if err != nil {
		return err
	}
	defer fs.Close()
	files, err := shardFiles(ctx, fs, output)
	if err != nil || len(files) == 0 {
		return err
	}
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		return fmt.Errorf("%s holds shards of an earlier run, and its file system cannot remove them", shardDir(output))
	}
	for _, f := range files {
		if err := rm.Remove(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// Merge writes output from the shards the pipeline wrote: their
// concatenation in name order, which is input order. It streams each
// shard once, so it takes time in proportion to the result and constant
// memory, on the machine that calls it; a job whose result is read in
// shards can skip it.
func Merge(ctx context.Context, output string) error {
	fs, err := filesystem.New(ctx, output)
	if err != nil {
		return err
	}
	defer fs.Close()
	files, err := shardFiles(ctx, fs, output)
	if err != nil {
		return err
	}
	w, err := fs.OpenWrite(ctx, output)
	if err != nil {
		return err
	}
	for _, name := range files {
		r, err := fs.OpenRead(ctx, name)
		if err != nil {
			w.Close()
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}
