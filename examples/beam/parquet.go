package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Parquet input. A Parquet file (told by its magic bytes, as the command
// tells it) is read in spans of whole row groups, about RangeBytes of
// compressed data each: a row group is the unit a Parquet reader can
// start at. The documents are the rows, in file order; their id and text
// are the string columns "id" and "text", as the command reads them
// with its default -id-field and -text-field.
//
// A row's position is its file's, plus its row number times
// 2^rowShift: input order, as for lines, and output shards of
// RangeBytes/2^rowShift rows (64 Ki rows for 64 MiB), about the text a
// range of JSONL holds. A file holds at most 2^(fileShift-rowShift) =
// 2^30 rows.
const rowShift = 10

// parquetMagic starts and ends every Parquet file.
var parquetMagic = []byte("PAR1")

// parquetFile opens path as a Parquet file. It reads the file through
// its file system's reader when that reader has random access (local
// files); otherwise (GCS, say) it reads the whole file into memory first,
// as a Parquet reader needs random access to reach a file's footer and
// its row groups.
func parquetFile(ctx context.Context, path string) (*parquet.File, func(), error) {
	fs, rc, err := open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	done := func() { rc.Close(); fs.Close() }
	size, err := fs.Size(ctx, path)
	if err != nil {
		done()
		return nil, nil, err
	}
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		b, err := io.ReadAll(rc)
		if err != nil {
			done()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		ra, size = bytes.NewReader(b), int64(len(b))
	}
	pf, err := parquet.OpenFile(ra, size)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	return pf, done, nil
}

// parquetSpans cuts a Parquet file into spans of whole row groups, each
// of about rangeBytes of compressed data (at least one group).
func parquetSpans(ctx context.Context, in input, rangeBytes int64, emit func(span)) error {
	pf, done, err := parquetFile(ctx, in.Path)
	if err != nil {
		return err
	}
	defer done()
	if _, _, err := parquetColumns(pf, in.Path); err != nil {
		return err // refused before any worker reads a row
	}
	groups := pf.Metadata().RowGroups
	row := int64(0)
	for lo := 0; lo < len(groups); {
		sp := span{File: in.Index, Path: in.Path, Start: int64(lo), Parquet: true, Row: row}
		size := int64(0)
		hi := lo
		for hi < len(groups) && (hi == lo || size+rowGroupSize(&groups[hi]) <= rangeBytes) {
			size += rowGroupSize(&groups[hi])
			row += groups[hi].NumRows
			hi++
		}
		if row > 1<<(fileShift-rowShift) {
			return fmt.Errorf("%s: more than %d rows", in.Path, 1<<(fileShift-rowShift))
		}
		sp.End = int64(hi)
		emit(sp)
		lo = hi
	}
	return nil
}

// rowGroupSize is a row group's compressed size: the group's own figure,
// which the format makes optional, or else its column chunks' sum.
func rowGroupSize(g *format.RowGroup) int64 {
	if g.TotalCompressedSize > 0 {
		return g.TotalCompressedSize
	}
	n := int64(0)
	for _, c := range g.Columns {
		n += c.MetaData.TotalCompressedSize
	}
	return n
}

// parquetColumns returns the columns of the id and the text, refusing
// what the command refuses: a column that is missing, repeated, or not
// of strings.
func parquetColumns(pf *parquet.File, path string) (id, text int, err error) {
	schema := pf.Schema()
	column := func(name string) (int, error) {
		leaf, ok := schema.Lookup(name)
		switch {
		case !ok:
			var names []string
			for _, c := range schema.Columns() {
				names = append(names, strings.Join(c, "."))
			}
			return 0, fmt.Errorf("%s: no column %q (columns: %s)", path, name, strings.Join(names, ", "))
		case leaf.MaxRepetitionLevel > 0:
			return 0, fmt.Errorf("%s: column %q is repeated; want one string a row", path, name)
		case leaf.Node.Type().Kind() != parquet.ByteArray:
			return 0, fmt.Errorf("%s: column %q holds %s, not strings", path, name, leaf.Node.Type().Kind())
		}
		return leaf.ColumnIndex, nil
	}
	if id, err = column("id"); err != nil {
		return 0, 0, err
	}
	text, err = column("text")
	return id, text, err
}

// readParquetSpan calls f with the documents of a span of row groups and
// their positions, refusing a row as the command does: one without an
// id, with an empty id, or without a text. The id and text f gets are
// its own.
func readParquetSpan(ctx context.Context, sp span, f func(pos int64, id string, text []byte) error) error {
	pf, done, err := parquetFile(ctx, sp.Path)
	if err != nil {
		return err
	}
	defer done()
	idCol, textCol, err := parquetColumns(pf, sp.Path)
	if err != nil {
		return err
	}
	row := sp.Row
	buf := make([]parquet.Row, 128)
	for _, rg := range pf.RowGroups()[sp.Start:sp.End] {
		rows := rg.Rows()
		for {
			n, rerr := rows.ReadRows(buf)
			for _, values := range buf[:n] {
				row++ // numbered from 1 in errors, as the command numbers them
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
					err = fmt.Errorf("%s: row %d: no %q", sp.Path, row, "id")
				case len(id.ByteArray()) == 0:
					err = fmt.Errorf("%s: row %d: empty %q", sp.Path, row, "id")
				case text == nil || text.IsNull():
					err = fmt.Errorf("%s: row %d: no %q", sp.Path, row, "text")
				default:
					pos := int64(sp.File)<<fileShift | (row-1)<<rowShift
					// The values' bytes belong to the reader's buffers.
					err = f(pos, string(id.ByteArray()), bytes.Clone(text.ByteArray()))
				}
				if err != nil {
					rows.Close()
					return err
				}
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				rows.Close()
				return fmt.Errorf("%s: row %d: cannot read: %w", sp.Path, row+1, rerr)
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("%s: cannot read: %w", sp.Path, err)
		}
	}
	return nil
}
