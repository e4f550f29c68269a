// Package dedup finds near-duplicate news articles and picks the most
// complete copy of each. A document goes through
//
//	normalize   segmentation, Unicode form, tone marks, case, look-alikes
//	shingle     word (syllable) n-grams, hashed (package shingle)
//	sketch      MinHash signature, lead, headline, numbers, chunks: Sketch
//	candidates  LSH bands, lead and verbatim-run keys
//	verify      Config.Compare: Jaccard, containment, aligned runs, numbers
//	cluster     each document against its cluster's center
//	canonical   most content, real numbers, diacritics, least boilerplate
//
// Config.Cluster runs it on a batch (Config.ClusterReader on a corpus read
// twice instead of held in memory) and learns the corpus's boilerplate
// lines first. A Stream checks each new document against everything
// added before it, as a crawler does; an Index is its in-memory LSH index
// and a Backend any other (package redisindex shares one through Redis);
// a Store is a Stream kept on disk across restarts. Package stage exposes
// the stages for engines that run them elsewhere (Beam, SQL over an
// export).
//
// The zero Config means the defaults, each explained where it is
// defined; every entry point returns an error wrapping ErrConfig for a
// field out of range. Results are deterministic: the same documents in
// the same order give the same clusters and canonicals, whatever the
// number of CPUs. Signatures, sketch encodings and store files are
// versioned stored formats, frozen by known-answer tests.
package dedup
