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
// step formed, in elements and bytes; --range_bytes sets the size of the
// ranges plain input is read in, --rounds the rounds of the
// connected-components step.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/neardup/neardup/examples/beam"
)

func main() {
	input := flag.String("input", "", "JSONL files of documents with \"id\" and \"text\", comma-separated, read in order")
	output := flag.String("output", "", "the JSONL result (the workers write it in shards under OUTPUT.shards)")
	rangeBytes := flag.Int64("range_bytes", 0, "size of the byte ranges in which plain input files are read (0: 64 MiB)")
	rounds := flag.Int("rounds", 0, "rounds of the connected-components step (0: pipeline.DefaultRounds)")
	groups := flag.Bool("groups", false, "print the largest group each step formed")
	flag.Parse()
	beam.Init()
	if *input == "" || *output == "" {
		log.Fatal("--input and --output are required")
	}
	opt := pipeline.Options{Inputs: strings.Split(*input, ","), Output: *output, RangeBytes: *rangeBytes, Rounds: *rounds}
	err := pipeline.Run(context.Background(), opt, func(ctx context.Context, p *beam.Pipeline) error {
		res, err := beamx.RunWithMetrics(ctx, p)
		if err == nil && res != nil && *groups {
			printGroups(res)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}

// printGroups writes to standard error the largest group each step
// formed, in elements and bytes, with the groups' count and mean.
func printGroups(res beam.PipelineResult) {
	type size struct{ elems, bytes metrics.DistributionValue }
	steps := map[string]*size{}
	for _, d := range res.Metrics().AllMetrics().Distributions() {
		name := d.Key.Name
		if steps[name] == nil {
			steps[name] = &size{}
		}
		switch d.Key.Namespace {
		case "neardup.group.elements":
			steps[name].elems = merge(steps[name].elems, d.Committed)
		case "neardup.group.bytes":
			steps[name].bytes = merge(steps[name].bytes, d.Committed)
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
}

// merge adds up a step's distributions (one per Beam step that records it).
func merge(a, b metrics.DistributionValue) metrics.DistributionValue {
	if a.Count == 0 {
		return b
	}
	return metrics.DistributionValue{Count: a.Count + b.Count, Sum: a.Sum + b.Sum, Min: min(a.Min, b.Min), Max: max(a.Max, b.Max)}
}
