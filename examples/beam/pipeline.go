// Package pipeline is neardup as an Apache Beam pipeline: the same
// clusters and canonicals as the neardup command, from the same JSONL or
// Parquet input, with neardup's own normalization, shingling and signing
// (package dedup/stage), and no step that holds the corpus.
//
// Every grouping step is keyed by something that stays small as the
// corpus grows: a byte range of an input file, a document, an exact
// content, a bucket of index keys, a set of postings (a verification
// job), a bucket of nodes of the components step, a line, an article of
// boilerplate learning or a shard of one, a connected component of
// verified copies or a part of a huge one, a range of output positions.
// None is keyed by a constant (TestNoConstantKeys).
// Index keys (about 60 for a 3 KB article) and component nodes go to hash buckets,
// one per megabyte of input (Options.Buckets), each sorted by key in the
// worker: a runner's cost per group key (Prism keeps a trigger state and a
// pending heap for each) would otherwise come about 60 times per
// document, and a bucket's size stays the same as the corpus grows. An
// index key that more than Options.KeyGroup documents carry (a site's
// template line as the lead, before boilerplate is learned, carried by a
// fixed share of any corpus) leaves its bucket and is split in shards of
// about KeyGroup documents each (hugekeys.go).
//
//	input files ─ ranges ──────┬─ read, sketch, lines ─ group (below) ─ articles ─ learn boilerplate (below) ─┐
//	                           └─ read again, sketch again, with the boilerplate as a side input ◄──────────┘
//	                                  ─ group ─ output shards ─ ordered merge
//
// A document's position is its file and the offset of its line (or its
// row number in a Parquet file), which a worker reading any range of a
// file knows; the runner never holds the corpus's text, as each pass
// reads its ranges itself.
//
// Grouping (group.go), run on the first sketches to find the articles that
// boilerplate learning counts lines by, and on the final ones:
//
//	exact copies     by the sketch's exact key: the first in group order
//	                 is the representative, the others follow it (the
//	                 first of a key of more than KeyGroup documents by
//	                 a combiner, its copies filed without a group,
//	                 families.go)
//	candidate pairs  by index key (band, lead, run key), filed in buckets
//	                 by the sketching step: the postings of each key in
//	                 group order, under the command's caps
//	                 (stage.Banding.Postings), and the later documents
//	                 that meet them; the keys with the same postings make
//	                 one verification job (a huge key's postings by a
//	                 combiner, its later documents in shards by content,
//	                 a job a shard)
//	verification     each document's sketch shipped once to each job it
//	                 is in; a job verifies its pairs (the postings with
//	                 each other, the later documents with the postings)
//	                 and emits them packed, a list per earlier document
//	                 and bundle of jobs, the bundle's repeats merged;
//	                 repeats across bundles merged by that document (those
//	                 of a document of more than KeyGroup partner words,
//	                 a family's first, in shards by partner, partners.go)
//	components       connected components of the verified pairs, from
//	                 a spanning forest of each bundle's
//	                 (large-star and small-star rounds, components.go;
//	                 the links of a node of more than KeyGroup links, a
//	                 star's center, rewritten without a group)
//	clusters         stage.ClusterSketches on each component, with its
//	                 pairs; a component of more than MaxComponent
//	                 documents in parts that share its first documents
//	                 in group order (giant.go)
//
// Boilerplate learning (boilerplate.go) counts each line once per article
// with combiners keyed by the line's hash, and broadcasts the learned set,
// which stays small, as a side input. Each document learns its joined
// article (articles that share a rare paragraph are one) by a join keyed
// by its article, or, for an article of more than KeyGroup documents (a
// family of copies), by a shard of it (joinArticles).
//
// Memory per step grows with the largest group of its key, not with the
// corpus: the documents of one exact key (at most KeyGroup; a larger
// key's are not grouped, families.go), the documents under one
// index key or a shard of one (at most about KeyGroup), the documents of
// one article or a shard of one (at most about KeyGroup), the job of a set
// of postings (their later documents of one shard of each key), the jobs
// a document is in (at most one per index key), a bucket of component
// nodes of at most KeyGroup links each, the partner words of one
// representative or a shard of them (at most about KeyGroup), a
// component of verified copies or a part of a huge one (at most about
// MaxComponent documents).
// Verifying by job rather than by pair ships a sketch once per
// job, not once per pair: a key's later documents meet up to
// Banding.Postings postings each, and a family of near copies, whose
// members share most keys with slightly different postings, makes
// hundreds of pairs per member but a few jobs. A component of more than
// MaxComponent documents, a family of copies that fills a share of the
// corpus, is split in parts, which can change its canonicals (giant.go).
// One group still grows with a large family, slowly: the verification
// job of postings its members share. The README's "Scaling out" gives
// the sizes measured.
//
// It is a module of its own so that Beam's dependencies stay out of
// neardup's go.mod. cmd/neardup-beam runs it on any runner by flags.
package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/neardup/neardup/dedup"
)

