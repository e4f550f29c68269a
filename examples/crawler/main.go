// Command crawler shows neardup in a crawler: pages arrive one at a time,
// each is checked against every page seen before it, and copies are
// skipped. Boilerplate shared by a site's pages is learned on the way.
//
//	go run ./examples/crawler
//
// With -store DIR the index is kept in DIR (dedup.Store: an append-only
// log and snapshots), so a crawler that is restarted, or killed, goes on
// knowing every page it acknowledged; run it twice and the second run
// keeps nothing.
//
// With -redis ADDR (host:port, or a comma-separated list of Redis Cluster
// nodes) the index is shared in Redis (package dedup/redisindex): every
// crawler of a fleet started with the same -redis and -namespace skips
// the pages any of them has seen.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/neardup/neardup/dedup"
	"github.com/neardup/neardup/dedup/redisindex"
)

// template wraps an article in a news site's page furniture.
func template(body string) string {
	return "Trang chủ | Thời sự | Thế giới | Kinh tế | Thể thao\nChia sẻ Facebook Zalo In bài\n" +
		body + "\nTin bài liên quan\nĐọc nhiều\n© Báo Điện tử. Ghi rõ nguồn khi phát hành lại thông tin.\n"
}

const (
	flood = "Mưa lớn kéo dài ở miền Trung\nMưa lớn kéo dài từ đêm qua khiến nhiều tuyến đường ở Quảng Ngãi và Bình Định ngập sâu, hàng trăm hộ dân phải sơ tán.\nLực lượng cứu hộ đã đưa 320 người đến nơi an toàn, chính quyền địa phương cấp phát lương thực và nước uống.\nĐài khí tượng dự báo mưa còn kéo dài đến hết ngày 14/10 với lượng mưa phổ biến 150 đến 250 mm."
	gold  = "Giá vàng hôm nay tăng mạnh\nGiá vàng trong nước sáng nay tăng 300.000 đồng mỗi lượng, lên 76,5 triệu đồng bán ra.\nGiới kinh doanh cho rằng giá tăng theo đà của thị trường thế giới khi đồng USD suy yếu.\nNhiều cửa hàng vàng ở Hà Nội và TP HCM đông khách từ sáng sớm."
	match = "Đội tuyển Việt Nam thắng đậm trên sân nhà\nĐội tuyển Việt Nam thắng 3-0 trong trận giao hữu tối qua trên sân Mỹ Đình trước hơn 30.000 khán giả.\nHuấn luyện viên cho biết ông hài lòng với tinh thần thi đấu của các cầu thủ trẻ.\nTrận đấu tiếp theo diễn ra vào ngày 20/11 trên sân khách."
)

// options choose where the index lives: in memory (the zero value), in a
// directory, or in Redis.
type options struct {
	store     string // directory of a dedup.Store
	redis     string // Redis address(es)
	namespace string // key prefix in Redis
}

func main() {
	var o options
	flag.StringVar(&o.store, "store", "", "keep the index in this directory across runs")
	flag.StringVar(&o.redis, "redis", "", "share the index in Redis at host:port (several, comma-separated: a Redis Cluster)")
	flag.StringVar(&o.namespace, "namespace", "crawler", "key prefix of the index in Redis")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	pages := []struct{ url, text string }{
		{"news-a.vn/mua-lu", template(flood)},
		{"news-a.vn/gia-vang", template(gold)},
		{"news-a.vn/bong-da", template(match)},
		// A syndicated copy, segmented by a word segmenter, on another site.
		{"news-b.vn/123", strings.ReplaceAll(flood, "Quảng Ngãi", "Quảng_Ngãi")},
		// The same gold report, accent-free and with its numbers masked.
		{"mirror.vn/gv", "Gia vang hom nay tang manh\nGia vang trong nuoc sang nay tang 1 dong moi luong 7 len 1 trieu dong ban ra 7\nGioi kinh doanh cho rang gia tang theo da cua thi truong the gioi khi dong USD suy yeu 7\nNhieu cua hang vang o Ha Noi va TP HCM dong khach tu sang som 7"},
		// A teaser of the match report, wrapped in the site template.
		{"news-a.vn/bong-da-tom-tat", template(strings.Join(strings.Split(match, "\n")[:3], "\n"))},
	}
	// The three indexes take a page the same way: Add checks it against
	// every page seen before it, then adds it.
	var index interface {
		Add(ctx context.Context, url string, text []byte) ([]dedup.Found, error)
	}
	ctx := context.Background()
	switch {
	case o.redis != "":
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(o.redis, ",")})
		defer rdb.Close()
		ix, err := redisindex.New(ctx, rdb, redisindex.Options{Namespace: o.namespace})
		if err != nil {
			return err
		}
		if index, err = dedup.NewStream(dedup.Config{}, ix); err != nil {
			return err
		}
	case o.store != "":
		s, err := dedup.OpenStore(o.store, dedup.StoreOptions{})
		if err != nil {
			return err
		}
		defer s.Close()
		fmt.Fprintf(w, "%d pages known from %s\n", s.Len(), o.store)
		index = s
	default:
		index = new(dedup.Stream) // the defaults, in memory
	}
	kept := 0
	for _, p := range pages {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a bound on a shared index's retries
		found, err := index.Add(ctx, p.url, []byte(p.text))
		cancel()
		if err != nil {
			return err
		}
		if len(found) == 0 {
			kept++
			fmt.Fprintf(w, "keep  %-28s new article\n", p.url)
			continue
		}
		f := found[0]
		fmt.Fprintf(w, "skip  %-28s copy of %s (jaccard %.2f, containment %.2f: %s)\n", p.url, f.ID, f.Jaccard, f.Containment, f.Reason())
	}
	fmt.Fprintf(w, "%d pages, %d kept\n", len(pages), kept)
	return nil
}
