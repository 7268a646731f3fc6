package runconfig_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
)

// covFiles writes 1h BTC candles and mark candles over 2024-01-01..04
// (72 bars) and 8h funding from hour `from` to hour `to` (inclusive,
// counted from 2024-01-01), and returns the directory.
func covFiles(t *testing.T, from, to int) string {
	t.Helper()
	dir := t.TempDir()
	m, err := data.Synthesize(data.SynthConfig{Symbols: []string{"BTC"}, Timeframe: time.Hour, Bars: 72, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Symbols[0]
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var f data.Funding
	for h := from; h <= to; h += 8 {
		// Binance-like stamps, 16 ms late.
		f.Time = append(f.Time, t0+int64(h)*int64(time.Hour)+int64(16*time.Millisecond))
		f.Rate = append(f.Rate, 0.0001)
	}
	for name, ser := range map[string]data.Series{
		"candles.parquet": {Kind: data.KindCandles, Bars: s.Candles},
		"mark.parquet":    {Kind: data.KindMark, Bars: *s.Mark},
		"funding.parquet": {Kind: data.KindFunding, Funding: f},
	} {
		if err := data.WriteFile(filepath.Join(dir, name), &ser, data.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// covConfig parses a configuration of covFiles' files with extra lines in
// its data section.
func covConfig(t *testing.T, dir, extra string) *runconfig.File {
	t.Helper()
	doc := "data:\n  symbols:\n    BTC: {candles: candles.parquet, mark: mark.parquet, funding: funding.parquet}\n" + extra
	f, err := runconfig.Parse([]byte(doc), filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f.Source = "c.yaml"
	return f
}

// TestCoverageError: a funding file that ends before the run is an error
// naming the key, its line, the file, the gap and the fix; accepted, it is
// a warning naming the file.
func TestCoverageError(t *testing.T) {
	dir := covFiles(t, 0, 40) // funding to 2024-01-02 16:00; candles to 2024-01-03 23:00
	_, _, err := covConfig(t, dir, "").Market(context.Background())
	want := "the data does not cover the run (data.coverage is strict):\n" +
		"  c.yaml:3: data.symbols.BTC.funding: " + filepath.Join(dir, "funding.parquet") + ": the last event is at 2024-01-02T16:00:00Z and events come every 8h, " +
		"but the last bar opens at 2024-01-03T23:00:00Z: 3 funding times have no rate (2024-01-03T00:00:00Z to 2024-01-03T16:00:00Z)\n" +
		"fix: trim the run to the period every file covers (data: {end: 2024-01-03}; end is exclusive), or accept the gaps with data: {coverage: {funding: accept}}, after which every output of the run carries a warning"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
	var ce *data.CoverageError
	if !errors.Is(err, data.ErrCoverage) || !errors.As(err, &ce) || ce.Symbol != "BTC" {
		t.Errorf("err does not match data.ErrCoverage: %T", err)
	}

	// The suggested end is covered.
	if _, _, err := covConfig(t, dir, "  end: 2024-01-03\n").Market(context.Background()); err != nil {
		t.Errorf("with the suggested end: %v", err)
	}

	// Accepted: the market is built, and the warning names the file.
	m, warns, err := covConfig(t, dir, "  coverage: {funding: accept}\n").Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, w := range warns {
		if errors.Is(w, data.ErrCoverage) {
			found = true
			want := "BTC funding (" + filepath.Join(dir, "funding.parquet") + ") does not cover the run: the last event is at 2024-01-02T16:00:00Z"
			if !strings.HasPrefix(w.Error(), want) || !strings.HasSuffix(w.Error(), "; accepted by data.coverage.funding: accept: no funding is charged at those times") {
				t.Errorf("warning %v", w)
			}
		}
	}
	if !found || len(m.Time) != 72 {
		t.Errorf("warnings %v, %d bars", warns, len(m.Time))
	}
}

// TestCoverageStartAndHole: a late start suggests data.start; a hole
// suggests the ways around it; the jittered stamps land on the hour.
func TestCoverageStartAndHole(t *testing.T) {
	dir := covFiles(t, 16, 72)
	_, _, err := covConfig(t, dir, "").Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 funding time has no rate (2024-01-01T08:00:00Z)") ||
		!strings.Contains(err.Error(), "data: {start: 2024-01-01T08:00:00Z}") {
		t.Errorf("late start: %v", err)
	}
	f := covConfig(t, dir, "  start: 2024-01-01T08:00:00Z\n")
	m, _, err := f.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Symbols[0].Funding.Time[0]; got != time.Date(2024, 1, 1, 16, 0, 0, 0, time.UTC).UnixNano() {
		t.Errorf("first event at %s, want on the hour", data.FormatTime(got))
	}

	// A hole: write a funding file with events missing in the middle.
	hole := covFiles(t, 0, 72)
	s, err := data.Load(context.Background(), filepath.Join(hole, "funding.parquet"), data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fu := s.Funding
	fu.Time = append(fu.Time[:3:3], fu.Time[5:]...) // drop 2024-01-02 00:00 and 08:00
	fu.Rate = append(fu.Rate[:3:3], fu.Rate[5:]...)
	if err := data.WriteFile(filepath.Join(hole, "funding.parquet"), &data.Series{Kind: data.KindFunding, Funding: fu}, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err = covConfig(t, hole, "").Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no event between 2024-01-01T16:00:00Z and 2024-01-02T16:00:00Z and events come every 8h: 2 funding times have no rate") ||
		!strings.Contains(err.Error(), "fix: run before or after the hole at 2024-01-02T00:00:00Z (data.end: 2024-01-02, or data.start: 2024-01-02T08:00:00Z)") {
		t.Errorf("hole: %v", err)
	}
}

// TestCoverageMark: a mark file that stops early is refused under strict
// mark coverage and accepted under accept.
func TestCoverageMark(t *testing.T) {
	dir := covFiles(t, 0, 72)
	s, err := data.Load(context.Background(), filepath.Join(dir, "mark.parquet"), data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	short := s.Bars.Slice(0, 60)
	if err := data.WriteFile(filepath.Join(dir, "mark.parquet"), &data.Series{Kind: data.KindMark, Bars: short}, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err = covConfig(t, dir, "").Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "data.symbols.BTC.mark: "+filepath.Join(dir, "mark.parquet")+": the last mark candle is at 2024-01-03T11:00:00Z, but the last bar opens at 2024-01-03T23:00:00Z: 12 bars have no mark candle") ||
		!strings.Contains(err.Error(), "data: {end: 2024-01-03T12:00:00Z}") || !strings.Contains(err.Error(), "data: {coverage: {mark: accept}}") {
		t.Errorf("short mark: %v", err)
	}
	_, warns, err := covConfig(t, dir, "  coverage: {mark: accept}\n").Market(context.Background())
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0].Error(), "accepted by data.coverage.mark: accept: those bars have NaN marks and trade prices stand in for them") {
		t.Errorf("accepted: %v %v", err, warns)
	}
}

func TestCoverageKey(t *testing.T) {
	got := problems(t, "data:\n  coverage: {funding: lenient, mark: strict}\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], `c.yaml:2: data.coverage.funding = "lenient": want strict`) {
		t.Errorf("%q", got)
	}
	got = problems(t, "data:\n  coverage: {fundin: accept}\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "c.yaml:2: data.coverage.fundin: unknown key; allowed: funding, mark") {
		t.Errorf("%q", got)
	}
	f := parse(t, "data:\n  coverage: {mark: accept}\n")
	if f.Data.Coverage.Funding != "strict" || f.Data.Coverage.Mark != "accept" {
		t.Errorf("%+v", f.Data.Coverage)
	}
	if !strings.Contains(canonical(t, f), `"coverage":{"funding":"strict","mark":"accept"}`) {
		t.Errorf("canonical %s", canonical(t, f))
	}
}

// TestRealCoverageConfig: a run over the whole Binance 2023–2024 5m file
// with its funding is refused (funding ends 2024-05-14 00:00, the candles
// at 15:35), with the end that fixes it; that end runs, and so does the 8h
// mark file beside the candles, which values funding only.
func TestRealCoverageConfig(t *testing.T) {
	dir := "../../../shared/data/binance-futures-2023-2024"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(extra string) *runconfig.File {
		f, err := runconfig.Parse([]byte(`data:
  symbols:
    BTCUSDT: {candles: BTC_USDT_USDT-5m-futures.feather, mark: BTC_USDT_USDT-8h-mark.feather, funding: BTC_USDT_USDT-8h-funding_rate.feather}
`+extra), filepath.Join(abs, "c.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	_, _, err = doc("").Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 funding time has no rate (2024-05-14T08:00:00Z)") ||
		!strings.Contains(err.Error(), "data: {end: 2024-05-14T08:00:00Z}") {
		t.Fatalf("whole file: %v", err)
	}
	m, warns, err := doc("  end: 2024-05-14T08:00:00Z\n").Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := m.Symbols[0]
	if s.Mark != nil || s.CoarseMark != 8*time.Hour || len(s.Funding.Mark) != 1498 || len(warns) != 1 || !errors.Is(warns[0], data.ErrCoarseMark) {
		t.Errorf("mark %v, coarse %v, %d funding marks, warnings %v", s.Mark != nil, s.CoarseMark, len(s.Funding.Mark), warns)
	}
}
