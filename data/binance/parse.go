package binance

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/data"
)

// chunk is the rows of one archive file.
type chunk struct {
	file   archiveFile
	zip    string // path of the zip in the cache
	sha256 string
	header bool // the CSV has a header line
	fresh  bool // downloaded by this fetch, not found in the cache

	time  []int64
	lines []int32 // CSV line (from 1) of each kept row
	// vals holds open, high, low, close, volume for klines, or the rate
	// alone (vals[0]) for funding.
	vals [5][]float64
}

func (c *chunk) rows() int { return len(c.time) }

// line returns the CSV line (from 1) of kept row i.
func (c *chunk) line(i int) int { return int(c.lines[i]) }

// Column layouts: the header names Fetch reads, in the order of files
// without a header.
var (
	klineColumns   = []string{"open_time", "open", "high", "low", "close", "volume"}
	fundingColumns = []string{"calc_time", "last_funding_rate"}
	fundingIndex   = []int{0, 2} // positions without a header
)

// corruptZip marks an archive that is not a readable zip holding one CSV.
type corruptZip struct{ err error }

func (e *corruptZip) Error() string { return e.err.Error() }
func (e *corruptZip) Unwrap() error { return e.err }

// parseZip reads the CSV inside the zip at c.zip into c, keeping the rows
// whose time lies in [from, to) (Unix ns).
func parseZip(c *chunk, from, to int64) error {
	zr, err := zip.OpenReader(c.zip)
	if err != nil {
		return &corruptZip{&data.InputError{File: c.zip, Row: -1, Err: data.ErrCorrupt, Detail: err.Error(),
			Hint: "the cached copy was removed: fetch again to download it anew"}}
	}
	defer zr.Close()
	var csvs []*zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			csvs = append(csvs, f)
		}
	}
	if len(csvs) != 1 {
		return &corruptZip{&data.InputError{File: c.zip, Row: -1, Err: data.ErrFormat,
			Detail: fmt.Sprintf("holds %d CSV files, want 1", len(csvs)), Hint: "the cached copy was removed: fetch again to download it anew"}}
	}
	rc, err := csvs[0].Open()
	if err != nil {
		return &corruptZip{&data.InputError{File: c.zip, Row: -1, Err: data.ErrCorrupt, Detail: err.Error(),
			Hint: "the cached copy was removed: fetch again to download it anew"}}
	}
	defer rc.Close()
	err = parseCSV(c, rc, from, to)
	var ie *data.InputError
	if err != nil && !errors.As(err, &ie) {
		// zip's decompressor or checksum failed mid-file.
		return &corruptZip{&data.InputError{File: c.zip, Row: -1, Err: data.ErrCorrupt, Detail: err.Error(),
			Hint: "the cached copy was removed: fetch again to download it anew"}}
	}
	return err
}

// parseCSV reads a kline or funding CSV, with or without a header line.
func parseCSV(c *chunk, r io.Reader, from, to int64) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	names, index := klineColumns, []int{0, 1, 2, 3, 4, 5}
	if c.file.dataset == FundingRate {
		names, index = fundingColumns, fundingIndex
	}
	fail := func(line, row int, col string, detail, hint string) error {
		e := &data.InputError{File: c.zip, Column: col, Row: row, Line: line, Err: data.ErrBadValue, Detail: detail, Hint: hint}
		if row < 0 {
			e.Err = data.ErrMissingColumn
		}
		return e
	}
	fileRow := 0
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &data.InputError{File: c.zip, Row: -1, Line: pe.Line, Err: data.ErrCorrupt, Detail: pe.Err.Error()}
			}
			return err
		}
		if first && len(rec) > 0 && !isInteger(rec[0]) {
			c.header = true
			if index, err = headerIndex(rec, names); err != nil {
				return fail(1, -1, "", err.Error(), "the archive's column names changed; please report it")
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		row := fileRow
		fileRow++
		if len(rec) <= slicesMax(index) {
			return fail(line, row, "", fmt.Sprintf("%d fields, want at least %d", len(rec), slicesMax(index)+1), "")
		}
		t, err := epochNS(rec[index[0]])
		if err != nil {
			return fail(line, row, names[0], err.Error(), "")
		}
		if t < from || t >= to {
			continue
		}
		c.time = append(c.time, t)
		c.lines = append(c.lines, int32(line))
		for k := 1; k < len(index); k++ {
			txt := strings.TrimSpace(rec[index[k]])
			var v float64
			switch {
			case txt == "" && names[k] == "volume" && c.file.dataset == MarkPriceKlines:
				// Mark-price klines carry no volume.
			default:
				v, err = strconv.ParseFloat(txt, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return fail(line, row, names[k], fmt.Sprintf("%q is not a finite number", txt), "")
				}
			}
			c.vals[k-1] = append(c.vals[k-1], v)
		}
	}
	return nil
}

// headerIndex finds each wanted column in a header line.
func headerIndex(header, want []string) ([]int, error) {
	idx := make([]int, len(want))
	for k, name := range want {
		idx[k] = -1
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), name) {
				idx[k] = i
				break
			}
		}
		if idx[k] < 0 {
			return nil, fmt.Errorf("no column %q in the header %q", name, strings.Join(header, ","))
		}
	}
	return idx, nil
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil
}

func slicesMax(v []int) int {
	m := v[0]
	for _, x := range v[1:] {
		m = max(m, x)
	}
	return m
}

// Epoch bounds: milliseconds from 1973 to 5138, microseconds from 5138 on
// up to 2286 in nanoseconds' range. Binance switched some files from
// milliseconds to microseconds in 2025.
const (
	minEpochMS = 1e11
	minEpochUS = 1e14
	maxEpochUS = math.MaxInt64 / 1000
)

// epochNS converts an epoch in milliseconds or microseconds to Unix ns.
func epochNS(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not an integer epoch", s)
	case v >= minEpochUS && v <= maxEpochUS:
		return v * 1000, nil
	case v >= minEpochMS && v < minEpochUS:
		return v * 1_000_000, nil
	}
	return 0, fmt.Errorf("%d is not an epoch in milliseconds or microseconds", v)
}
