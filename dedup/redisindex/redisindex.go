// Package redisindex is a dedup.Backend kept in Redis, so that a fleet of
// processes (crawlers on many hosts) agrees on what has been seen. It runs
// on a standalone server and on Redis Cluster.
//
// # Layout
//
// Every key starts with the namespace (Options.Namespace):
//
//	ns:cfg        the fingerprint of the Config (checked by New)
//	ns:d:<idh>    one document: its order, id and sketch (dedup.Sketch.AppendBinary)
//	ns:x:<h>      the id hash of the first document whose sketch encodes to
//	              XXH64 h: its exact copies find it there
//	ns:b:<group>  a hash of band buckets: field = the low 4 bytes of the
//	              band key, value = 12-byte entries (id hash, second added),
//	              oldest first
//
// idh is the XXH64 of the id, in hex. Bucket groups are the top bits of
// the band key (Options.Documents sets how many), so the buckets spread
// over every slot of a cluster and small hashes stay in Redis's compact
// listpack encoding. Two band keys that agree in their group and their low
// 4 bytes share a bucket; that costs a verification, never a wrong answer.
//
// # Decisions under concurrency
//
// Add sends, in one pipelined round trip, the document's record and
// one single-key Lua script per band that returns the bucket's entries and
// appends the document's own. No transaction spans keys, so two copies
// added at once may each see the other in some band and not in another.
// The rule that makes that safe: every document gets a fleet-wide order,
// (time in microseconds from the process's hybrid clock, id hash), and a
// document is a copy only of a verified candidate that comes before it in
// that order. Of a family of copies, the first in that order is never
// reported as a copy, so no article is dropped entirely; a copy is missed
// (kept as well) only when it did not see an earlier member that was being
// added at the same moment, or one stamped earlier by a clock that runs
// behind. When candidates exist, fetching their records to verify them is
// a second round trip.
//
// An exact copy of an earlier document (the same sketch: the same content,
// whatever the page around it) is reported as its copy and its bucket
// entries are taken out again, a third round trip: a text that a crawl
// meets thousands of times (an error page, a cookie wall) then fills no
// bucket, and every later copy verifies against its first instance
// rather than against the copies a full bucket would hold (64, stage.Banding.Postings).
//
// An id is indexed once. Adding it again as a retry after a connection
// loss completes the first attempt; adding it again later (a page crawled
// twice) changes nothing and reports its first version among the copies
// when the text still matches.
//
// # Using it
//
// New returns a dedup.Backend; dedup.NewStream(cfg, ix) puts a Stream on it,
// so a crawler moves from an in-memory index to a shared one by
// configuration (examples/crawler -redis host:port, or a comma-separated
// list of Redis Cluster nodes). Every process of a fleet uses the same
// Config, Namespace and Options.Documents; New refuses an index made with
// another Config (ErrConfig). Boilerplate is still learned by each process
// from the articles it sees.
//
// Options.TTL makes documents expire: records expire by Redis TTL, and
// bucket entries are pruned as adds meet them and by Sweep. Remove takes one
// document out.
//
// Adds retry lost connections until their context ends (or Options.RetryFor
// passes, when the context has no deadline). A document is acknowledged only
// when Redis has it.
//
// # Memory
//
// About 1.4 KB of Redis memory per document, from Redis's used_memory: a
// record of 450 to 520 bytes (256 of them the compact signature), and the
// rest bucket entries: one for each of the document's index keys
// (stage.AppendIndexKeys: 42 bands, a lead and its run keys), each a
// 12-byte entry under a 4-byte field, grouped in listpack hashes. An
// exact copy of a stored document (the same sketch) is recorded but keeps
// no bucket entries, so a page seen ten thousand times costs one set of
// them.
//
// # Measured
//
// On a 2-core VM (AVX-512, 24 GiB, Linux, Go 1.26.8), 8 workers add 2,200
// to 2,700 documents/s into a local 3-primary cluster
// (TestConcurrentFamilies). With NEARDUP_REDIS_FAMILIES=5000 (20,000
// documents, families of 4 copies) and each family's copies queued back to
// back, so that different workers add them at the same moment, the index
// kept 5,113 documents where 5,000 is right, and no family lost every copy;
// shuffled, as a crawl delivers them, it kept exactly 5,000.
//
// TestServerRestart kills a standalone server (AOF, appendfsync always) with
// SIGKILL and restarts it twice while four writers add documents: all 600
// acknowledged documents are in the index afterwards.
//
// # Tests
//
// The tests run against a standalone server and a 3-primary cluster, both
// on 127.0.0.1, which .ci/redis starts:
//
//	eval "$(bash .ci/redis start)"   # sets NEARDUP_REDIS_ADDR and NEARDUP_REDIS_CLUSTER
//	go test ./dedup/redisindex/...
//	bash .ci/redis stop "$NEARDUP_REDIS_DIR"
//
// Without those variables the Redis tests skip; with CI set they fail
// instead.
package redisindex

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/redis/go-redis/v9"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/internal/engine"
	"github.com/neardup/neardup/dedup/stage"
)

