package data

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// role is what a file column means to marginlab.
type role int

const (
	roleTime role = iota
	roleOpen
	roleHigh
	roleLow
	roleClose
	roleVolume
	roleRate
	nRoles
)

var roleNames = [nRoles]string{"time", "open", "high", "low", "close", "volume", "funding_rate"}

// Accepted column names, compared case-insensitively after trimming spaces.
var (
	timeColumnNames = []string{"date", "timestamp", "open_time", "time", "datetime", "ts"}
	roleAliases     = [nRoles][]string{
		roleOpen:   {"open", "o"},
		roleHigh:   {"high", "h"},
		roleLow:    {"low", "l"},
		roleClose:  {"close", "c"},
		roleVolume: {"volume", "vol", "v"},
		roleRate:   {"funding_rate", "fundingrate", "rate"},
	}
)

// columnPlan says which file column feeds each role (-1: none).
type columnPlan struct {
	kind  Kind
	index [nRoles]int
	names [nRoles]string
	types [nRoles]arrow.DataType
	// rateInOpen is the freqtrade funding layout: the rate is in "open".
	rateInOpen bool
}

// fieldInfo is the part of a schema field planning needs.
type fieldInfo struct {
	name string
	typ  arrow.DataType // nil for CSV, where every column is text
}

func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// planColumns maps roles to columns. It decides the kind when opt.Kind is
// KindAuto: a funding-rate column or "funding" in the file name means
// funding, "mark" in the file name means mark, anything else candles.
func planColumns(file string, fields []fieldInfo, opt *LoadOptions) (columnPlan, error) {
	var p columnPlan
	for r := range p.index {
		p.index[r] = -1
	}
	byName := make(map[string]int, len(fields))
	for i, f := range fields {
		n := normName(f.name)
		if _, dup := byName[n]; !dup {
			byName[n] = i
		}
	}
	find := func(names []string) int {
		for _, n := range names {
			if i, ok := byName[n]; ok {
				return i
			}
		}
		return -1
	}
	available := func() string {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		return strings.Join(names, ", ")
	}

	// Time column: explicit, else by name, else the only timestamp column.
	switch {
	case opt.TimeColumn != "":
		p.index[roleTime] = find([]string{normName(opt.TimeColumn)})
		if p.index[roleTime] < 0 {
			return p, &InputError{File: file, Column: opt.TimeColumn, Row: -1, Err: ErrMissingColumn,
				Detail: "columns are " + available(), Hint: "check the time column name"}
		}
	default:
		p.index[roleTime] = find(timeColumnNames)
		if p.index[roleTime] < 0 {
			for i, f := range fields {
				if f.typ != nil && f.typ.ID() == arrow.TIMESTAMP {
					if p.index[roleTime] >= 0 {
						p.index[roleTime] = -1 // ambiguous: two timestamp columns
						break
					}
					p.index[roleTime] = i
				}
			}
		}
		if p.index[roleTime] < 0 {
			return p, &InputError{File: file, Column: "time", Row: -1, Err: ErrMissingColumn,
				Detail: "no column named " + strings.Join(timeColumnNames, ", ") + "; columns are " + available(),
				Hint:   "name the time column explicitly (--time-column NAME)"}
		}
	}

	for r := roleOpen; r < nRoles; r++ {
		p.index[r] = find(roleAliases[r])
	}

	p.kind = opt.Kind
	if p.kind == KindAuto {
		base := strings.ToLower(filepath.Base(file))
		switch {
		case p.index[roleRate] >= 0 || strings.Contains(base, "funding"):
			p.kind = KindFunding
		case strings.Contains(base, "mark"):
			p.kind = KindMark
		default:
			p.kind = KindCandles
		}
	}

	var need []role
	switch p.kind {
	case KindFunding:
		if p.index[roleRate] < 0 {
			if p.index[roleOpen] < 0 {
				return p, &InputError{File: file, Column: "funding_rate", Row: -1, Err: ErrMissingColumn,
					Detail: "no funding_rate, rate or open column; columns are " + available(),
					Hint:   "a funding file needs the rate in a funding_rate or rate column (or in open, freqtrade's layout)"}
			}
			p.index[roleRate], p.rateInOpen = p.index[roleOpen], true
		}
		for r := roleOpen; r <= roleVolume; r++ {
			p.index[r] = -1
		}
	case KindMark:
		need = []role{roleOpen, roleHigh, roleLow, roleClose}
		p.index[roleVolume], p.index[roleRate] = -1, -1 // mark volume is meaningless and often null
	default:
		need = []role{roleOpen, roleHigh, roleLow, roleClose}
		p.index[roleRate] = -1
	}
	for _, r := range need {
		if p.index[r] < 0 {
			return p, &InputError{File: file, Column: roleNames[r], Row: -1, Err: ErrMissingColumn,
				Detail: "columns are " + available(),
				Hint:   fmt.Sprintf("%s needs columns open, high, low, close (any case)", p.kind)}
		}
	}
	for r := range p.index {
		if i := p.index[r]; i >= 0 {
			p.names[r] = fields[i].name
			p.types[r] = fields[i].typ
			if fields[i].typ != nil {
				ok := isNumeric(fields[i].typ)
				if role(r) == roleTime {
					ok = isTimeType(fields[i].typ)
				}
				if !ok {
					return p, &InputError{File: file, Column: fields[i].name, Row: -1, Err: ErrColumnType,
						Detail: fmt.Sprintf("type %s", fields[i].typ),
						Hint:   typeHint(role(r))}
				}
			}
		}
	}
	return p, nil
}

