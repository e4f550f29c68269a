// Command neardup-beam runs neardup's Beam pipeline: the neardup command's
// clusters and JSONL output, computed on a Beam runner.
//
//	go run ./cmd/neardup-beam --input corpus.jsonl --output result.jsonl
//
// Without --runner it uses Beam's local runner; --runner=direct,
// --runner=dataflow (with --project, --region, --staging_location and
// gs:// paths), or a portable runner (--runner=flink or spark with
// --endpoint) run it elsewhere.
package main

import (
	"context"
	"flag"
	"log"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/neardup/neardup/examples/beam"
)

func main() {
	input := flag.String("input", "", "JSONL files of documents with \"id\" and \"text\", comma-separated, read in order")
	output := flag.String("output", "", "the JSONL result")
	flag.Parse()
	beam.Init()
	if *input == "" || *output == "" {
		log.Fatal("--input and --output are required")
	}
	p, s := beam.NewPipelineWithRoot()
	pipeline.Build(s, pipeline.Options{Inputs: strings.Split(*input, ","), Output: *output})
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatal(err)
	}
}