// Options configures an Index. The zero value (but for Config, which must
// match the fleet's) is usable.
type Options struct {
	// Config is the configuration every process of the fleet sketches
	// with. New stores its fingerprint and refuses an index made with
	// another (hashes, shingle size, diacritics, banding).
	Config dedup.Config
	// Namespace prefixes every key; "neardup" when empty.
	Namespace string
	// TTL is how long a document stays indexed; 0 keeps it until Remove.
	// Records expire by Redis TTL; bucket entries are dropped when a later
	// add touches their bucket, or by Sweep.
	TTL time.Duration
	// Documents is the number of documents the index is sized for; 0
	// means 1,000,000. Bucket hashes are Documents × (bands+1) / 64,
	// rounded up to a power of two, so that a hash holds some 64 buckets:
	// enough to spread the per-key overhead, few enough for Redis's
	// compact listpack encoding (hash-max-listpack-entries, 128 by
	// default). Every process of the fleet must use the same value (New
	// checks it); 10 times off costs memory, not correctness.
	Documents int
	// RetryFor bounds the retries of one call when its context has no
	// deadline; 0 means 30 seconds.
	RetryFor time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ErrConfig reports an index created with another Config.
var ErrConfig = fmt.Errorf("%w: redisindex: the index in Redis was made with another Config", dedup.ErrFormat)

// Index is a dedup.Backend in Redis. It is safe for concurrent use, by any
// number of goroutines and processes.
type Index struct {
	rdb      redis.UniversalClient
	cfg      dedup.Config
	ns       string
	ttl      time.Duration
	shift    uint
	retryFor time.Duration
	now      func() time.Time

	mu   sync.Mutex
	last uint64 // the hybrid clock: the last order stamp handed out
}

var (
	_ dedup.Backend = (*Index)(nil)

	addScript    = redis.NewScript(addLua)
	removeScript = redis.NewScript(removeLua)
	unsetScript  = redis.NewScript(unsetLua)
	sweepScript  = redis.NewScript(sweepLua)
)

// New returns the index kept under opt.Namespace on rdb (a *redis.Client,
// *redis.ClusterClient or any UniversalClient), creating it if needed.
func New(ctx context.Context, rdb redis.UniversalClient, opt Options) (*Index, error) {
	if err := opt.Config.Validate(); err != nil {
		return nil, fmt.Errorf("redisindex: %w", err)
	}
	ix := &Index{rdb: rdb, cfg: opt.Config, ns: opt.Namespace, ttl: opt.TTL, retryFor: opt.RetryFor, now: opt.Now}
	if ix.ns == "" {
		ix.ns = "neardup"
	}
	docs := opt.Documents
	if docs == 0 {
		docs = 1_000_000
	}
	if docs < 0 {
		return nil, fmt.Errorf("redisindex: Documents %d < 0", docs)
	}
	bits := 1
	for buckets := docs * (stage.LSH(opt.Config).Bands + 1); bits < 40 && 64<<bits < buckets; bits++ {
	}
	ix.shift = uint(64 - bits)
	if ix.retryFor == 0 {
		ix.retryFor = 30 * time.Second
	}
	if ix.now == nil {
		ix.now = time.Now
	}
	ix.ttl = max(ix.ttl, 0)
	fp := fmt.Sprintf("%s groups 2^%d", fingerprint(opt.Config), bits)
	var got string
	err := ix.retry(ctx, func(ctx context.Context) error {
		if err := rdb.SetNX(ctx, ix.ns+":cfg", fp, 0).Err(); err != nil {
			return err
		}
		var err error
		got, err = rdb.Get(ctx, ix.ns+":cfg").Result()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("redisindex: open %q: %w", ix.ns, err)
	}
	if got != fp {
		return nil, fmt.Errorf("%w: %q has %q, this process %q", ErrConfig, ix.ns, got, fp)
	}
	if err := ix.retry(ctx, ix.loadScripts); err != nil {
		return nil, fmt.Errorf("redisindex: load scripts: %w", err)
	}
	return ix, nil
}

// fingerprint names what makes sketches and band keys comparable
// (stage.Fingerprint), under this package's format version.
func fingerprint(c dedup.Config) string {
	fp, _ := stage.Fingerprint(c) // c is valid: New checked it
	return "neardup redisindex 1 " + fp
}

// order is a document's place in the fleet's order: its stamp, then its
// id hash.
type order struct{ stamp, idh uint64 }

func (o order) compare(p order) int {
	return cmp.Or(cmp.Compare(o.stamp, p.stamp), cmp.Compare(o.idh, p.idh))
}

func (o order) less(p order) bool { return o.compare(p) < 0 }

// idBytes is an id hash as the scripts and keys hold it: 8 bytes,
// big-endian.
func idBytes(idh uint64) []byte { return binary.BigEndian.AppendUint64(nil, idh) }

// entrySize is the size of a bucket entry.
const entrySize = 12

// entry returns the 12-byte bucket entry of a document: its id hash, then
// the second it was added (big-endian, so that Lua compares it as a
// string), for TTL pruning.
func entry(idh uint64, added time.Time) string {
	return string(binary.BigEndian.AppendUint32(idBytes(idh), uint32(added.Unix())))
}

// appendIDs appends the id hashes of a bucket's entries.
func appendIDs(dst []uint64, bucket string) []uint64 {
	for ; len(bucket) >= entrySize; bucket = bucket[entrySize:] {
		dst = append(dst, binary.BigEndian.Uint64([]byte(bucket[:8])))
	}
	return dst
}

// stamp returns the next order stamp: the time in microseconds, or one more
// than the last stamp when the clock has not moved on (or went back).
func (ix *Index) stamp() uint64 {
	t := uint64(ix.now().UnixMicro())
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.last = max(ix.last+1, t)
	return ix.last
}

// cutoff is the oldest second of addition still alive, as the scripts
// compare it.
func (ix *Index) cutoff() string {
	if ix.ttl <= 0 {
		return ""
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(ix.now().Add(-ix.ttl).Unix()))
	return string(b[:])
}

func (ix *Index) docKey(idh uint64) string {
	return ix.ns + ":d:" + hex.EncodeToString(idBytes(idh))
}

func (ix *Index) groupKey(band uint64) string {
	return fmt.Sprintf("%s:b:%x", ix.ns, band>>ix.shift)
}

func field(band uint64) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(band))
	return string(b[:])
}