func typeHint(r role) string {
	if r == roleTime {
		return "the time column must be an Arrow timestamp, date32/date64, integer epoch or ISO-8601 string"
	}
	return "price, volume and rate columns must be float32, float64 or integer"
}

func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT64, arrow.FLOAT32,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isTimeType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64, arrow.STRING, arrow.LARGE_STRING,
		arrow.INT32, arrow.INT64, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// appendFloats appends arr's values to dst as float64. Null slots get NaN
// and their absolute row numbers (base+i) are appended to nulls.
func appendFloats(dst []float64, arr arrow.Array, base int, nulls []int) ([]float64, []int) {
	n := arr.Len()
	start := len(dst)
	switch a := arr.(type) {
	case *array.Float64:
		dst = append(dst, a.Float64Values()...)
	case *array.Float32:
		for _, v := range a.Float32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int64:
		for _, v := range a.Int64Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int32:
		for _, v := range a.Int32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int16:
		for _, v := range a.Int16Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int8:
		for _, v := range a.Int8Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint64:
		for _, v := range a.Uint64Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint32:
		for _, v := range a.Uint32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint16:
		for _, v := range a.Uint16Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint8:
		for _, v := range a.Uint8Values() {
			dst = append(dst, float64(v))
		}
	default:
		// planColumns admits only the types above.
		panic("data: appendFloats on " + arr.DataType().String())
	}
	if arr.NullN() > 0 {
		for i := range n {
			if arr.IsNull(i) {
				dst[start+i] = math.NaN()
				nulls = append(nulls, base+i)
			}
		}
	}
	return dst, nulls
}

// timeConverter turns a time column's values into Unix nanoseconds.
type timeConverter struct {
	file, column string
	loc          *time.Location // zone of naive values; nil: UTC
	epochUnit    time.Duration  // for integer epochs; 0: infer from magnitude
	zoneCache    zoneCache
	layout       string // last ISO layout that parsed, tried first
}

// Limits of int64 nanoseconds expressed in seconds, for overflow checks.
const (
	maxNanoSeconds = math.MaxInt64 / int64(time.Second)
	minNanoSeconds = math.MinInt64 / int64(time.Second)
)

// inferEpochUnit guesses the unit of an integer epoch from its magnitude:
// below 1e11 seconds (until year 5138), below 1e14 milliseconds, below 1e17
// microseconds, else nanoseconds. Real data after 1973 is unambiguous.
func inferEpochUnit(v int64) time.Duration {
	if v < 0 {
		v = -v
	}
	switch {
	case v < 1e11:
		return time.Second
	case v < 1e14:
		return time.Millisecond
	case v < 1e17:
		return time.Microsecond
	}
	return time.Nanosecond
}

// scale multiplies v (in unit) to nanoseconds, reporting overflow.
func scale(v int64, unit time.Duration) (int64, bool) {
	m := int64(unit)
	if m == 1 {
		return v, true
	}
	if v > math.MaxInt64/m || v < math.MinInt64/m {
		return 0, false
	}
	return v * m, true
}

func arrowUnit(u arrow.TimeUnit) time.Duration {
	switch u {
	case arrow.Second:
		return time.Second
	case arrow.Millisecond:
		return time.Millisecond
	case arrow.Microsecond:
		return time.Microsecond
	}
	return time.Nanosecond
}

// appendTimes appends arr's times to dst in Unix ns. Null rows get 0 and are
// recorded in nulls; out-of-range or unparseable values are errors.
func (c *timeConverter) appendTimes(dst []int64, arr arrow.Array, base int, nulls []int) ([]int64, []int, error) {
	start := len(dst)
	n := arr.Len()
	naive := false
	var unit time.Duration
	var raw func(i int) int64
	switch a := arr.(type) {
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		unit, naive = arrowUnit(tt.Unit), tt.TimeZone == ""
		vals := a.TimestampValues()
		raw = func(i int) int64 { return int64(vals[i]) }
	case *array.Date32:
		unit, naive = 24*time.Hour, true
		vals := a.Date32Values()
		raw = func(i int) int64 { return int64(vals[i]) }
	case *array.Date64:
		unit, naive = time.Millisecond, true
		vals := a.Date64Values()
		raw = func(i int) int64 { return int64(vals[i]) }
	case *array.Int64:
		vals := a.Int64Values()
		raw = func(i int) int64 { return vals[i] }
	case *array.Int32:
		vals := a.Int32Values()
		raw = func(i int) int64 { return int64(vals[i]) }
	case *array.Uint32:
		vals := a.Uint32Values()
		raw = func(i int) int64 { return int64(vals[i]) }
	case *array.Uint64:
		vals := a.Uint64Values()
		raw = func(i int) int64 {
			if vals[i] > math.MaxInt64 {
				return math.MaxInt64 // out of range; caught by scale below
			}
			return int64(vals[i])
		}
	case *array.String:
		for i := range n {
			var err error
			if dst, nulls, err = c.appendString(dst, a.IsNull(i), a.Value(i), base+i, nulls); err != nil {
				return dst, nulls, err
			}
		}
		return dst, nulls, nil
	case *array.LargeString:
		for i := range n {
			var err error
			if dst, nulls, err = c.appendString(dst, a.IsNull(i), a.Value(i), base+i, nulls); err != nil {
				return dst, nulls, err
			}
		}
		return dst, nulls, nil
	default:
		panic("data: appendTimes on " + arr.DataType().String())
	}
	for i := range n {
		dst = append(dst, raw(i))
	}
	var isNull func(i int) bool
	if arr.NullN() > 0 {
		isNull = arr.IsNull
	}
	nulls, err := c.scaleInPlace(dst[start:], isNull, base, unit, naive, nulls)
	return dst, nulls, err
}

