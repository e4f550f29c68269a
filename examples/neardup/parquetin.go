package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// parquetMagic starts (and ends) every Parquet file.
var parquetMagic = []byte("PAR1")

// isParquet reports whether the file f starts with the Parquet magic; it
// reads at offset 0 and leaves f's position alone.
func isParquet(f *os.File) bool {
	var b [4]byte
	n, _ := f.ReadAt(b[:], 0)
	return n == 4 && bytes.Equal(b[:], parquetMagic)
}

// readParquet reads the documents of a Parquet file, one row group at a
// time, rows in file order: the id and the text are the string columns
// -id-field and -text-field name (a dotted path reaches into a group:
// meta.url), which must not be repeated. A row without them (a null) is
// an error naming the file and the row (numbered from 1).
func (r *reader) readParquet(f *os.File, name string) error {
	st, err := f.Stat()
	if err != nil {
		return &inputError{path: name, msg: "cannot read: " + err.Error()}
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return &inputError{path: name, msg: "not a Parquet file: " + err.Error()}
	}
	schema := pf.Schema()
	column := func(p fieldPath) (int, error) {
		leaf, ok := schema.Lookup(p...)
		switch {
		case !ok:
			var names []string
			for _, c := range schema.Columns() {
				names = append(names, strings.Join(c, "."))
			}
			return 0, &inputError{path: name, msg: fmt.Sprintf("no column %q (columns: %s)", p.String(), strings.Join(names, ", "))}
		case leaf.MaxRepetitionLevel > 0:
			return 0, &inputError{path: name, msg: fmt.Sprintf("column %q is repeated; want one string a row", p.String())}
		case leaf.Node.Type().Kind() != parquet.ByteArray:
			return 0, &inputError{path: name, msg: fmt.Sprintf("column %q holds %s, not strings", p.String(), leaf.Node.Type().Kind())}
		}
		return leaf.ColumnIndex, nil
	}
	idCol, err := column(r.fields.id)
	if err != nil {
		return err
	}
	textCol, err := column(r.fields.text)
	if err != nil {
		return err
	}
	row := 0
	buf := make([]parquet.Row, 128)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, rerr := rows.ReadRows(buf)
			for _, values := range buf[:n] {
				row++
				if r.skip(0) {
					continue
				}
				if r.emitRow != nil {
					r.n++
					if err := r.emitRow(schema, values); err != nil {
						rows.Close()
						return err
					}
					continue
				}
				var id, text *parquet.Value
				for i := range values {
					switch values[i].Column() {
					case idCol:
						id = &values[i]
					case textCol:
						text = &values[i]
					}
				}
				switch {
				case id == nil || id.IsNull():
					rows.Close()
					return &inputError{path: name, msg: fmt.Sprintf("row %d: no %q", row, r.fields.id.String())}
				case len(id.ByteArray()) == 0:
					rows.Close()
					return &inputError{path: name, msg: fmt.Sprintf("row %d: empty %q", row, r.fields.id.String())}
				case text == nil || text.IsNull():
					rows.Close()
					return &inputError{path: name, msg: fmt.Sprintf("row %d: no %q", row, r.fields.text.String())}
				}
				// The values' bytes belong to the reader's buffers.
				if err := r.add(string(id.ByteArray()), bytes.Clone(text.ByteArray()), name, row); err != nil {
					rows.Close()
					return err
				}
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				rows.Close()
				return &inputError{path: name, msg: fmt.Sprintf("row %d: cannot read: %v", row+1, rerr)}
			}
		}
		if err := rows.Close(); err != nil {
			return &inputError{path: name, msg: "cannot read: " + err.Error()}
		}
	}
	return nil
}
