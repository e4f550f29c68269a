package main

import (
	"fmt"
	"html"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The site a crawl visits when no -url is given, served by the crawler
// itself (net/http/httptest): three articles of one news site, and
// copies of them that a crawl meets elsewhere: a syndicated copy run
// through a word segmenter, an accent-free mirror with its numbers
// masked, and a teaser. Every page carries the site's menu, related links
// and footer around its article.
const (
	flood = "Mưa lớn kéo dài ở miền Trung\nMưa lớn kéo dài từ đêm qua khiến nhiều tuyến đường ở Quảng Ngãi và Bình Định ngập sâu, hàng trăm hộ dân phải sơ tán.\nLực lượng cứu hộ đã đưa 320 người đến nơi an toàn, chính quyền địa phương cấp phát lương thực và nước uống.\nĐài khí tượng dự báo mưa còn kéo dài đến hết ngày 14/10 với lượng mưa phổ biến 150 đến 250 mm."
	gold  = "Giá vàng hôm nay tăng mạnh\nGiá vàng trong nước sáng nay tăng 300.000 đồng mỗi lượng, lên 76,5 triệu đồng bán ra.\nGiới kinh doanh cho rằng giá tăng theo đà của thị trường thế giới khi đồng USD suy yếu.\nNhiều cửa hàng vàng ở Hà Nội và TP HCM đông khách từ sáng sớm."
	match = "Đội tuyển Việt Nam thắng đậm trên sân nhà\nĐội tuyển Việt Nam thắng 3-0 trong trận giao hữu tối qua trên sân Mỹ Đình trước hơn 30.000 khán giả.\nHuấn luyện viên cho biết ông hài lòng với tinh thần thi đấu của các cầu thủ trẻ.\nTrận đấu tiếp theo diễn ra vào ngày 20/11 trên sân khách."
)

// articles maps each page's path to its article: a title line, then
// paragraphs.
var articles = map[string]string{
	"/thoi-su/mua-lu":   flood,
	"/kinh-te/gia-vang": gold,
	"/the-thao/bong-da": match,
	// A syndicated copy, segmented by a word segmenter.
	"/dong-bo/123": strings.NewReplacer("Quảng Ngãi", "Quảng_Ngãi", "Bình Định", "Bình_Định", "cứu hộ", "cứu_hộ").Replace(flood),
	// The gold report, accent-free and with its numbers masked.
	"/mirror/gv": "Gia vang hom nay tang manh\nGia vang trong nuoc sang nay tang 1 dong moi luong 7 len 1 trieu dong ban ra 7\nGioi kinh doanh cho rang gia tang theo da cua thi truong the gioi khi dong USD suy yeu 7\nNhieu cua hang vang o Ha Noi va TP HCM dong khach tu sang som 7",
	// A teaser of the match report.
	"/the-thao/bong-da-tom-tat": strings.Join(strings.Split(match, "\n")[:3], "\n"),
}

// front lists the articles in the order the front page links them.
var front = []string{"/thoi-su/mua-lu", "/kinh-te/gia-vang", "/the-thao/bong-da", "/dong-bo/123", "/mirror/gv", "/the-thao/bong-da-tom-tat"}

// site serves the crawler's own news site.
func site() http.Handler { return newSite(articles, front) }

// titleAndBody splits an article into its title and paragraphs: its first
// line, or for a text on one line its first twelve words.
func titleAndBody(a string) (title string, paragraphs []string) {
	title, body, ok := strings.Cut(a, "\n")
	if !ok {
		w := strings.Fields(a)
		title, body = strings.Join(w[:min(12, len(w))], " "), strings.Join(w[min(12, len(w)):], " ")
	}
	for _, p := range strings.Split(body, "\n") {
		if strings.TrimSpace(p) != "" {
			paragraphs = append(paragraphs, p)
		}
	}
	return title, paragraphs
}

// newSite serves a front page linking the articles at the paths of front,
// a page per section (a path's first element) linking its articles, the
// articles in page furniture, and a 404 for anything else.
func newSite(articles map[string]string, front []string) http.Handler {
	mux := http.NewServeMux()
	sections := make(map[string]bool)
	for _, p := range front {
		if i := strings.Index(p[1:], "/"); i > 0 {
			sections[p[:i+1]] = true
		}
	}
	var nav strings.Builder
	for _, section := range slices.Sorted(maps.Keys(sections)) {
		fmt.Fprintf(&nav, ` | <a href="%s/">%s</a>`, section, html.EscapeString(strings.Trim(section, "/")))
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString("<ul>")
		for _, p := range front {
			title, _ := titleAndBody(articles[p])
			fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, p, html.EscapeString(title))
		}
		b.WriteString("</ul>")
		writePage(w, nav.String(), "Báo Điện tử", b.String(), "")
	})
	for section := range sections {
		mux.HandleFunc(section+"/{$}", func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			b.WriteString("<ul>")
			for _, p := range front {
				if strings.HasPrefix(p, section+"/") {
					title, _ := titleAndBody(articles[p])
					fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, p, html.EscapeString(title))
				}
			}
			b.WriteString("</ul>")
			writePage(w, nav.String(), "Báo Điện tử", b.String(), "")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a, ok := articles[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		title, paragraphs := titleAndBody(a)
		var b strings.Builder
		fmt.Fprintf(&b, "<article><h1>%s</h1>", html.EscapeString(title))
		for _, p := range paragraphs {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(p))
		}
		b.WriteString("</article>")
		// Related links: the other articles of the front page.
		var rel strings.Builder
		for _, p := range front {
			if p != r.URL.Path {
				t, _ := titleAndBody(articles[p])
				fmt.Fprintf(&rel, `<li><a href="%s">%s</a></li>`, p, html.EscapeString(t))
			}
		}
		writePage(w, nav.String(), title, b.String(), rel.String())
	})
	return mux
}

// writePage wraps main in the site's page furniture: nav is the menu's
// links after the front page's.
func writePage(w http.ResponseWriter, nav, title, main, related string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>%s</title></head><body>
<header><nav><a href="/">Trang chủ</a>%s</nav>
<div class="share">Chia sẻ Facebook Zalo In bài</div></header>
<main>%s</main>
<aside><h2>Tin bài liên quan</h2><ul>%s</ul></aside>
<footer>© Báo Điện tử. Ghi rõ nguồn khi phát hành lại thông tin.</footer>
</body></html>`, html.EscapeString(title), nav, main, related)
}
