package stage_test

import (
	"fmt"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/stage"
)

// The keys a shared index files a document under, and how it treats
// each band's keys.
func ExampleAppendIndexKeys() {
	var cfg dedup.Config
	s := cfg.Sketch([]byte("Hội đồng Bảo an Liên Hợp Quốc thông qua nghị quyết mới về hợp tác khu vực trong phiên họp sáng nay."))
	keys, err := stage.AppendIndexKeys(cfg, nil, &s)
	if err != nil {
		panic(err)
	}
	p := stage.LSH(cfg)
	fmt.Println(p)
	fmt.Println(len(keys), "keys")
	limit, open := p.Postings(keys[0].Band)
	fmt.Println("band key: the first", limit, "documents, open:", open)
	limit, open = p.Postings(p.Bands + 1)
	fmt.Println("run key: the first", limit, "documents, open:", open)
	// Output:
	// 42 bands x 3 rows for threshold 0.23 (false positive area 0.0242, false negative area 0.0534)
	// 43 keys
	// band key: the first 64 documents, open: true
	// run key: the first 4 documents, open: false
}
