package dedup

import (
	"context"
	"runtime/pprof"
)

// StageLabel is the pprof label key under which ClusterReader, Cluster
// and ClusterSketches run each stage of the batch pipeline, with one of
// the values "sketching", "learning boilerplate", "re-sketching" and
// "clustering". Every goroutine a stage starts carries the label, so a
// CPU profile of a program that calls them splits by stage:
//
//	go tool pprof -tagfocus 'neardup.stage=clustering' cpu.pprof
//
// Within a stage, the calling goroutine's own labels are replaced by this
// one (runtime/pprof offers no way to read them), and restored after it.
const StageLabel = "neardup.stage"

// inStage runs f with the goroutine labelled as stage name.
func inStage(name string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(StageLabel, name), func(context.Context) { f() })
}
