// Package duckdb checks the reference SQL of the neardup CLI's Parquet
// export (examples/neardup/edges.sql) on DuckDB: export, SQL, read-back
// must give the CLI's own result. It is a module of its own so that
// DuckDB, a cgo library, stays out of neardup's dependencies; run its test
// from this directory with `go test ./...`.
package duckdb