func init() {
	for _, t := range []any{input{}, span{}, doc{}, jobSketch{}, outLine{}, occ{}, arts{}, nodeLink{}, meeting{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn3x1[context.Context, input, func(span), error](&splitFn{})
	register.DoFn4x1[context.Context, span, func(doc), func(int64, []byte), error](&sketchFn{})
	register.Function1x2(idOf)
	register.DoFn3x1[context.Context, string, func(*int64) bool, error](&uniqueFn{})
	register.DoFn5x1[context.Context, span, func(*uint64, *bool) bool, func(doc), func(int64, []byte), error](&resketchFn{})

	register.DoFn4x1[doc, func(uint64, doc), func(int64, doc), func(int64, []byte), error](&exactKeyFn{})
	register.DoFn5x1[context.Context, uint64, func(*doc) bool, func(int64, doc), func(doc), error](&exactFn{})
	register.DoFn4x1[context.Context, int64, func(*[]byte) bool, func(uint64, meeting), error](&pairsFn{})
	register.DoFn5x0[context.Context, uint64, func(*meeting) bool, func(uint64, meeting), func(int64, uint64)](&meetFn{})
	register.Function1x2(sketchOf)
	register.DoFn5x0[context.Context, int64, func(*[]byte) bool, func(*uint64) bool, func(uint64, jobSketch)](&shipFn{})
	register.DoFn6x1[context.Context, uint64, func(*meeting) bool, func(*jobSketch) bool, func(int64, []byte), func(int64, int64), error](&verifyFn{})
	register.DoFn8x0[context.Context, int64, func(*doc) bool, func(*int64) bool, func(*[]byte) bool, func(int64, doc), func(int64, []byte), func(int64, []byte)](&labelFn{})
	register.DoFn7x1[context.Context, int64, func(*doc) bool, func(*[]byte) bool, func(int64, doc), func(int64, outLine), func(int64, int64), error](&componentFn{})

	register.DoFn3x0[int64, int64, func(int64, nodeLink)](&bothWaysFn{})
	register.DoFn3x0[int64, int64, func(int64, nodeLink)](&downwardFn{})
	register.DoFn4x0[context.Context, int64, func(*nodeLink) bool, func(int64, int64)](&starFn{})
	register.DoFn4x1[context.Context, int64, []byte, func(int64, int64), error](&rootFn{})
	register.Combiner3[[]byte, nodeLink, []byte](&nodeStatFn{})
	register.DoFn3x0[int64, []byte, func(int64, []byte)](&partnerCountFn{})
	register.DoFn6x0[context.Context, int64, []byte, func(*[]byte) bool, func(int64, []byte), func(string, []byte)](&routePartnersFn{})
	register.DoFn4x0[int64, int64, func(*[]byte) bool, func(int64, int64)](&hubRootsFn{})
	register.DoFn5x0[context.Context, string, func(*[]byte) bool, func(*int64, *int64) bool, func(int64, []byte)](&hubEdgesFn{})
	register.DoFn3x0[int64, []byte, func([]byte)](&hubsFn{})
	register.DoFn6x0[context.Context, int64, nodeLink, func(*[]byte) bool, func(int64, nodeLink), func(int64, int64)](&routeLinkFn{})

	register.Combiner3[arts, occ, arts](&distinctFn{})
	register.DoFn3x0[int64, doc, func(uint64, occ)](&occurrencesFn{})
	register.DoFn3x0[uint64, arts, func(int64, int64)](&paragraphLinksFn{})
	register.DoFn6x0[context.Context, int64, doc, func(*int64, *int64) bool, func(int64, doc), func(string, doc)](&routeArticleFn{})
	register.DoFn5x0[int64, int64, func(*int64, *int64) bool, func(int64, int64), func(string, int64)](&routeRootFn{})
	register.DoFn6x0[context.Context, int64, func(*doc) bool, func(*int64) bool, func(uint64, occ), func(int64, doc)](&joinArticleFn{})
	register.DoFn6x0[context.Context, string, func(*doc) bool, func(*int64) bool, func(uint64, occ), func(int64, doc)](&joinShardFn{})
	register.Function3x0(shared)
	register.DoFn3x0[uint64, arts, func(uint64)](&commonFn{})
	register.DoFn4x0[int64, doc, func(*uint64) bool, func(uint64, occ)](&openingFn{})
	register.DoFn5x0[context.Context, uint64, func(*arts) bool, func(*arts) bool, func(uint64, bool)](&boilerFn{})

	register.DoFn3x1[context.Context, int64, func(*outLine) bool, error](&writeShardFn{})

	register.Combiner3[[]byte, []byte, []byte](&sizeCountFn{})
	register.Combiner3[[]byte, []byte, []byte](&anchorFn{})
	register.DoFn6x1[int64, doc, func(*[]byte) bool, func(int64, doc), func(int64, doc), func(int64, []byte), error](&splitDocFn{})
	register.DoFn6x0[context.Context, int64, doc, func(*[]byte) bool, func(*int64, *[]byte) bool, func(string, doc)](&partDocFn{})
	register.DoFn7x0[context.Context, int64, []byte, func(*[]byte) bool, func(*int64, *[]byte) bool, func(int64, []byte), func(string, []byte)](&partEdgesFn{})
	register.DoFn8x1[context.Context, string, func(*doc) bool, func(*[]byte) bool, func(*int64, *[]byte) bool, func(int64, doc), func(int64, outLine), func(int64, int64), error](&partFn{})
	register.DoFn3x0[int64, int64, func(int64, int64)](&hugeArticleFn{})
	register.Function2x1(sumCounts)

	register.Combiner3[[]byte, []byte, []byte](&firstFn{})
	register.DoFn6x1[uint64, doc, func(*[]byte) bool, func(uint64, doc), func(uint64, doc), func(uint64, []byte), error](&routeFamilyFn{})
	register.DoFn7x0[context.Context, uint64, doc, func(*uint64, *[]byte) bool, func(int64, doc), func(doc), func(int64, doc)](&familyFn{})
	register.DoFn4x0[int64, int64, func(*uint64, *[]byte) bool, func(int64, int64)](&repRootsFn{})
	register.DoFn5x0[int64, doc, func(*int64, *int64) bool, func(int64, doc), func(int64, []byte)](&copyFn{})

	register.Combiner3[[]byte, []byte, []byte](&keyCountFn{})
	register.DoFn3x0[int64, []byte, func([]byte)](&hugeFn{})
	register.DoFn7x0[context.Context, int64, []byte, func(*[]byte) bool, func(int64, []byte), func(string, []byte), func(string, []byte)](&routeFn{})
	register.Combiner3[[]byte, []byte, []byte](&topFn{})
	register.DoFn4x0[string, []byte, func(*[]byte) bool, func(string, []byte)](&fanFn{})
	register.DoFn5x1[context.Context, string, func(*[]byte) bool, func(*[]byte) bool, func(uint64, meeting), error](&shardPairsFn{})

	register.Emitter1[span]()
	register.Emitter1[doc]()
	register.Emitter2[uint64, doc]()
	register.Emitter2[int64, doc]()
	register.Emitter2[int64, []byte]()
	register.Emitter1[[]byte]()
	register.Emitter2[string, []byte]()
	register.Emitter2[string, doc]()
	register.Emitter2[string, int64]()
	register.Iter2[int64, int64]()
	register.Iter2[int64, []byte]()
	register.Iter2[uint64, []byte]()
	register.Emitter2[uint64, []byte]()
	register.Emitter2[uint64, meeting]()
	register.Iter1[meeting]()
	register.Emitter2[uint64, jobSketch]()
	register.Emitter2[int64, uint64]()
	register.Emitter2[int64, outLine]()
	register.Emitter2[int64, int64]()
	register.Emitter2[int64, nodeLink]()
	register.Iter1[nodeLink]()
	register.Emitter2[uint64, occ]()
	register.Emitter2[uint64, arts]()
	register.Emitter1[uint64]()
	register.Emitter2[uint64, bool]()
	register.Iter1[int64]()
	register.Iter1[doc]()
	register.Iter1[[]byte]()
	register.Iter1[jobSketch]()
	register.Iter1[outLine]()
	register.Iter1[arts]()
	register.Iter1[uint64]()
	register.Iter2[uint64, bool]()
}

// Options are the pipeline's settings. Config must be the neardup
// command's (its zero value is the command's defaults).
type Options struct {
	// Inputs are JSONL or Parquet files, read in this order (local
	// paths, gs://, ...). JSONL is plain or gzip or zstd compressed, and
	// Parquet has string columns "id" and "text"; each is told by its
	// content. A plain JSONL file is read in ranges, on a file system
	// whose reader cannot seek each up to its start; a Parquet file is
	// read in runs of row groups, on a file system without random access
	// each into memory whole (parquet.go).
	Inputs []string
	// Output is the JSONL result, in input order; the workers write it in
	// shards under Output+".shards", which Merge joins.
	Output string
	Config dedup.Config
	// RangeBytes is the size of the byte ranges in which plain input
	// files are read (and of the output shards' input span); 0 means 64 MiB.
	RangeBytes int64
	// Rounds bounds the rounds of the connected-components step; 0 means
	// DefaultRounds. A component that needs more fails the pipeline with
	// an error that says so.
	Rounds int
	// Buckets is the number of groups that index keys are filed in; 0
	// means one per bucketBytes of input (gzip and Parquet input counted
	// 4 times its size), so that a group's size does not grow with the
	// corpus.
	Buckets int64
	// KeyGroup is the most documents an index key, an exact key, or an
	// article in boilerplate learning, is grouped with whole, and the
	// most links of a node of the components step, or partner words of
	// a representative; an index key that more carry, an article of
	// more, or a representative's words, are split in shards of about as
	// many, an exact key's documents are not grouped at all, and a
	// node's links are rewritten without a group (see splitHugeKeys,
	// splitFamilies, joinArticles, hubPartners and components). 0 means
	// 4,096.
	KeyGroup int64
	// MaxComponent is the most documents a component of verified copies
	// is clustered with whole; a larger one is split in parts of about as
	// many, which changes its result a little (see splitComponents). 0
	// means 65,536.
	MaxComponent int64
}

// bucketBytes is the input that one bucket of index keys serves: about
// 300 news articles, 25,000 index keys, under a megabyte.
const bucketBytes = 1 << 20

// bucketsFor returns the default Buckets for inputs: one per bucketBytes,
// at least one. An input whose size cannot be read counts as one bucket.
func bucketsFor(inputs []string) int64 {
	total := int64(0)
	ctx := context.Background()
	for _, p := range inputs {
		size := int64(bucketBytes)
		if fs, err := filesystem.New(ctx, p); err == nil {
			if n, err := fs.Size(ctx, p); err == nil {
				size = n
				if strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".parquet") {
					size *= 4
				}
			}
			fs.Close()
		}
		total += size
	}
	return max(1, (total+bucketBytes-1)/bucketBytes)
}

// DefaultRounds is the default number of large-star and small-star round
// pairs. Components of copies are stars and short chains: they converge
// in two or three; a path of 10^5 documents needs 17
// (TestComponentsConverge).
const DefaultRounds = 20

// defaultRangeBytes splits plain input into ranges that a worker reads in
// about a second.
const defaultRangeBytes = 64 << 20

// Build adds the pipeline to scope s. Run it, then Merge.
func Build(s beam.Scope, opt Options) {
	cfg, err := json.Marshal(opt.Config)
	if err != nil {
		panic(err)
	}
	if opt.RangeBytes <= 0 {
		opt.RangeBytes = defaultRangeBytes
	}
	if opt.Rounds <= 0 {
		opt.Rounds = DefaultRounds
	}
	spans := spans(s.Scope("spans"), opt.Inputs, opt.RangeBytes)

	buckets := opt.Buckets
	if buckets <= 0 {
		buckets = bucketsFor(opt.Inputs)
	}
	first, firstKeys := beam.ParDo2(s.Scope("sketch"), &sketchFn{Config: cfg, Buckets: buckets}, spans)
	checkIDs(s.Scope("ids"), first)
	if opt.KeyGroup <= 0 {
		opt.KeyGroup = defaultKeyGroup
	}
	if opt.MaxComponent <= 0 {
		opt.MaxComponent = defaultMaxComponent
	}
	articles, hugeArticles := group(s.Scope("preliminary"), cfg, first, firstKeys, opt.Rounds, buckets, opt.KeyGroup, opt.MaxComponent, nil)
	boiler := learnBoilerplate(s.Scope("boilerplate"), cfg, articles, hugeArticles, opt.Rounds, buckets, opt.KeyGroup)

	final, finalKeys := beam.ParDo2(s.Scope("resketch"), &resketchFn{Config: cfg, Buckets: buckets}, spans, beam.SideInput{Input: boiler})
	out, _ := group(s.Scope("final"), cfg, final, finalKeys, opt.Rounds, buckets, opt.KeyGroup, opt.MaxComponent, &shards{Span: opt.RangeBytes})
	writeShards(s.Scope("write"), opt.Output, out)
}

// config decodes a Config that Build encoded.
func config(b []byte) (dedup.Config, error) {
	var c dedup.Config
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Run is a convenience for programs and tests: it builds the pipeline,
// runs it with run and merges the output.
func Run(ctx context.Context, opt Options, run func(context.Context, *beam.Pipeline) error) error {
	p, s := beam.NewPipelineWithRoot()
	Build(s, opt)
	if err := Clear(ctx, opt.Output); err != nil {
		return err
	}
	if err := run(ctx, p); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return Merge(ctx, opt.Output)
}
