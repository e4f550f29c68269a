package dedup_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/neardup/neardup/dedup"
)

// Batch clustering: copies are grouped and the most complete one named.
func ExampleConfig_Cluster() {
	docs := []dedup.Doc{
		{ID: "masked", Text: []byte("Chiều 4 7 Phó_chủ_tịch nước dẫn_đầu đoàn_đại_biểu cấp_cao Việt_Nam đến thành_phố New_York tham_dự Hội_nghị_cấp_cao Liên_Hiệp_Quốc năm 1 7")},
		{ID: "original", Text: []byte("Chiều 12/9, Phó chủ tịch nước dẫn đầu đoàn đại biểu cấp cao Việt Nam đến thành phố New York tham dự Hội nghị cấp cao Liên Hiệp Quốc năm 2005.")},
		{ID: "other", Text: []byte("Giá vàng trong nước sáng nay tăng phổ biến từ 20.000 đến 30.000 đồng mỗi lượng so với cuối phiên hôm qua.")},
	}
	res, err := dedup.Config{}.Cluster(docs)
	if err != nil {
		panic(err)
	}
	for _, d := range res.Docs {
		fmt.Printf("%-8s cluster=%s canonical=%v\n", d.ID, docs[res.Clusters[d.Cluster].Canonical].ID, d.Canonical)
	}
	// Output:
	// masked   cluster=original canonical=false
	// original cluster=original canonical=true
	// other    cluster=other canonical=true
}

// Streaming use, as in a crawler: each page is checked against all pages
// seen before it, then added.
func ExampleIndex_QueryAdd() {
	var cfg dedup.Config
	ix, err := dedup.NewIndex(cfg)
	if err != nil {
		panic(err)
	}
	pages := []struct{ url, text string }{
		{"a.vn/1", "Hội_đồng_Bảo_an Liên_Hợp_Quốc thông_qua nghị_quyết mới về hợp_tác khu_vực trong phiên họp sáng nay"},
		{"b.vn/7", "Hội đồng Bảo an Liên Hợp Quốc thông qua nghị quyết mới về hợp tác khu vực trong phiên họp sáng nay."},
		{"c.vn/3", "Đội tuyển bóng đá quốc gia thắng đậm trong trận giao hữu tối qua trên sân nhà."},
	}
	for _, p := range pages {
		found, _, err := ix.QueryAdd(p.url, cfg.Sketch([]byte(p.text), nil))
		if err != nil {
			panic(err)
		}
		if len(found) == 0 {
			fmt.Println(p.url, "new")
			continue
		}
		fmt.Printf("%s copy of %s (similarity %.2f)\n", p.url, found[0].ID, found[0].Jaccard)
	}
	// Output:
	// a.vn/1 new
	// b.vn/7 copy of a.vn/1 (similarity 1.00)
	// c.vn/3 new
}

func ExampleOptimalLSH() {
	fmt.Println(dedup.OptimalLSH(0.5, 128))
	// Output: 25 bands x 5 rows for threshold 0.50 (false positive area 0.0537, false negative area 0.0338)
}

// A crawler's index that survives restarts: every Add is logged before it
// returns, and OpenStore on the same directory restores it.
func ExampleOpenStore() {
	dir, _ := os.MkdirTemp("", "neardup-store")
	defer os.RemoveAll(dir)
	page := []byte("Hội đồng Bảo an Liên Hợp Quốc thông qua nghị quyết mới về hợp tác khu vực trong phiên họp sáng nay.")

	s, err := dedup.OpenStore(dir, dedup.StoreOptions{})
	if err != nil {
		panic(err)
	}
	s.Add("a.vn/1", page)
	s.Close() // or a crash: what Add acknowledged is in the log

	s, err = dedup.OpenStore(dir, dedup.StoreOptions{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	found, _ := s.Add("b.vn/7", []byte(strings.ReplaceAll(string(page), "Hội đồng", "Hội_đồng")))
	fmt.Println(s.Len(), "documents; b.vn/7 is a copy of", found[0].ID)
	// Output: 2 documents; b.vn/7 is a copy of a.vn/1
}

func ExampleClustering_WriteJSONL() {
	docs := []dedup.Doc{
		{ID: "a", Text: []byte("Hội đồng Bảo an Liên hợp quốc họp phiên đặc biệt về tình hình khu vực vào chiều nay")},
		{ID: "b", Text: []byte("Hội_đồng Bảo_an Liên_hợp_quốc họp phiên đặc_biệt về tình_hình khu_vực vào chiều nay")},
		{ID: "c", Text: []byte("Giá vàng trong nước sáng nay tăng mạnh theo đà của thị trường thế giới")},
	}
	res, err := dedup.Config{}.Cluster(docs)
	if err != nil {
		panic(err)
	}
	if err := res.WriteJSONL(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {"id":"a","cluster":"a","canonical":true,"similarity":1}
	// {"id":"b","cluster":"a","canonical":false,"similarity":1}
	// {"id":"c","cluster":"c","canonical":true,"similarity":1}
}
