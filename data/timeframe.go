package data

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatTimeframe prints d in the short form exchanges use: the largest unit
// of w, d, h, m, s, ms that divides it exactly ("5m", "8h", "1d", "1500ms").
// Zero prints as "0s"; durations under a millisecond use Go's own form.
func FormatTimeframe(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	units := []struct {
		suffix string
		size   time.Duration
	}{
		{"w", 7 * 24 * time.Hour},
		{"d", 24 * time.Hour},
		{"h", time.Hour},
		{"m", time.Minute},
		{"s", time.Second},
		{"ms", time.Millisecond},
	}
	for _, u := range units {
		if d%u.size == 0 {
			return strconv.FormatInt(int64(d/u.size), 10) + u.suffix
		}
	}
	return d.String()
}

// ParseTimeframe parses "1m", "5m", "15m", "1h", "4h", "8h", "1d", "1w",
// "30s", "500ms" and any Go duration ("90m", "1h30m"). The value must be
// positive.
func ParseTimeframe(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var d time.Duration
	switch {
	case strings.HasSuffix(t, "d") || strings.HasSuffix(t, "w"):
		n, err := strconv.ParseInt(t[:len(t)-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("data: bad timeframe %q: want forms like 1m, 5m, 1h, 4h, 1d", s)
		}
		unit := 24 * time.Hour
		if strings.HasSuffix(t, "w") {
			unit *= 7
		}
		d = time.Duration(n) * unit
	default:
		var err error
		d, err = time.ParseDuration(t)
		if err != nil {
			return 0, fmt.Errorf("data: bad timeframe %q: want forms like 1m, 5m, 1h, 4h, 1d", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("data: bad timeframe %q: must be positive", s)
	}
	return d, nil
}

// FormatDuration prints a span compactly in days, hours, minutes, seconds
// and milliseconds, omitting zero units: "2h50m", "3d4h", "1m30s", "0s".
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		suffix string
		size   time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.suffix)
			d -= n * u.size
		}
	}
	if d > 0 {
		b.WriteString(d.String())
	}
	return b.String()
}