// record layout: order (8 bytes BE) | id length (uvarint) | id | sketch.
func encodeRecord(order uint64, id string, s *dedup.Sketch) []byte {
	b := binary.BigEndian.AppendUint64(nil, order)
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b, _ = s.AppendBinary(b)
	return b
}

func decodeRecord(b []byte) (order uint64, id string, s dedup.Sketch, err error) {
	if len(b) < 9 {
		return 0, "", s, fmt.Errorf("%w: redisindex: short record", dedup.ErrFormat)
	}
	order = binary.BigEndian.Uint64(b)
	n, k := binary.Uvarint(b[8:])
	if k <= 0 || uint64(len(b)-8-k) < n {
		return 0, "", s, fmt.Errorf("%w: redisindex: bad record id", dedup.ErrFormat)
	}
	id = string(b[8+k : 8+k+int(n)])
	err = s.UnmarshalBinary(b[8+k+int(n):])
	return order, id, s, err
}

// Add returns the verified copies of s among the documents added
// before it in the fleet's order, most similar first, and adds s under id.
// It returns once Redis has acknowledged every write; on an error the
// document may be partly written but is not acknowledged, and adding it
// again completes it. Connection losses are retried until ctx is done (or
// Options.RetryFor passes, when ctx has no deadline). Found.Seq is 0: the
// fleet's order is not a dense sequence.
func (ix *Index) Add(ctx context.Context, id string, s *dedup.Sketch) ([]dedup.Found, error) {
	if id == "" {
		return nil, errors.New("redisindex: empty id")
	}
	me := order{ix.stamp(), xxhash.Sum64String(id)}
	keys, err := stage.AppendIndexKeys(ix.cfg, nil, s)
	if err != nil {
		return nil, fmt.Errorf("redisindex: add %q: %w", id, err)
	}
	lsh := stage.LSH(ix.cfg)
	rec := encodeRecord(me.stamp, id, s)
	mine, cutoff := entry(me.idh, ix.now()), ix.cutoff()
	ttlms := ix.ttl.Milliseconds()
	exact := ix.exactKey(s)
	var cands []uint64
	var twin uint64
	err = ix.retry(ctx, func(ctx context.Context) error {
		cmds, err := ix.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.SetNX(ctx, ix.docKey(me.idh), rec, ix.ttl)
			p.SetNX(ctx, exact, idBytes(me.idh), ix.ttl)
			p.Get(ctx, exact)
			for _, k := range keys {
				limit, open := lsh.Postings(k.Band)
				openArg := 0
				if open {
					openArg = 1
				}
				addScript.EvalSha(ctx, p, []string{ix.groupKey(k.Hash)}, field(k.Hash), mine, cutoff, limit, ttlms, openArg)
			}
			return nil
		})
		if err != nil {
			return err
		}
		cands = cands[:0]
		twin = 0
		if b, err := cmds[2].(*redis.StringCmd).Bytes(); err == nil && len(b) == 8 {
			twin = binary.BigEndian.Uint64(b)
		}
		for _, c := range cmds[3:] {
			cands = appendIDs(cands, c.(*redis.Cmd).Val().(string))
		}
		if twin != 0 && twin != me.idh {
			cands = append(cands, twin)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redisindex: add %q: %w", id, err)
	}
	found, err := ix.verify(ctx, s, cands, &me)
	if err != nil {
		// The document is stored; only the answer is missing.
		return nil, fmt.Errorf("redisindex: add %q: verify: %w", id, err)
	}
	if twin != 0 && twin != me.idh && slices.ContainsFunc(found, func(f dedup.Found) bool { return xxhash.Sum64String(f.ID) == twin }) {
		// An exact copy of an earlier document: its bucket entries would
		// take postings its twin holds, so they go; later copies find the
		// twin. Its record stays, for Remove and a repeated add.
		if err := ix.unfile(ctx, me.idh, keys); err != nil {
			return nil, fmt.Errorf("redisindex: add %q: %w", id, err)
		}
	}
	return found, nil
}

