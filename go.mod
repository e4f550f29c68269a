module github.com/neardup/neardup

go 1.26.0

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/google/go-cmp v0.7.0
	golang.org/x/sys v0.48.0
	golang.org/x/text v0.43.0
)
