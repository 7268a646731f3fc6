package runconfig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// Market builds the market the configuration describes, with warnings
// (non-fatal facts the user should see: gaps, dropped rows, rows without
// mark prices) and an error.
//
// From files: every file is loaded with data.Load, its kind given
// explicitly by its key (candles, mark, funding) and naive times read in
// data.tz; the candles are cut to [data.start, data.end) (mark and funding
// series are passed whole, so that their interval and coverage are judged
// on the whole file); data.NewMarket aligns them (data.align), puts funding
// stamps on the hour, resamples to data.timeframe when set, and checks that
// every funding and mark file covers the period (data.coverage). A problem
// in a file is the loader's *data.InputError, returned as is; a missing
// file or a glob that does not match exactly one file is an *Error naming
// the key; files that do not cover the period are one error naming each
// file, its key and line, the gap, and the fix (see coverage.go), which
// matches data.ErrCoverage. Under data.coverage accept the same gaps are
// warnings naming the file.
//
// Synthetic (no data.symbols): data.Synthesize generates the market, which
// then takes the same cut, alignment and resampling.
//
// Call Validate first (Parse and Load do).
func (f *File) Market(ctx context.Context) (*data.Market, []error, error) {
	var inputs []data.SymbolInput
	var warns []error
	paths := map[string]SymbolFiles{} // resolved, by symbol
	if f.Synthetic() {
		m, err := data.Synthesize(f.synthConfig())
		if err != nil {
			return nil, nil, err
		}
		for _, s := range m.Symbols {
			funding := s.Funding
			inputs = append(inputs, data.SymbolInput{Name: s.Name, Candles: s.Candles, Mark: s.Mark, Funding: &funding})
		}
	} else {
		loc, err := time.LoadLocation(f.Data.TZ)
		if err != nil {
			return nil, nil, f.ErrorAt("data.tz", err)
		}
		for _, name := range f.SymbolNames() {
			in, p, w, err := f.loadSymbol(ctx, name, loc)
			if err != nil {
				return nil, nil, err
			}
			inputs = append(inputs, in)
			paths[name] = p
			warns = append(warns, w...)
		}
	}
	if err := f.cut(inputs); err != nil {
		return nil, nil, err
	}
	opt := data.MarketOptions{FundingSnap: data.DefaultFundingSnap}
	opt.Align, _ = data.ParseAlignment(f.Data.Align)
	opt.FundingCoverage, _ = data.ParseCoveragePolicy(f.Data.Coverage.Funding)
	opt.MarkCoverage, _ = data.ParseCoveragePolicy(f.Data.Coverage.Mark)
	if f.Data.Timeframe != "" {
		tf, err := data.ParseTimeframe(f.Data.Timeframe)
		if err != nil {
			return nil, nil, f.ErrorAt("data.timeframe", err)
		}
		opt.Timeframe = tf
	}
	m, w, err := data.NewMarket(inputs, opt)
	if err != nil {
		return nil, nil, f.coverageError(err, paths)
	}
	return m, append(warns, f.coverageWarnings(w, paths)...), nil
}

// loadSymbol loads one symbol's files and returns them with the paths they
// were read from.
func (f *File) loadSymbol(ctx context.Context, name string, loc *time.Location) (data.SymbolInput, SymbolFiles, []error, error) {
	in := data.SymbolInput{Name: name}
	files := f.Data.Symbols[name]
	var paths SymbolFiles
	var warns []error
	load := func(key, pattern string, kind data.Kind) (*data.Series, error) {
		path, err := f.resolve("data.symbols."+name+"."+key, pattern)
		if err != nil {
			return nil, err
		}
		switch kind {
		case data.KindCandles:
			paths.Candles = path
		case data.KindMark:
			paths.Mark = path
		case data.KindFunding:
			paths.Funding = path
		}
		s, err := data.Load(ctx, path, data.LoadOptions{Kind: kind, Location: loc})
		if err != nil {
			var ie *data.InputError
			if errors.As(err, &ie) || errors.Is(err, context.Canceled) {
				return nil, err
			}
			return nil, f.ErrorAt("data.symbols."+name+"."+key, err)
		}
		for _, w := range s.Warnings {
			warns = append(warns, fmt.Errorf("%s: %s: %w", name, path, w))
		}
		return s, nil
	}
	c, err := load("candles", files.Candles, data.KindCandles)
	if err != nil {
		return in, paths, nil, err
	}
	in.Candles = c.Bars
	if files.Mark != "" {
		m, err := load("mark", files.Mark, data.KindMark)
		if err != nil {
			return in, paths, nil, err
		}
		in.Mark = &m.Bars
	}
	if files.Funding != "" {
		fu, err := load("funding", files.Funding, data.KindFunding)
		if err != nil {
			return in, paths, nil, err
		}
		in.Funding = &fu.Funding
	}
	return in, paths, warns, nil
}

// resolve turns a path or glob of the file into one path.
func (f *File) resolve(key, pattern string) (string, error) {
	p := f.path(pattern)
	if !strings.ContainsAny(pattern, `*?[`) {
		return p, nil
	}
	matches, err := filepath.Glob(p)
	if err != nil {
		return "", f.ErrorAt(key, fmt.Errorf("bad glob %q: %v", pattern, err))
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", f.ErrorAt(key, fmt.Errorf("glob %q (%s) matches no file", pattern, p))
	}
	slices.Sort(matches)
	shown := matches
	if len(shown) > 5 {
		shown = append(slices.Clip(shown[:5]), fmt.Sprintf("… %d more", len(matches)-5))
	}
	return "", f.ErrorAt(key, fmt.Errorf("glob %q matches %d files, want exactly one: %s", pattern, len(matches), strings.Join(shown, ", ")))
}