// exactKey is the key under which the first document with a sketch's
// content is recorded: the XXH64 of what Compare reads of the sketch (its
// encoding), so exact copies, whatever their boilerplate, share it.
func (ix *Index) exactKey(s *dedup.Sketch) string {
	b, _ := s.AppendBinary(nil)
	return ix.ns + ":x:" + hex.EncodeToString(idBytes(xxhash.Sum64(b)))
}

// unfile takes the entries of document idh out of the buckets of keys.
func (ix *Index) unfile(ctx context.Context, idh uint64, keys []stage.IndexKey) error {
	idb := string(idBytes(idh))
	return ix.retry(ctx, func(ctx context.Context) error {
		_, err := ix.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				removeScript.EvalSha(ctx, p, []string{ix.groupKey(k.Hash)}, field(k.Hash), idb)
			}
			return nil
		})
		return err
	})
}

// Query returns the verified copies of s in the index, most similar first,
// without adding it.
func (ix *Index) Query(ctx context.Context, s *dedup.Sketch) ([]dedup.Found, error) {
	keys, err := stage.AppendIndexKeys(ix.cfg, nil, s)
	if err != nil {
		return nil, fmt.Errorf("redisindex: query: %w", err)
	}
	lsh := stage.LSH(ix.cfg)
	var cands []uint64
	err = ix.retry(ctx, func(ctx context.Context) error {
		cmds, err := ix.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.HGet(ctx, ix.groupKey(k.Hash), field(k.Hash))
			}
			return nil
		})
		if err := firstError(cmds, err); err != nil {
			return err
		}
		cands = cands[:0]
		for i, c := range cmds {
			bucket := c.(*redis.StringCmd).Val()
			if limit, open := lsh.Postings(keys[i].Band); !open && len(bucket)/entrySize >= limit {
				continue // a common passage
			}
			cands = appendIDs(cands, bucket)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redisindex: query: %w", err)
	}
	return ix.verify(ctx, s, cands, nil)
}

