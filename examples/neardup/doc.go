// Neardup finds near-duplicate articles in a corpus and names the best copy
// of each. It writes one JSON line per input document, with the id of the
// canonical copy of the document's cluster.
//
// Usage:
//
//	neardup [flags] [dir | file.jsonl | -] ...
//
// With no path, neardup reads its embedded sample: the five seed documents
// of the project, two of which are one report in two forms.
//
// # Inputs
//
// Each path is read in the order given.
//
//   - A directory is read recursively for regular files named *.txt, read
//     as they are, and *.html (*.htm) pages, whose article is extracted
//     with go-readability (the page's title as its first line), in lexical
//     path order. A document's id is its path relative to the directory,
//     with forward slashes. A page without a readable article is an error.
//     Files of records among them (a folder of shards: *.jsonl, *.ndjson,
//     plain, .gz or .zst; *.parquet; *.warc, *.wet, plain or .gz) are read
//     as if named one by one, in the same path order; other files are
//     ignored.
//   - A Parquet file (told by its first bytes) is read one row group at a
//     time; the id and the text are the string columns "id" and "text", or
//     those -id-field and -text-field name (meta.url reaches into a group).
//   - A WARC or WET file (.warc, .wet, each optionally gzipped record by
//     record, or an uncompressed file starting with "WARC/") is read record
//     by record: a response with status 200 and an HTML payload gives the
//     page's article as above, a conversion record (WET) its text; other
//     records (requests, redirects, images, metadata) are no documents. The
//     id is the record's WARC-Target-URI; the n-th capture of a URI (n ≥ 2)
//     gets "#capture-n" appended. A page without a readable article is
//     skipped with a warning.
//   - Any other path is JSONL: one object per line with string fields "id"
//     and "text" (or the fields -id-field and -text-field name, such as
//     url and content, or meta.url inside an object). Other fields are
//     ignored (but for the labels that -eval reads), blank lines are
//     skipped, and a UTF-8 byte-order mark at the start of the file is
//     skipped. A file that starts with a gzip member or a zstd frame
//     (.jsonl.gz, .jsonl.zst shards, whatever their name) is decompressed
//     as it is read; concatenated members and frames read as one stream.
//   - "-" reads JSONL from standard input. It may be given once.
//   - A FIFO or device named on the command line (a pipe, or
//     <(zcat corpus.jsonl.gz)) is read once, like standard input, and kept
//     in memory for the second reading.
//
// Inside a directory, anything that is not a regular file once links are
// followed (a FIFO, a device, a socket named *.txt) and any name that is
// not valid UTF-8 (which no JSON id can carry byte for byte) is skipped
// with a warning on standard error.
//
// Ids must be unique across all inputs, and they are written out byte for
// byte: an id that JSON decoding would change (invalid UTF-8, a lone
// surrogate escape, each decoded as U+FFFD) is refused with its line
// number. An id that spells U+FFFD itself is accepted.
//
// # Output
//
// JSONL on standard output, one object per input document, in input
// order:
//
//	{"id":"000_773b4760278ac736.txt","cluster":"001_f24a8f6e5e635755.txt","canonical":false,"similarity":1}
//
// "cluster" is the id of the cluster's canonical document. "canonical" is
// true for exactly one member of each cluster. "similarity" is the
// estimated Jaccard similarity of the document's content to the
// canonical's. A singleton is its own cluster and canonical.
//
// A one-paragraph summary goes to standard error: documents, clusters,
// copies, the LSH banding, the boilerplate lines learned, the time taken.
// -q silences it.
//
// With -keep, neardup reads its inputs once more and writes the
// deduplicated corpus: one document per cluster (its canonical, or with
// -keep-policy first its first member in input order), in input order, as
// it came in. JSONL inputs (plain, compressed, standard input) give a
// JSONL file of their lines, byte for byte, gzip or zstd compressed when
// its name ends in .gz or .zst; directories give a directory of their
// .txt and .html files at the same relative paths; Parquet files give a
// Parquet file of their rows with the input's schema; WARC files give a
// WARC file of their records, byte for byte (each its own gzip member
// when the input's were). Inputs of several kinds are refused: there is
// no one format to keep them in.
//
// With -report, an HTML report goes to a file, one page that opens
// offline (style inline, charts as SVG, no script): the histogram of
// cluster sizes and the distribution of the copies' similarity to their
// canonical, then the 20 largest clusters and 20 more taken evenly from
// the rest, each with up to 6 members beside its canonical, the words
// that differ marked (sergi/go-diff, word by word), with the canonical's
// reason and each member's verdict. neardup reads the inputs once more
// for those documents' texts.
//
// With -stats, a JSON summary goes to a file: documents, clusters,
// clusters with copies, documents removed, the histogram of cluster
// sizes, and the documents' text bytes kept and removed under the policy.
//
// # Errors and exit status
//
// neardup exits with status 0 when it has written its output. A missing,
// empty or duplicate id, a missing text (or -id-field, -text-field), a
// field that is not a string, invalid JSON, a damaged gzip or zstd
// stream, or an unreadable file stops it with a message naming the file and line (for example
// "in.jsonl:2: invalid JSON: …") and exit status 1, and so does a flag out
// of its range (-threshold NaN, -min-contained -1, -bands without -rows).
// Nothing is written to standard output then: every input is read before
// the first line of output.
//
// # Flags
//
//	-threshold F       estimated Jaccard similarity at which two documents are
//	                   copies, in (0, 1]; default 0.5
//	-containment F     share of a smaller document's content inside a larger one
//	                   at which it is a copy, in (0, 1]; default 0.8
//	-min-contained F   smallest size ratio for a containment match, in (0, 1];
//	                   default 0.3
//	-shingle N         syllables per shingle, 1 to 16; default 5
//	-hashes N          MinHash signature length, 1 to 4096; default 128
//	-bands N -rows N   override the LSH banding (both or neither); default:
//	                   chosen from the threshold
//	-keep-diacritics   compare with diacritics (accent-free copies then stay apart)
//	-no-number-check   merge copies even when their real numbers differ
//	                   (template articles)
//	-boilerplate N     distinct articles a line must appear in to count as
//	                   boilerplate; default 3; 0 or -1 turns learning off
//	-explain           print every cluster to standard error, with each
//	                   member's canonical score components and the verdict
//	                   that joined it
//	-eval              score the result against the labels in the JSONL input
//	                   and print the report to standard error (see Evaluating)
//	-id-field PATH     the JSONL field that holds a document's id (default id);
//	                   keys joined by dots reach into objects: meta.url
//	-text-field PATH   the JSONL field that holds its text (default text)
//	-keep PATH         also write the deduplicated corpus (see Output)
//	-keep-policy P     canonical (default) or first: which member -keep writes
//	-stats FILE        write a JSON summary of the clustering to FILE
//	-report FILE       write an HTML report to FILE (see Output)
//	-q                 no summary and no progress on standard error
//	-export DIR        instead of clustering, write the sketches and index keys
//	                   to DIR/docs.parquet and DIR/postings.parquet (see Scaling out)
//	-edges DIR         cluster the export in DIR with the candidate pairs an
//	                   engine wrote to DIR/edges.parquet; takes no paths, and
//	                   neither -export nor -eval
//	-cpuprofile FILE   write a CPU profile to FILE, its samples labelled by
//	                   stage (neardup.stage; go tool pprof -tags FILE)
//	-mem SIZE          a soft limit on the heap (1.5GB, 1400MB, 1300MiB): the
//	                   garbage collector works harder near it, so that peak
//	                   memory stays close to what the run keeps alive, which
//	                   must fit below it (see Larger corpora); implies -spill
//	                   in the system's temporary directory
//	-spill DIR         keep the sketches' alignment chunks and number
//	                   samples and the first reading's lines in temporary
//	                   files in DIR rather than in memory
//	                   (dedup.Config.SpillDir): about 40% less memory, the
//	                   same output
//	-timings           print the wall time of each stage to standard error:
//	                   reading and sketching, learning boilerplate (with the
//	                   preliminary clustering), re-reading the documents that
//	                   carry boilerplate, clustering, writing
//
// The settings are the fields of dedup.Config, whose documentation gives
// each default's reason.
//
// Unless the environment sets GOGC, the command runs the garbage
// collector at GOGC=25 rather than 100: most of what it keeps lies in
// large pointer-free blocks that a collection does not scan, so a heap a
// quarter above what is live costs about 5% more time at 10^5 documents
// and none at 10^6, for a third less memory.
//
// # Progress
//
// When standard error is a terminal, a line there shows the stage (reading
// and sketching, clustering, re-reading documents with boilerplate),
// documents per second, MB per second and, when every input is a file,
// the share done and the time left. Piped or with -q, nothing is shown.
//
// # How it works
//
// The defaults below are the zero dedup.Config; the reason for each
// constant is documented next to it in package dedup.
//
//   - Normalization (package shingle). Tokens are runs of letters. "_",
//     every kind of space, punctuation and digits separate them. Format
//     characters (U+200B, U+00AD, BOM) are deleted, Ð and ð are read as Đ
//     and đ, and camelCase is split ("iPhone" = "i Phone"). Each syllable
//     is keyed by its base letters plus its tone, so NFC/NFD and old/new
//     tone placement agree. Shingles are 5-syllable windows hashed with
//     XXH64. The scheme is versioned (shingle.Version) and frozen by
//     known-answer tests.
//   - Diacritics. By default, signatures are computed on diacritic-folded
//     syllables (đ → d), so an accent-free copy matches its original.
//     Diacritics still count when choosing the canonical: an accent-free
//     copy never beats its accented original. -keep-diacritics
//     (Config.KeepDiacritics) makes matching accent-sensitive.
//   - Signatures. 128-hash MinHash signatures with go-minhash's MinWise
//     hash functions (computed by neardup's own kernels and held equal to
//     go-minhash by a test), versioned with the sketch format
//     (stage.SignatureVersion, 4). Sketches keep 16 bits per minimum: the
//     top bits of the mixed minimum (b-bit minwise hashing), so two
//     different minimums share a code with probability 1/65,535 whatever
//     their values, and the estimates subtract those chance agreements.
//     The LSH banding minimises the false positive + false negative area
//     at the lowest similarity a verified match can have (a teaser's):
//     42 bands × 3 rows.
//   - Chunks and alignment. The content is cut where a shingle's hash
//     selects it, one word in 8 on average, so two texts that share a
//     passage verbatim are cut alike inside it; a sketch keeps each
//     chunk's hash and length (4 bytes a chunk). Aligning the smaller
//     document's chunks into the larger one's (the longest ordered
//     sequence, by words) estimates the share of its words that lie in
//     passages shared verbatim and in order, the number of such runs and
//     the longest. A shared run of n words yields about n − 18 words of
//     equal chunks (the chunks at its two ends run into text the other
//     lacks), and the estimate adds those 18 back per run: names, figures
//     and quoted phrases, which independent reports share, are too short
//     to count.
//   - Candidates. Documents that share a band (3 signature rows), a lead,
//     or a run key: the hash of three consecutive chunks, one such window
//     in four kept by its hash (a passage of about 30 words or more that
//     both carry verbatim). A run key keeps its first 4 documents, which
//     meet each other; a later one meets none of them, as a passage that
//     more documents carry is a common one (a press release quoted
//     everywhere). On made-up abridged copies with Jaccard under 0.5
//     (TestCandidateRecall -v in package dedup), the bands alone find 14%
//     of those at containment 0.6–0.7, 59% at 0.7–0.8 and 90% at 0.8–0.9;
//     with run keys, 86%, 95% and 99%.
//   - Exact copies. Documents whose sketches are equal in all that
//     verification reads (the same normalized content: a page and its
//     re-segmented or re-encoded copies, an error page served ten thousand
//     times) are verified and indexed once. In batch, each copy stands
//     behind the first of them in input order and takes its verdicts; in
//     an index, a store and on Redis, a copy is recorded (and found) but
//     filed under no key. The cost stays linear however large a group is:
//     100,000 one-word documents drawn from 16 words cluster in 1.3 to
//     1.6 s and about 200 MB with this command.
//   - Verification. Candidates are copies when their estimated Jaccard is
//     at least 0.5, or when at least 80% of the smaller document lies
//     inside a larger one at least 3/10 its size (teasers). A document that
//     opens with the same 8 syllables as another (its lead, taken from the
//     first line long enough, so menus and date lines above it do not
//     shift it) needs only 68% containment, at any size: that is how short
//     teasers are found. An abridged or reproduced copy (paragraphs
//     dropped, sentences merged, a new lede, headline or closing line, a
//     short item inside a longer page) is a copy when at least half of the
//     smaller text's shingles lie in the larger and at least 70% of its
//     words lie in passages aligned in order, at any size ratio.
//   - Numbers. Unless one side's numbers are masked, copies must agree on
//     them: each number is keyed by the two words before it, the word after
//     it and its place in a run of numbers (a context that recurs, like a
//     table's rows, also by its occurrence), and two or more contexts with
//     different numbers, more than a fifth of those both carry, mark
//     template reports, which are kept apart (one difference is what a
//     re-filed item with the next day's dateline, or a corrected figure,
//     shows). A headline with the same words and other figures
//     ("COPPER 11:30" and "12:30") is another edition of a report. Numbers
//     on boilerplate lines count (a daily table's rows recur across its
//     series and are boilerplate by their words). Numbers are real when
//     the text writes them as only real numbers are written: two different
//     digits, or a decimal, fraction, date or range with different sides
//     (1.5, 6-1/4, 12/9); masked copies write one placeholder per number or
//     digit (4 7 1, 1/1, 4444) and take no part. English number words
//     (zero to twenty and the tens, "two billion", "six pct") are figures
//     to this check, so that a daily report written "two billion" one day
//     and "1.5 billion" the next is two reports, and a copy that writes
//     "2" for "two" agrees; they count for nothing else, and a word
//     written with a diacritic (Vietnamese tên, "name") never is one.
//   - Boilerplate. Learned from the corpus, not from a phrase list. In
//     batch, a line counts as boilerplate if three distinct articles carry
//     it, or two if it is headline-sized (24 words or fewer: a link, a
//     caption, a credit). Lines are counted once per article, so an
//     article's own copies do not turn its lines into boilerplate: an
//     article is a preliminary cluster, joined with any other that shares
//     a paragraph with it (a line of more than 48 words, too rare to be
//     boilerplate), since a verbatim paragraph means the two are copies
//     that the page templates kept apart. A headline-sized line that opens
//     some of its articles' documents but not all is a link: boilerplate
//     on the page that links, kept as the headline of the article linked
//     to. In streaming, the same frequency rule is applied incrementally to
//     new articles only.
//   - Clusters. Documents are taken from the most content to the least.
//     Each joins the cluster of its best verified match, and must also lie
//     inside that cluster's center, so chains of pairwise matches cannot
//     merge unrelated articles. A document left alone gets a second pass:
//     it joins a match's cluster if it holds against the center or against
//     the cluster's provisional canonical (the center is only the largest
//     member, and leftover boilerplate can make a wrapped copy that).
//   - Canonical. The member with the highest score = coverage (the share
//     of the cluster's content it carries, each shingle weighted by how
//     many copies carry it: Σ|S_j ∩ S_m| / Σ|S_j| over the members j,
//     estimated pairwise, against an even sample of 64 members in larger
//     clusters) × numbers (0.9 if masked while others have real ones) ×
//     diacritics (0.8 if accent-free while others are accented) × content
//     share (words not on boilerplate lines). Ties go to the copy with fewer
//     look-alike letters (the same text, typed more cleanly), then to more
//     words, then to more numbers, then to the first in input order.
//     -explain shows the components.
//
// # Measured
//
// The figures in this documentation were measured on a 2-core VM with
// AVX-512, 24 GiB of memory, Linux, Go 1.26.8, with default settings; runs
// of this command used the built binary (go install ./examples/neardup).
// The two labelled sets are not distributed with the repository; their
// scoring script, score.py, comes with them, and -eval computes the same
// metrics.
//
// # Measured on the labelled dev set
//
// The dev set holds 2,982 documents: Vietnamese news with generated
// variants of every kind described above, plus English BBC articles with
// their natural duplicates. Scored by the set's score.py:
//
//	                                       P       R       F1      ARI     canonical  template false merges
//	neardup                                0.9984  1.0000  0.9992  0.9992  0.9984     0
//	datasketch MinHash-LSH (the set's      0.997   0.278   0.435   0.435   0.627      0
//	  reference, text-dedup settings)
//
// Recall is 1.000 on every variant kind. The 4 false pairs are English BBC
// pairs judged distinct: follow-up stories that reuse a background
// paragraph or most of an earlier story's text. The one canonical failure
// of 625 picks a partly segmented, one-line copy with masked digits over
// its original.
//
// # Measured on the natural set
//
// The natural set holds 2,053 real documents, judged by hand: Vietnamese
// outlets covering the same events, some republishing each other's
// articles, and Reuters wire items with their re-filings and daily
// template reports.
//
//	                                         P      R      canonical  Vietnamese R  Reuters R  template false pairs
//	neardup                                  0.970  0.637  0.867      0.446         0.989      3
//	ekzhu/minhash-lsh (the set's reference)  0.824  0.293  –          0.054         –          –
//
// Most Vietnamese copies left apart are renderings that reworded more than
// a third of the text; at that point they look like the independent
// reports of the same event that the set holds beside them, which share
// long quoted passages too. The 3 template false pairs are reports whose
// only difference is the date in the dateline, as in an item re-filed or
// stamped with another outlet's date, which the text cannot tell apart.
//
// Each run, on either set, took 0.16 to 0.36 s wall and 23 to 31 MB peak
// RSS, over the sessions that measured them:
//
//	/usr/bin/time -v neardup -q natural_dev.jsonl > pred.jsonl
//	python3 score.py natural_dev.jsonl pred.jsonl
//	python3 natural_by_source.py natural_dev.jsonl pred.jsonl
//
// # Larger corpora
//
// Command gencorpus (examples/gencorpus) writes a reproducible synthetic
// corpus: articles of about 3 KB whose sentences join halves of two
// sentences of a source JSONL (-src; the dev set for the figures here), so
// that each is new, as in a real corpus, with headlines of their own, 30%
// of them near-duplicates of 12 kinds, with gold labels:
//
//	go run ./examples/gencorpus -n 100000 > corpus.jsonl    # -n 1000000 for a million (3.2 GB)
//	/usr/bin/time -v neardup -q corpus.jsonl > pred.jsonl    # add -eval to score it
//
// Alternating runs in one session, with -timings for the wall time of
// each stage (medians):
//
//	generated docs  input   wall                      peak RSS         P / R (-eval)
//	100,000         317 MB  2.58 to 2.96 s (5 runs)   166 to 181 MB    1.0000 / 1.0000
//	1,000,000       3.2 GB  25.7 to 27.6 s (3 runs)   1.43 to 1.49 GB  1.0000 / 1.0000
//	10,000,000      32 GB   6 min 33 s                7.61 GB          1.0000 / 1.0000
//	                        (-eval -mem 7GB, 1 run)
//
// The 5 runs of 10^5 alternated with the ekzhu/minhash-lsh peer of the
// README (34.3 to 38.3 s); the 3 runs of 10^6, with
// the file in the page cache (reading it from disk adds about 3 s), with
// a build that scanned and hashed every token rather than keep its runs
// (dedup's runCache), called a function to decode each letter, scanned
// JSON strings 8 bytes at a time and checked ids with a map (30.8 to
// 32.2 s, 1.45 to 1.49 GB). The VM's
// speed drifts by 15% and more within an hour, and by up to 1.8× from one
// day to another, so runs far apart in time compare poorly. The run of
// 10^7 documents, read from disk (the file outgrows the page cache), had
// a canonical accuracy of 0.967 (0.967 at 10^6 too); its stages took 173,
// 82, 46 and 70 s, and writing with -eval's scoring 22 s.
//
//	stage (-timings, medians of 3 runs)   10^5     10^6
//	reading and sketching                 1.65 s   16.1 s
//	learning boilerplate                  0.26 s   3.5 s
//	re-reading documents with it          0.35 s   3.8 s
//	clustering                            0.21 s   2.7 s
//	writing                               0.01 s   0.12 s
//
// (both in the session of the 10^6 runs above). Each stage's CPU time is
// in a -cpuprofile's labels (go tool pprof -tags): at 10^6, one run,
// sketching 31.5 s, re-sketching 6.8 s, learning boilerplate 4.7 s,
// clustering 5.1 s, of 50.2 s in 26.1 s.
//
// -spill (and -mem, which implies it) keeps the sketches' alignment
// chunks and number samples and, until boilerplate is learned, every
// line's hash in unnamed temporary files, and buckets the run keys
// through one while they are sorted (dedup.Config.SpillDir): in memory
// stay the signature and the sketch's fields, about 390 bytes a
// document. The output is the same. On a slower day of the VM (10^6
// without flags in 63 to 67 s and 1.57 to 1.58 GB), 10^6 documents took
// 0.90 to 0.95 GB with -spill (3 runs) in as much time (61 to 76 s);
// 10^7 documents with -eval -mem 7GB took 17 min 22 s and 7.54 GB, and
// 17 min 27 s and 7.52 GB (2 runs; stages 507 to 523, 180 to 199, 129
// to 147 and 146 to 162 s, writing and scoring 43 to 52 s), with the
// scores of a run without flags (9 min 50 s and 16.4 GB on another
// day); on a faster day, 9 min 20 s and 8 min 56 s, and 6 min 33 s with
// the run cache of dedup's sketching (the table above).
// What remains in memory at 10^7 peaks at the end of clustering and the
// start of writing: the signatures and sketches (3.9 GB) and the results
// (168 bytes a document and each cluster's scores).
//
// A soft limit trades time for memory, and holds only when what the run
// keeps alive fits well below it: the live heap of 10^6 documents peaks
// at about 1.05 GB in boilerplate learning (about 700 bytes of sketch per
// document: signature, alignment chunks, fields, number sample; the line
// hashes that occur in more than one document; the candidate keys), and
// the clustering stage's heap objects at about 1.14 GB (the sketches and
// each document's result, 168 bytes that point at its sketch). Peak RSS
// runs above the live heap by the free memory the runtime keeps mapped:
// 200 to 600 MB at the peaks. The command returns what the first reading
// freed to the system before boilerplate learning (debug.FreeOSMemory):
// the learning's large arrays need fresh spans, which the reading's small
// freed ones cannot serve, and that took 10^6 documents from 1.59 to 1.43
// to 1.51 GB (3 runs each, alternating). On 10^6 documents, -mem 1400MB took 51 s
// (in the slower hour) with a peak RSS of 1.38 GB (one run).
//
// The command streams files and directories: it reads them once to sketch
// (JSONL in 1 MB blocks, parsed and sketched on every core) and once more
// to re-sketch the documents that carry learned boilerplate, and keeps
// about 1 KB per document, not the text.
// Batch grouping finds candidate pairs by sorting each band's keys and
// verifies them in parallel. A family of near copies (syndication, a
// crawl's error pages, a template's pages) costs more than its size: each
// member meets the family's first 64 copies under most of its band keys
// and is verified against each of them once (a meeting is kept as one
// 8-byte entry a key and member, not as a pair a posting). On the same
// VM, 10^6 documents of which 30% are copies of three articles (go run
// ./examples/gencorpus -n 1000000 -families 0.3) took 122.1 to 122.7 s
// and 2.68 to 2.79 GB peak RSS (3 runs), against 61 to 65 s and 1.44 to
// 1.61 GB for 10^6 documents without families (4 runs, the same hour);
// by -timings, learning boilerplate took 27 to 32 s there against
// 6 to 7 s, and clustering 32 to 39 s against 6 s, most of it verifying
// the families' pairs, in the preliminary clusters and the final ones.
//
// The streaming dedup.Index holds about 1,030
// bytes per 400-word document at the defaults (TestIndexBytesPerDoc),
// 370 of them for alignment chunks and run keys.
//
// From 10^5 to 10^6 documents, 10× the documents cost about 10× the
// time, median against median; from 10^6 to 10^7, about 14× (371 s to
// the end of clustering, the file read from disk, against about 26 s;
// reading and sketching alone, 11×). The machine's speed drifts by 15% and more within minutes, so
// the ratios are rough. What grows faster than the corpus: the candidate pair sort
// (n log n; band, run and boilerplate keys go through linear bucket
// sorts), chance candidate pairs (this generated corpus draws every
// article from one pool of sentences; most are rejected from the
// estimated intersection alone), cache misses on a heap ten times larger
// (reading one band of every signature costs about 80 ns a document at
// 10^6), and the kernel's share (page faults, about 12 µs each on this
// VM: 0.7 to 0.9 s of system time at 10^5, 7.0 to 7.8 s at 10^6).
//
// # Benchmarks
//
// From one invocation of
//
//	go test ./dedup ./shingle -run '^$' -bench . -count 6 | benchstat
//
// (± is benchstat's interval on this noisy VM):
//
//	benchmark                                               time                                  throughput
//	Sketch/3072B (normalize, shingle, sign, chunk:          23.9 µs ± 14%                         123 MiB/s
//	  the signing stage)
//	Sketch/16384B                                           112 µs ± 42%                          140 MiB/s
//	MinWisePush (go-minhash Push alone, the same distinct   35.7 µs ± 5% (same hour; run in
//	  shingles as 3 KiB, Signature's hash functions)        the oracle module, see below)
//	AppendSignature (neardup's kernel, same shingles,       3.05 µs ± 1% (AVX-512);
//	  same values)                                          20.7 µs ± 10% (-tags purego, same hour)
//	shingle AppendHashes/3072B (normalize and shingle)      15.9 µs ± 4%                          185 MiB/s
//	shingle AppendShingles (600 token hashes, 5-word        1.03 µs ± 7% (AVX-512);
//	  windows)                                              7.17 µs ± 16% (portable loop)
//	Compare (teaser against article)                        239 ns ± 13%
//	CompareAligned (abridged copy against article:          1.76 µs ± 21%
//	  containment and alignment, reason formatted)
//	EstimateIntersection                                    78.2 ns ± 11%
//	CountEqual (two 128-code signatures)                    64.1 ns ± 29%
//	eval Score (10^5 labelled documents; -eval's scoring,   32.4 ms (5 runs, a separate session)
//	  go test ./dedup/eval -bench Score)
//	IndexAdd / IndexQuery (1,000 docs, a fresh index        9.74 µs ± 18% / 7.48 µs ± 22%
//	  each time)
//	StoreAdd 3 KiB, 8 writers (2 runs each, a separate      82–96 / 98–109 / 242–250 / 340–355 µs
//	  session): in-memory Stream / SyncNone / SyncGroup /
//	  SyncEach
//
// Signatures are go-minhash's MinWise values (TestAppendEqualsMinWise, in
// the module dedup/internal/minwise/oracle, holds both kernels to
// go-minhash; MinWisePush runs there too), computed by neardup's own
// kernels:
// with AVX-512 the 128 minimums stay in 16 registers, 8 hashes an
// instruction, and shingle hashes and MinHash steps are computed 8 at a
// time too; elsewhere four shingles at a time in plain Go. The signing
// stage costs 0.67× Push alone with the AVX-512 kernels (the table's run).
// With the portable one, ten alternating runs of the two test binaries
// (go test -c -tags purego, -bench 'Sketch/3072B' in ./dedup and
// 'MinWisePush' in the oracle module) gave 36.8 µs ± 2% against 24.9 µs
// ± 1%: 1.48× (1.44× to 1.56× run by run); eight such runs on another
// day gave 35.0 µs ± 2% against 29 to 41 µs, Push alone running at one of
// two speeds there (0.85× to 1.13× run by run); four on a third day, 47.5
// to 58.3 µs against 29.9 to 34.3 µs (1.42× to 1.70× run by run, 1.62×
// the median). Of the portable stage, the kernel takes about 45%; the
// rest (normalization, tokenization, shingle and line hashes, numbers)
// costs about 0.8× Push alone. An fsync costs about 250 µs on this
// machine; with concurrent writers group commit shares some of them
// (about 245 µs per add against 345 µs for SyncEach). It shares fewer
// than the number of waiting writers suggests; the cause is not
// established (possibly appends waiting for the page under writeback).
//
// # Evaluating on your own data
//
// Give neardup a labelled JSONL file in the dev set's format: besides "id"
// and "text", each line has "cluster" (documents with the same value are
// copies), and optionally "canonical_ok" (false for lossy copies, which
// should not be canonical), "kind" (the variant kind) and "lang". Then add
// -eval:
//
//	neardup -eval labelled.jsonl > pred.jsonl
//
// Every document must carry a "cluster" label. The report goes to standard
// error. It has the metrics of the dev set's score.py: pairwise precision,
// recall and F1, the adjusted Rand index (also per language), canonical
// accuracy with failure reasons, recall by variant kind, and false merges,
// with template negatives counted apart. CI checks that both give the same
// report on the dev set where it is present. Go programs can call
// eval.Score (package github.com/neardup/neardup/dedup/eval) directly.
//
// # Scaling out
//
// One process is the first choice: this command clusters a million 3 KB
// articles in 37 to 39 s on 2 cores, about a minute on the VM's slower
// days (see Larger corpora). Three other modes cover what one process
// cannot:
//
//   - A shared index on Redis (package dedup/redisindex, standalone or
//     Redis Cluster): a fleet of crawler processes on many hosts that must
//     agree on what was seen. 2,200 to 2,700 documents/s from 8 workers
//     into a local 3-primary cluster; about 1.4 KB of Redis memory per
//     document.
//   - -export, candidate pairs in SQL (DuckDB, Spark), then -edges: candidate
//     generation on an engine already in use, with this command verifying
//     and picking canonicals. 10^5 documents: export 5.7 s (190 MB of
//     Parquet), edges.sql on DuckDB 1.3 s, -edges 1.0 s; output identical
//     to one run.
//   - A Beam pipeline (examples/beam: direct, prism, Dataflow, Flink,
//     Spark): every step spread over a cluster's workers, none holding
//     the corpus, in an existing Beam deployment. 10^5 documents on the
//     local Prism runner: 133–144 s, 5.0–5.4 GB; output identical to this
//     command's (the README's "Scaling out").
//
// In one process, dedup.Stream and dedup.Store serve one crawler or a
// curation job that fits one machine (10^5 documents with this command:
// 2.58 to 2.96 s, 166 to 181 MB; see Larger corpora).
//
// A shared index on Redis. redisindex.New(ctx, client, redisindex.Options{...})
// returns a dedup.Backend; dedup.NewStream(cfg, ix) puts a Stream on it,
// and examples/crawler -redis host:port (several, comma-separated: a
// cluster) shows the switch. Its key layout, the fleet-wide order that
// decides between copies added at once, memory per document, expiry and
// the measured fleet and restart tests are documented in package
// dedup/redisindex (go doc ./dedup/redisindex).
//
// Candidate pairs in SQL. neardup -export DIR corpus.jsonl writes
// docs.parquet (id, position, the sketch fields, the compact signature as
// a list) and postings.parquet (one row per index key). The reference SQL,
// examples/neardup/edges.sql, ranks the postings of each key and writes
// edges.parquet (the candidate pairs) and components.parquet (the
// connected components, units of work that never share a cluster); run it
// with the export's directory as working directory. neardup -edges
// DIR reads them back and writes the usual JSONL, byte-identical to a
// direct run; it refuses an export made with other sketching settings.
// examples/duckdb, a module of its own (DuckDB is a cgo library), runs the
// SQL on DuckDB over an export and checks the result:
//
//	cd examples/duckdb && GOWORK=off go test ./...
//
// A Beam pipeline. examples/beam (its own module: Beam's dependencies stay
// out of neardup's go.mod) reads JSONL in byte ranges, sketches on the
// workers with the same stages this command runs (package dedup/stage:
// SketchLines, FinalSketch, AppendIndexKeys, ClusterSketches), learns
// boilerplate by LearnBoilerplate's rules with combiners keyed by line,
// and writes the same JSONL:
//
//	cd examples/beam && GOWORK=off go run ./cmd/neardup-beam --input corpus.jsonl --output result.jsonl   # --runner=direct|dataflow|flink|spark
//
// Its test compares the direct runner's output with this command's, line
// for line, on the dev set where it is present and on the repository's
// seeds and fixtures otherwise. No step holds the corpus: candidate pairs
// come from buckets of index keys, verification gets each document's
// sketch once per job of pairs it is in and sends the verified pairs on
// packed by document, connected components are computed in large-star
// and small-star rounds, and each component is grouped on its own worker.
// --groups prints the largest group each step formed, --timings when each
// step was at work. It reads JSONL and Parquet. On the 2-core machine
// above, the local Prism runner takes 133–144 s and 5.0–5.4 GB for 10^5
// documents that this command clusters in 5.7–6.4 s and 193–212 MB: the price of its
// generality, not a gain on one machine.
package main
