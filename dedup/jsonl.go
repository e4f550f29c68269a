package dedup

import (
	"bufio"
	"encoding/json"
	"io"
)

// WriteJSONL writes the clustering as the neardup command does: one JSON
// object per document, in input order,
//
//	{"id":"…","cluster":"<id of the cluster's canonical>","canonical":true|false,"similarity":0.97}
//
// with the similarity to the canonical rounded to 3 decimals.
func (r *Clustering) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, d := range r.Docs {
		out := struct {
			ID         string  `json:"id"`
			Cluster    string  `json:"cluster"`
			Canonical  bool    `json:"canonical"`
			Similarity float64 `json:"similarity"`
		}{d.ID, r.Docs[r.Clusters[d.ClusterIndex].Canonical].ID, d.Canonical, float64(int(d.Similarity*1000+0.5)) / 1000}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return bw.Flush()
}