// verify fetches the records of the candidates (id hashes) and keeps
// those Compare calls copies of s; with me set, only those before me in
// the fleet's order. me's own id is a candidate too: its record holds
// another stamp when the id was added before.
func (ix *Index) verify(ctx context.Context, s *dedup.Sketch, cands []uint64, me *order) ([]dedup.Found, error) {
	slices.Sort(cands)
	cands = slices.Compact(cands)
	if len(cands) == 0 {
		return nil, nil
	}
	type found struct {
		dedup.Found
		order order
	}
	var out []found
	err := ix.retry(ctx, func(ctx context.Context) error {
		cmds, err := ix.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, c := range cands {
				p.Get(ctx, ix.docKey(c))
			}
			return nil
		})
		if err := firstError(cmds, err); err != nil {
			return err
		}
		out = out[:0]
		for i, c := range cmds {
			b, err := c.(*redis.StringCmd).Bytes()
			if err != nil {
				continue // redis.Nil: expired, removed, or not stored yet
			}
			stamp, id, d, err := decodeRecord(b)
			if err != nil {
				return err
			}
			o := order{stamp, cands[i]}
			if me != nil && !o.less(*me) {
				continue // me, or later: that one will find me, not I it
			}
			if m := ix.cfg.Compare(s, &d); m.Duplicate {
				out = append(out, found{dedup.Found{ID: id, Match: m}, o})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b found) int { return engine.ByJaccard(a.Jaccard, b.Jaccard, a.order.compare(b.order)) })
	res := make([]dedup.Found, len(out))
	for i, f := range out {
		res[i] = f.Found
	}
	return res, nil
}

