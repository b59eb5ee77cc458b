package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxUnzipLimit bounds what a workbook may unpack to, so that a small
// file that unpacks to gigabytes (a zip bomb) is refused.
const xlsxUnzipLimit = 1 << 30

// readXLSX reads every visible sheet of a workbook with raw cell values:
// numbers as Excel stores them (dates as serial numbers), not as their
// number format shows them.
func readXLSX(data []byte) ([]sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit})
	if err != nil {
		return nil, fmt.Errorf("%w: a ZIP archive that is not an Excel workbook (%v); "+
			"save the spreadsheet as .xlsx or CSV", ErrNotSpreadsheet, err)
	}
	defer f.Close()
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	merges := hasMerges(data)
	var sheets []sheet
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && !visible {
			continue // hidden sheets hold lists for drop-downs and the like
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%w: sheet %s does not read (%v); save the workbook "+
				"again from Excel or WPS", ErrNotSpreadsheet, name, err)
		}
		if merges {
			if err := fillMerged(f, name, rows); err != nil {
				return nil, err
			}
		}
		for i := range rows {
			rows[i] = trimRow(rows[i])
		}
		if rows = trimRows(rows); len(rows) > 0 {
			sheets = append(sheets, sheet{name: name, rows: rows, date1904: date1904})
		}
	}
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no visible sheet with rows", ErrEmpty)
	}
	return sheets, nil
}

// fillMerged copies the value of each merged range's first cell into every
// cell of the range that lies within the rows read, so that a merged
// header spans its columns and a merged body or meeting cell covers each
// of its rows.
func fillMerged(f *excelize.File, name string, rows [][]string) error {
	merged, err := f.GetMergeCells(name, true)
	if err != nil {
		return fmt.Errorf("%w: the merged cells of sheet %s do not read (%v)",
			ErrNotSpreadsheet, name, err)
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	for _, m := range merged {
		c0, r0, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r0 > len(rows) || c0 > len(rows[r0-1]) {
			continue
		}
		value := rows[r0-1][c0-1]
		for r := r0; r <= min(r1, len(rows)); r++ {
			for c := c0; c <= min(c1, width); c++ {
				for len(rows[r-1]) < c {
					rows[r-1] = append(rows[r-1], "")
				}
				rows[r-1][c-1] = value
			}
		}
	}
	return nil
}

// hasMerges reports whether any worksheet of the workbook merges cells.
// Reading merged ranges makes excelize parse a whole sheet into memory,
// which costs more than the rest of the import for a sheet of 100,000
// rows, so a workbook without them skips that.
func hasMerges(data []byte) bool {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return true
	}
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		if found, err := containsMerge(f); err != nil || found {
			return true
		}
	}
	return false
}

var mergeTag = []byte("<mergeCell ")

func containsMerge(f *zip.File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	r := bufio.NewReaderSize(io.LimitReader(rc, xlsxUnzipLimit), 64<<10)
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		if bytes.Contains(buf[:carry+n], mergeTag) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		} else if err != nil {
			return false, err
		}
		// keep the tail, in case the tag spans two reads
		keep := min(carry+n, len(mergeTag)-1)
		copy(buf, buf[carry+n-keep:carry+n])
		carry = keep
	}
}
