module github.com/neardup/neardup/dedup/redisindex

go 1.26.0

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/neardup/neardup v0.0.0
	github.com/redis/go-redis/v9 v9.23.0
)

require (
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

// Until the first release: the neardup module of this repository.
replace github.com/neardup/neardup => ../..