// Remove takes the document added under id out of the index, and reports
// whether it was there.
func (ix *Index) Remove(ctx context.Context, id string) (bool, error) {
	idh := xxhash.Sum64String(id)
	var rec []byte
	err := ix.retry(ctx, func(ctx context.Context) error {
		var err error
		rec, err = ix.rdb.Get(ctx, ix.docKey(idh)).Bytes()
		if errors.Is(err, redis.Nil) {
			rec, err = nil, nil
		}
		return err
	})
	if err != nil || rec == nil {
		return false, wrap("remove", id, err)
	}
	_, _, s, err := decodeRecord(rec)
	if err != nil {
		return false, wrap("remove", id, err)
	}
	keys, err := stage.AppendIndexKeys(ix.cfg, nil, &s)
	if err != nil {
		return false, wrap("remove", id, err)
	}
	idb := string(idBytes(idh))
	err = ix.retry(ctx, func(ctx context.Context) error {
		_, err := ix.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				removeScript.EvalSha(ctx, p, []string{ix.groupKey(k.Hash)}, field(k.Hash), idb)
			}
			unsetScript.EvalSha(ctx, p, []string{ix.exactKey(&s)}, idb)
			p.Del(ctx, ix.docKey(idh))
			return nil
		})
		return err
	})
	return err == nil, wrap("remove", id, err)
}

// firstError returns the first error of a pipeline's commands other than
// redis.Nil (a missing key or field), or the pipeline's own.
func firstError(cmds []redis.Cmder, err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		for _, c := range cmds {
			if e := c.Err(); e != nil && !errors.Is(e, redis.Nil) {
				return e
			}
		}
		return nil
	}
	return err
}

func wrap(op, id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisindex: %s %q: %w", op, id, err)
}

// Sweep drops the bucket entries of documents older than the TTL from
// every bucket, on every primary, and returns how many it dropped. Adds
// drop them lazily from the buckets they touch; a periodic Sweep bounds
// the rest. Without a TTL it does nothing.
func (ix *Index) Sweep(ctx context.Context) (int64, error) {
	if ix.ttl <= 0 {
		return 0, nil
	}
	cutoff := ix.cutoff()
	var mu sync.Mutex
	var total int64
	sweep := func(ctx context.Context, c *redis.Client) error {
		it := c.Scan(ctx, 0, ix.ns+":b:*", 1000).Iterator()
		for it.Next(ctx) {
			n, err := sweepScript.Run(ctx, c, []string{it.Val()}, cutoff).Int64()
			if err != nil {
				return err
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}
		return it.Err()
	}
	var err error
	switch c := ix.rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, sweep)
	case *redis.Client:
		err = sweep(ctx, c)
	default:
		err = fmt.Errorf("redisindex: Sweep needs a *redis.Client or *redis.ClusterClient, not %T", ix.rdb)
	}
	return total, err
}

// retry runs f until it succeeds, fails for good, or ctx (bounded by
// RetryFor when it has no deadline) is done. A missing script, after a
// server restart or failover, is loaded again.
func (ix *Index) retry(ctx context.Context, f func(context.Context) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ix.retryFor)
		defer cancel()
	}
	wait := 10 * time.Millisecond
	for {
		err := f(ctx)
		if err == nil {
			return nil
		}
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			if err = ix.loadScripts(ctx); err == nil {
				continue
			}
		}
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

func (ix *Index) loadScripts(ctx context.Context) error {
	for _, s := range []*redis.Script{addScript, removeScript, unsetScript, sweepScript} {
		if err := s.Load(ctx, ix.rdb).Err(); err != nil {
			return err
		}
	}
	return nil
}

// retryable reports errors that a later attempt may not meet: lost or
// refused connections, and a server that is loading, failing over or
// re-sharding.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !errors.Is(err, redis.ErrClosed) {
		for _, p := range []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "BUSY", "NOSCRIPT"} {
			if redis.HasErrorPrefix(err, p) {
				return true
			}
		}
		return false
	}
	var nerr net.Error
	return errors.As(err, &nerr) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// The scripts, in lua/, touch one key each (KEYS[1]), so they run on any
// cluster; each file's comment says what it does.
var (
	//go:embed lua/add.lua
	addLua string
	//go:embed lua/unset.lua
	unsetLua string
	//go:embed lua/remove.lua
	removeLua string
	//go:embed lua/sweep.lua
	sweepLua string
)
