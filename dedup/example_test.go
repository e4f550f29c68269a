package dedup_test

import (
	"context"
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
		fmt.Printf("%-8s cluster=%s canonical=%v\n", d.ID, docs[res.Clusters[d.ClusterIndex].Canonical].ID, d.Canonical)
	}
	// Output:
	// masked   cluster=original canonical=false
	// original cluster=original canonical=true
	// other    cluster=other canonical=true
}

// Streaming use, as in a crawler: each page is checked against all pages
// seen before it, then added. The zero Stream uses the default Config and
// an in-memory index.
func ExampleStream() {
	var s dedup.Stream
	pages := []struct{ url, text string }{
		{"a.vn/1", "Hội_đồng_Bảo_an Liên_Hợp_Quốc thông_qua nghị_quyết mới về hợp_tác khu_vực trong phiên họp sáng nay"},
		{"b.vn/7", "Hội đồng Bảo an Liên Hợp Quốc thông qua nghị quyết mới về hợp tác khu vực trong phiên họp sáng nay."},
		{"c.vn/3", "Đội tuyển bóng đá quốc gia thắng đậm trong trận giao hữu tối qua trên sân nhà."},
	}
	for _, p := range pages {
		found, err := s.Add(context.Background(), p.url, []byte(p.text))
		if err != nil {
			panic(err)
		}
		if len(found) == 0 {
			fmt.Println(p.url, "new")
			continue
		}
		fmt.Printf("%s copy of %s: %s\n", p.url, found[0].ID, found[0].Reason())
	}
	// Output:
	// a.vn/1 new
	// b.vn/7 copy of a.vn/1: jaccard 1.00 >= 0.50
	// c.vn/3 new
}

// Comparing two documents directly: the verdict and, on demand, why.
func ExampleConfig_Compare() {
	var cfg dedup.Config
	article := cfg.Sketch([]byte("Chiều 12/9, Phó chủ tịch nước dẫn đầu đoàn đại biểu cấp cao Việt Nam đến thành phố New York tham dự Hội nghị cấp cao Liên Hiệp Quốc năm 2005. Đoàn sẽ có các cuộc tiếp xúc song phương với lãnh đạo nhiều nước. Chuyến công tác kéo dài một tuần, với các buổi làm việc tại trụ sở Liên Hiệp Quốc và gặp gỡ cộng đồng người Việt."))
	teaser := cfg.Sketch([]byte("Chiều 12/9, Phó chủ tịch nước dẫn đầu đoàn đại biểu cấp cao Việt Nam đến thành phố New York tham dự Hội nghị cấp cao Liên Hiệp Quốc năm 2005."))
	m := cfg.Compare(&teaser, &article)
	fmt.Println(m.Duplicate, m.Reason())
	// Output: true containment 0.90 >= 0.80 at size ratio 0.39
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
	s.Add(context.Background(), "a.vn/1", page)
	s.Close() // or a crash: what Add acknowledged is in the log

	s, err = dedup.OpenStore(dir, dedup.StoreOptions{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	found, _ := s.Add(context.Background(), "b.vn/7", []byte(strings.ReplaceAll(string(page), "Hội đồng", "Hội_đồng")))
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
