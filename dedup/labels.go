package dedup

import (
	"context"
	"runtime/pprof"
)

// StageLabel is the pprof label key under which Config.ClusterReader,
// Config.Cluster and stage.ClusterSketches run each stage of the batch
// pipeline, with one of the values "sketching", "learning boilerplate",
// "re-sketching" and "clustering". Every goroutine a stage starts carries
// the label, so a CPU profile of a program that calls them splits by
// stage:
//
//	go tool pprof -tagfocus 'neardup.stage=clustering' cpu.pprof
//
// runtime/pprof offers no way to read a goroutine's labels, so the
// calling goroutine's own labels give way to the stage's within a stage
// and are cleared after it: a program that labels the goroutine from
// which it calls these sets its labels again after the call
// (pprof.SetGoroutineLabels).
const StageLabel = "neardup.stage"

// inStage runs f with the goroutine labelled as stage name.
func inStage(name string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(StageLabel, name), func(context.Context) { f() })
}
