module github.com/neardup/neardup/dedup/internal/minwise/oracle

go 1.26.0

require github.com/neardup/neardup v0.0.0

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgryski/go-minhash v0.0.0-20170608043002-7fe510aff544
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

// The neardup module of this repository.
replace github.com/neardup/neardup => ../../../..
