// Command neardup-beam runs neardup's Beam pipeline: the neardup command's
// clusters and JSONL output, computed on a Beam runner.
//
//	go run ./cmd/neardup-beam --input corpus.jsonl --output result.jsonl
//
// Without --runner it uses Beam's local runner (Prism); --runner=direct,
// --runner=dataflow (with --project, --region, --staging_location and
// gs:// paths), or a portable runner (--runner=flink or spark with
// --endpoint) run it elsewhere.
//
// The workers write the result in shards under OUTPUT.shards, one per
// input range; when the job ends, the command joins them into OUTPUT in
// input order (pipeline.Merge). --groups prints the largest group each
// step formed, in elements and bytes, and what was split to keep groups
// small, and --timings when each step was
// at work (its first and last element) and for how long in all;
// --range_bytes sets the size of the ranges plain JSONL and Parquet input
// are read in, --rounds the rounds of the connected-components step.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/neardup/neardup/examples/beam"
)

func main() {
	input := flag.String("input", "", "JSONL or Parquet files of documents with \"id\" and \"text\", comma-separated, read in order")
	output := flag.String("output", "", "the JSONL result (the workers write it in shards under OUTPUT.shards)")
	rangeBytes := flag.Int64("range_bytes", 0, "size of the byte ranges in which plain JSONL files are read, and of the runs of Parquet row groups (0: 64 MiB)")
	rounds := flag.Int("rounds", 0, "rounds of the connected-components step (0: pipeline.DefaultRounds)")
	maxComponent := flag.Int64("max_component", 0, "the most documents a component of verified copies is clustered with whole; a larger one is split in parts (0: 65,536)")
	keyGroup := flag.Int64("key_group", 0, "the most documents an index key, an exact key or an article of boilerplate learning is grouped with whole, and the most links of a component node or partners of a representative; a larger one is split (0: 4,096)")
	groups := flag.Bool("groups", false, "print the largest group each step formed")
	timings := flag.Bool("timings", false, "print when each step was at work, and for how long")
	flag.Parse()
	beam.Init()
	if *input == "" || *output == "" {
		log.Fatal("--input and --output are required")
	}
	opt := pipeline.Options{Inputs: strings.Split(*input, ","), Output: *output, RangeBytes: *rangeBytes, Rounds: *rounds, MaxComponent: *maxComponent, KeyGroup: *keyGroup}
	start := time.Now()
	var ran time.Time
	err := pipeline.Run(context.Background(), opt, func(ctx context.Context, p *beam.Pipeline) error {
		res, err := beamx.RunWithMetrics(ctx, p)
		ran = time.Now()
		if err == nil && res != nil && *groups {
			printGroups(res)
		}
		if err == nil && res != nil && *timings {
			printTimings(res, start, ran)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	if *timings {
		fmt.Fprintf(os.Stderr, "merge: %.1f s; whole run: %.1f s\n", time.Since(ran).Seconds(), time.Since(start).Seconds())
	}
}

// printGroups writes to standard error the largest group each step
// formed, in elements and bytes, with the groups' count and mean, and
// the counters of what was split or routed around a group because it
// would have grown with the corpus (namespace neardup.split).
func printGroups(res beam.PipelineResult) {
	type size struct{ elems, bytes metrics.DistributionValue }
	steps := map[string]*size{}
	for _, d := range res.Metrics().AllMetrics().Distributions() {
		name := d.Key.Name
		if !strings.HasPrefix(d.Key.Namespace, "neardup.group.") {
			continue
		}
		if steps[name] == nil {
			steps[name] = &size{}
		}
		switch d.Key.Namespace {
		case "neardup.group.elements":
			steps[name].elems = merge(steps[name].elems, fuller(d))
		case "neardup.group.bytes":
			steps[name].bytes = merge(steps[name].bytes, fuller(d))
		}
	}
	names := make([]string, 0, len(steps))
	for n := range steps {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "%-18s %10s %12s %12s %12s\n", "groups of", "count", "max elems", "max bytes", "mean elems")
	for _, n := range names {
		s := steps[n]
		mean := 0.0
		if s.elems.Count > 0 {
			mean = float64(s.elems.Sum) / float64(s.elems.Count)
		}
		fmt.Fprintf(os.Stderr, "%-18s %10d %12d %12d %12.1f\n", n, s.elems.Count, s.elems.Max, s.bytes.Max, mean)
	}
	split := map[string]int64{}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Key.Namespace == "neardup.split" {
			split[c.Key.Name] += max(c.Attempted, c.Committed)
		}
	}
	names = names[:0]
	for n := range split {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "split: %s: %d\n", n, split[n])
	}
}

// printTimings writes to standard error, for each step in the order they
// started, when it took its first element and finished its last (seconds
// since start, this process's start), and the time it spent on elements in
// all (see the pipeline's timing.go), then when the job ended.
func printTimings(res beam.PipelineResult, start, ran time.Time) {
	type step struct {
		window metrics.DistributionValue
		busy   int64
	}
	steps := map[string]*step{}
	get := func(name string) *step {
		if steps[name] == nil {
			steps[name] = &step{}
		}
		return steps[name]
	}
	all := res.Metrics().AllMetrics()
	for _, d := range all.Distributions() {
		if d.Key.Namespace == "neardup.time.window" {
			s := get(d.Key.Name)
			s.window = merge(s.window, fuller(d))
		}
	}
	for _, c := range all.Counters() {
		if c.Key.Namespace == "neardup.time.busy" {
			get(c.Key.Name).busy += max(c.Attempted, c.Committed)
		}
	}
	names := make([]string, 0, len(steps))
	for n, s := range steps {
		if s.window.Count > 0 {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := steps[names[i]].window, steps[names[j]].window
		return a.Min < b.Min || a.Min == b.Min && names[i] < names[j]
	})
	epoch := start.UnixMilli() - pipeline.TimeEpoch
	sec := func(ms int64) float64 { return float64(ms-epoch) / 1000 }
	fmt.Fprintf(os.Stderr, "%-28s %8s %8s %10s %10s\n", "step", "first s", "last s", "elements", "busy s")
	for _, n := range names {
		s := steps[n]
		fmt.Fprintf(os.Stderr, "%-28s %8.1f %8.1f %10d %10.1f\n", n, sec(s.window.Min), sec(s.window.Max), s.window.Count/2, float64(s.busy)/1e6)
	}
	fmt.Fprintf(os.Stderr, "job ended at %.1f s\n", ran.Sub(start).Seconds())
}

// fuller returns the committed or the attempted value of a distribution,
// whichever counts more updates: Prism sometimes reports a bundle's
// metrics in only one of them.
func fuller(d metrics.DistributionResult) metrics.DistributionValue {
	if d.Attempted.Count > d.Committed.Count {
		return d.Attempted
	}
	return d.Committed
}

// merge adds up a step's distributions (one per Beam step that records it).
func merge(a, b metrics.DistributionValue) metrics.DistributionValue {
	if a.Count == 0 {
		return b
	}
	if b.Count == 0 {
		return a
	}
	return metrics.DistributionValue{Count: a.Count + b.Count, Sum: a.Sum + b.Sum, Min: min(a.Min, b.Min), Max: max(a.Max, b.Max)}
}