// cut keeps the candles in [data.start, data.end). Mark and funding series
// stay whole: data.NewMarket clips them to the market's span, and judges
// their interval and coverage on all they hold (a funding event just
// before data.start is what shows that the first bars are covered).
func (f *File) cut(inputs []data.SymbolInput) error {
	if f.Data.Start == "" && f.Data.End == "" {
		return nil
	}
	lo, hi := int64(minTime), int64(maxTime)
	if f.Data.Start != "" {
		t, err := parseTime(f.Data.Start)
		if err != nil {
			return f.ErrorAt("data.start", err)
		}
		lo = t.UnixNano()
	}
	if f.Data.End != "" {
		t, err := parseTime(f.Data.End)
		if err != nil {
			return f.ErrorAt("data.end", err)
		}
		hi = t.UnixNano()
	}
	span := func(times []int64) (int, int) {
		i := sort.Search(len(times), func(k int) bool { return times[k] >= lo })
		j := sort.Search(len(times), func(k int) bool { return times[k] >= hi })
		return i, max(i, j)
	}
	for k := range inputs {
		in := &inputs[k]
		c := in.Candles
		i, j := span(c.Time)
		if i == j {
			return fmt.Errorf("%s: no candles in [%s, %s): they cover %s to %s", in.Name, f.startText(), f.endText(),
				data.FormatTime(c.Time[0]), data.FormatTime(c.Time[len(c.Time)-1]))
		}
		in.Candles = c.Slice(i, j)
	}
	return nil
}

const (
	minTime = -1 << 63
	maxTime = 1<<63 - 1
)

func (f *File) startText() string {
	if f.Data.Start == "" {
		return "the beginning"
	}
	return f.Data.Start
}

func (f *File) endText() string {
	if f.Data.End == "" {
		return "the end"
	}
	return f.Data.End
}

// synthConfig returns the data.SynthConfig of data.synthetic.
func (f *File) synthConfig() data.SynthConfig {
	s := f.Data.Synthetic
	tf, _ := data.ParseTimeframe(s.Timeframe)
	c := data.DefaultSynthConfig()
	c.Symbols = slices.Clone(s.Symbols)
	c.Timeframe = tf
	c.Bars = s.Bars
	c.Seed = s.Seed
	c.AnnualVol = s.AnnualVol
	return c
}

// Venue returns the venue: the preset named by the venue key, or the venue
// file it names (relative to Dir), with fees overriding its maker and
// taker rates. The result is the caller's own copy.
func (f *File) Venue() (*venue.Venue, error) {
	var v *venue.Venue
	var err error
	if slices.Contains(venue.PresetNames(), f.VenueName) {
		v, err = venue.Preset(f.VenueName)
	} else {
		v, err = venue.LoadFile(f.path(f.VenueName))
	}
	if err != nil {
		return nil, f.ErrorAt("venue", err)
	}
	c := *v
	if f.Fees.Maker != nil {
		c.MakerFee = *f.Fees.Maker
	}
	if f.Fees.Taker != nil {
		c.TakerFee = *f.Fees.Taker
	}
	return &c, nil
}

// Engine returns the simulation settings with the given venue and sizer.
func (f *File) Engine(v *venue.Venue, sizer backtest.Sizer) backtest.Config {
	pol, _ := backtest.ParsePolicy(f.Intrabar)
	return backtest.Config{
		Venue:       v,
		Capital:     f.Capital,
		Leverage:    f.Leverage,
		Sizer:       sizer,
		Policy:      pol,
		Slippage:    f.Slippage,
		Cooldown:    f.Cooldown,
		StopAtLiq:   f.StopAtLiq,
		ReduceToFit: f.ReduceToFit,
		Margin: backtest.MarginPolicy{
			TopUpAt:     f.MarginPolicy.TopUpAt,
			TopUpAmount: f.MarginPolicy.TopUpAmount,
			TopUpCap:    f.MarginPolicy.TopUpCap,
			SweepBelow:  f.MarginPolicy.SweepBelow,
		},
		RuinFraction:   f.Ruin,
		TradeAfterRuin: f.TradeAfterRuin,
		NearMiss:       f.NearMiss,
		Every:          f.RecordEvery,
	}
}

// Modes returns the margin modes to run, in the order of the modes key.
func (f *File) Modes() []backtest.ModeSpec {
	out := make([]backtest.ModeSpec, 0, len(f.ModeNames))
	for _, m := range f.ModeNames {
		switch m {
		case "isolated":
			out = append(out, backtest.IsolatedMode)
		case "cross":
			out = append(out, backtest.CrossMode)
		case "hybrid":
			out = append(out, backtest.HybridMode(f.HybridIsolated...))
		}
	}
	return out
}

// DataFiles returns the data files the config reads, resolved (globs
// expanded, relative paths joined to the config's directory), in symbol
// order and candles, mark, funding order; none for synthetic data.
func (f *File) DataFiles() ([]string, error) {
	var out []string
	names := make([]string, 0, len(f.Data.Symbols))
	for name := range f.Data.Symbols {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		s := f.Data.Symbols[name]
		for _, kv := range []struct{ key, pattern string }{
			{"candles", s.Candles}, {"mark", s.Mark}, {"funding", s.Funding},
		} {
			if kv.pattern == "" {
				continue
			}
			p, err := f.resolve("data.symbols."+name+"."+kv.key, kv.pattern)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}
