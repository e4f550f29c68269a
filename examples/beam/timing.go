package pipeline

import (
	"context"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// Step timing, for neardup-beam --timings. A step's DoFn records, for
// each element it takes (a range, a group), the time it spent on it and
// when it started and ended. The runner adds these up across workers:
// "neardup.time.busy" is a counter of microseconds, and
// "neardup.time.window" a distribution of both marks, whose minimum and
// maximum are when the step took its first element and finished its last.
// The time includes handing the output on, and with it the work of steps
// the runner fused behind this one; a runner's own work between steps
// (sorting, shuffling, holding elements) is in no step's busy time and
// shows as the gaps between windows.

// TimeEpoch is 2026-01-01 UTC in Unix milliseconds: window marks count
// from it, so that a distribution's sum of them (which nothing reads)
// stays clear of overflowing an int64 for a few years and 10^8 elements
// a step (two marks each, 3×10^10 ms a year: 6×10^18 after one year).
const TimeEpoch = 1767225600000

// timed records that step spent the time since start on one element. Call
// it deferred at the top of a ProcessElement.
func timed(ctx context.Context, step string, start time.Time) {
	end := time.Now()
	beam.NewCounter("neardup.time.busy", step).Inc(ctx, end.Sub(start).Microseconds())
	w := beam.NewDistribution("neardup.time.window", step)
	w.Update(ctx, start.UnixMilli()-TimeEpoch)
	w.Update(ctx, end.UnixMilli()-TimeEpoch)
}
