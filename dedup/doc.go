// Package dedup finds near-duplicate news articles and picks the most
// complete copy of each: normalize (segmentation, Unicode form, tone marks,
// case, look-alikes) → shingle (syllable n-grams, package shingle) → sketch
// (MinHash signature, lead, numbers, chunks) → candidates (LSH bands, lead
// and verbatim-run keys) → verify (Config.Compare) → cluster (each document
// against its cluster's center) → canonical (most content, real numbers,
// diacritics, least boilerplate).
//
// Config.Cluster runs it on a batch, Config.ClusterReader on a corpus read
// twice instead of held in memory; both learn boilerplate first, and with
// Config.SpillDir keep part of each sketch on disk. A Stream
// checks each new document against those added before it, in an Index or
// any Backend (package redisindex shares one through Redis); a Store keeps
// a Stream on disk across restarts. Package stage exposes the stages to
// engines (Beam, SQL). The zero Config means the defaults; a field out of
// range is an error wrapping ErrConfig. Results are deterministic, and
// signatures, sketches and store files are versioned stored formats.
package dedup
