module github.com/neardup/neardup/examples

go 1.26.0

require (
	codeberg.org/readeck/go-readability/v2 v2.1.3
	github.com/google/go-cmp v0.7.0
	github.com/klauspost/compress v1.18.3
	github.com/neardup/neardup v0.0.0
	github.com/neardup/neardup/dedup/redisindex v0.0.0
	github.com/nlnwa/gowarc/v3 v3.1.0
	github.com/parquet-go/parquet-go v0.32.0
	github.com/redis/go-redis/v9 v9.23.0
	github.com/segmentio/asm v1.2.1
	github.com/sergi/go-diff v1.4.0
	golang.org/x/net v0.44.0
	golang.org/x/sys v0.48.0
	golang.org/x/text v0.43.0
)

require (
	github.com/andybalholm/brotli v1.1.1 // indirect
	github.com/andybalholm/cascadia v1.3.3 // indirect
	github.com/bits-and-blooms/bitset v1.24.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-shiori/dom v0.0.0-20230515143342-73569d674e1c // indirect
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/itlightning/dateparse v0.2.1 // indirect
	github.com/nlnwa/whatwg-url v0.6.2 // indirect
	github.com/parquet-go/bitpack v1.0.0 // indirect
	github.com/parquet-go/jsonlite v1.0.0 // indirect
	github.com/pierrec/lz4/v4 v4.1.21 // indirect
	github.com/twpayne/go-geom v1.6.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)

// Until the first release: the modules of this repository.
replace (
	github.com/neardup/neardup => ..
	github.com/neardup/neardup/dedup/redisindex => ../dedup/redisindex
)
