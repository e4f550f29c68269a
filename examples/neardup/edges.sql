-- Reference SQL (DuckDB) for the Parquet export of neardup: run it in the
-- export's directory after `neardup -export DIR corpus...`:
--
--   cd DIR && duckdb < edges.sql        (or: duckdb -c ".read edges.sql")
--
-- then `neardup -edges DIR` reads edges.parquet back, verifies the pairs,
-- groups and picks canonicals, and writes the usual JSONL. Spark SQL runs
-- the same statements with its own read/write syntax (spark.read.parquet,
-- df.write.parquet); nothing here is specific to DuckDB but the I/O.
--
-- Input: postings.parquet (pos, band, key, cap, open), one row per index
-- key of a document; pos is the document's place in neardup's grouping
-- order. The first `cap` documents (by pos) under a key are its postings;
-- every later document under an open key meets each of them, and none
-- under a key that is not open (a run key shared by more than `cap`
-- documents: a common passage). key is the key as neardup's batch
-- grouping compares it (its high 32 bits, and a run key's part; see
-- stage.Banding.GroupingKey), so that is exactly the candidate set of a
-- direct run (stage.Pair).

-- Postings ranked within their key.
CREATE TEMP TABLE ranked AS
SELECT pos, band, key, cap, open,
       row_number() OVER (PARTITION BY band, key ORDER BY pos) - 1 AS r
FROM read_parquet('postings.parquet');

-- Edges: candidate pairs (later, earlier), later > earlier in pos, the
-- earlier among the postings of a key they share; stored when the later
-- one is a posting of such a key too.
COPY (
  SELECT l.pos AS later, e.pos AS earlier, bool_or(l.r < l.cap) AS stored
  FROM ranked AS l
  JOIN ranked AS e ON e.band = l.band AND e.key = l.key AND e.r < l.r AND e.r < e.cap
                  AND (l.open OR l.r < l.cap)
  GROUP BY l.pos, e.pos
  ORDER BY later, earlier
) TO 'edges.parquet' (FORMAT parquet);

-- Components of the candidate graph: each document with the smallest pos
-- it is connected to. Clusters never cross components, so a component is
-- a unit of work that one machine can verify and group alone. (The
-- recursive form costs the sum of squared component sizes; very large
-- components, such as a site's template pages, are better left to a graph
-- library, e.g. GraphFrames' connectedComponents on Spark.)
COPY (
  WITH RECURSIVE
    e(a, b) AS (
      SELECT later, earlier FROM read_parquet('edges.parquet')
      UNION ALL
      SELECT earlier, later FROM read_parquet('edges.parquet')
    ),
    reach(pos, c) AS (
      SELECT DISTINCT pos, pos FROM read_parquet('postings.parquet')
      UNION
      SELECT e.b, reach.c FROM reach JOIN e ON e.a = reach.pos
    )
  SELECT pos, min(c) AS component FROM reach GROUP BY pos ORDER BY pos
) TO 'components.parquet' (FORMAT parquet);
