package main

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