// scaleInPlace converts raw time values v (rows base, base+1, ...) in unit
// to Unix ns in place. unit 0 means an integer epoch whose unit is given or
// inferred from the first valid value; naive values are wall-clock times in
// the converter's location. Null rows (isNull may be nil) become 0 and are
// appended to nulls.
func (c *timeConverter) scaleInPlace(v []int64, isNull func(int) bool, base int, unit time.Duration, naive bool, nulls []int) ([]int, error) {
	if unit == 0 {
		if c.epochUnit == 0 {
			for i, x := range v {
				if isNull == nil || !isNull(i) {
					c.epochUnit = inferEpochUnit(x)
					break
				}
			}
		}
		unit = c.epochUnit
	}
	zoned := naive && c.loc != nil && c.loc != time.UTC
	for i, x := range v {
		if isNull != nil && isNull(i) {
			v[i] = 0
			nulls = append(nulls, base+i)
			continue
		}
		ns, ok := scale(x, unit)
		if !ok {
			return nulls, rowError(c.file, c.column, base+i, 0, false, ErrTimeRange,
				fmt.Sprintf("value %d in unit %s", x, unit),
				"times must lie between 1678 and 2261; check the epoch unit (--epoch-unit)")
		}
		if zoned {
			ns = c.zoneCache.wallToUTC(ns, c.loc)
		}
		v[i] = ns
	}
	return nulls, nil
}

// appendString parses one ISO-8601 or integer-epoch time string.
func (c *timeConverter) appendString(dst []int64, null bool, s string, row int, nulls []int) ([]int64, []int, error) {
	s = strings.TrimSpace(s)
	if null || s == "" {
		return append(dst, 0), append(nulls, row), nil
	}
	v, err := c.parseTime(s)
	if err != nil {
		return dst, nulls, rowError(c.file, c.column, row, 0, false, err, fmt.Sprintf("value %q", s),
			"use ISO-8601 (2024-01-02T15:04:05Z, 2024-01-02 15:04:05) or an integer epoch")
	}
	return append(dst, v), nulls, nil
}

// isoLayouts are the ISO-8601 forms accepted for text times. Values without
// a zone are wall-clock times in the converter's location (UTC by default).
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

func (c *timeConverter) parseTime(s string) (int64, error) {
	if isEpochText(s) {
		var v int64
		if _, err := fmt.Sscan(s, &v); err != nil {
			return 0, ErrBadTime
		}
		if c.epochUnit == 0 {
			c.epochUnit = inferEpochUnit(v)
		}
		ns, ok := scale(v, c.epochUnit)
		if !ok {
			return 0, ErrTimeRange
		}
		return ns, nil
	}
	loc := c.loc
	if loc == nil {
		loc = time.UTC
	}
	if c.layout != "" {
		if t, err := time.ParseInLocation(c.layout, s, loc); err == nil {
			return timeToNanos(t)
		}
	}
	for _, l := range isoLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			c.layout = l
			return timeToNanos(t)
		}
	}
	return 0, ErrBadTime
}

func timeToNanos(t time.Time) (int64, error) {
	if s := t.Unix(); s >= maxNanoSeconds || s <= minNanoSeconds {
		return 0, ErrTimeRange
	}
	return t.UnixNano(), nil
}

func isEpochText(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '-' && i == 0 && len(s) > 1 {
			continue
		}
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// zoneCache converts naive wall-clock nanoseconds in a location to UTC. It
// remembers the last UTC offset and reuses it while it still holds, so a
// series pays for a full time.Date only around offset changes (DST).
type zoneCache struct {
	offset int64 // seconds east of UTC, valid when set
	set    bool
}

func (z *zoneCache) wallToUTC(wall int64, loc *time.Location) int64 {
	if z.set {
		guess := wall - z.offset*int64(time.Second)
		if _, off := time.Unix(0, guess).In(loc).Zone(); int64(off) == z.offset {
			return guess
		}
	}
	w := time.Unix(0, wall).UTC()
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	_, off := t.Zone()
	z.offset, z.set = int64(off), true
	return t.UnixNano()
}
