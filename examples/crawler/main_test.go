package main

import (
	"strings"
	"testing"
)

func Example_main() {
	main()
	// Output:
	// keep  news-a.vn/mua-lu             new article
	// keep  news-a.vn/gia-vang           new article
	// keep  news-a.vn/bong-da            new article
	// skip  news-b.vn/123                copy of news-a.vn/mua-lu (jaccard 0.67, containment 1.00: jaccard 0.67 >= 0.50)
	// skip  mirror.vn/gv                 copy of news-a.vn/gia-vang (jaccard 0.60, containment 1.00: jaccard 0.60 >= 0.50)
	// skip  news-a.vn/bong-da-tom-tat    copy of news-a.vn/bong-da (jaccard 0.48, containment 1.00: containment 1.00 >= 0.80 at size ratio 0.48)
	// 6 pages, 3 kept
}

// With a store, a restarted crawler remembers the pages of its last run.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	var first, second strings.Builder
	if err := run(&first, dir); err != nil {
		t.Fatal(err)
	}
	if err := run(&second, dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "0 pages known") || !strings.Contains(first.String(), "6 pages, 3 kept") {
		t.Errorf("first run:\n%s", first.String())
	}
	if !strings.Contains(second.String(), "6 pages known") || !strings.Contains(second.String(), "6 pages, 0 kept") {
		t.Errorf("second run:\n%s", second.String())
	}
}
