package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
)

var dataSynthCmd = &command{
	name:    "data synth",
	summary: "generate a synthetic market and write it to files",
	about: `
Synth generates a synthetic perpetual-futures market (data.Synthesize):
per symbol, trade candles from a GARCH(1,1) random walk with jumps and
correlated shocks across symbols, mark-price candles that follow the trade
price with a small mean-reverting basis, and 8-hourly funding rates driven
by that basis. It is test data with realistic features, not market data.

For each symbol it writes three files to DIR, creating DIR if needed:

  DIR/<SYM>-<tf>-candles.<ext>   trade candles
  DIR/<SYM>-<tf>-mark.<ext>      mark-price candles
  DIR/<SYM>-funding.<ext>        funding rates

Existing files of those names are replaced. The same flags and seed always
give byte-identical files (with the same marginlab build).`,
	examples: []string{
		"marginlab data synth --out market",
		"marginlab data synth --out market --symbols BTC,ETH,SOL --timeframe 5m --bars 8640 --seed 7",
		"marginlab data synth --out stress --vol 1.5 --correlation 0.9 --format feather",
	},
	setup: setupDataSynth,
}

// synthFormats maps --format to a file extension (which picks the writer).
var synthFormats = map[string]string{
	"parquet": ".parquet",
	"arrow":   ".arrow",
	"feather": ".feather",
	"arrows":  ".arrows",
}

const (
	defaultSeed  = 1
	defaultStart = "2024-01-01"
)

func setupDataSynth(fs *flag.FlagSet) runFunc {
	def := data.DefaultSynthConfig()
	cfg := def
	cfg.Seed = defaultSeed
	out := fs.String("out", "", "`DIR` to write the files to (required)")
	symbols := fs.String("symbols", strings.Join(def.Symbols, ","), "comma-separated symbol `NAMES`; BTC, ETH, SOL, BNB and XRP start\nat realistic prices, others at 100")
	fs.Var(timeframeValue{&cfg.Timeframe}, "timeframe", "candle `TIMEFRAME`: 1m, 5m, 1h, 4h, 1d, ...")
	fs.IntVar(&cfg.Bars, "bars", def.Bars, "`N` candles per symbol, at least 2")
	fs.Uint64Var(&cfg.Seed, "seed", defaultSeed, "random `SEED`; the same seed gives the same files")
	start := fs.String("start", defaultStart, "open `TIME` of the first candle: a date or RFC 3339 time, UTC")
	format := fs.String("format", "parquet", "file `FORMAT`: parquet, arrow or feather (Arrow IPC file),\narrows (Arrow IPC stream)")
	fs.Float64Var(&cfg.Correlation, "correlation", def.Correlation, "correlation `X` of the return shocks of every pair of symbols,\nin [0, 0.99]")
	fs.Float64Var(&cfg.AnnualVol, "vol", def.AnnualVol, "long-run annualised volatility `X` of returns, as a fraction\n(0.6 = 60 %), in (0, 5]")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q (synth takes only flags)", args[0])
		}
		if *out == "" {
			return usagef("--out DIR is required")
		}
		ext, ok := synthFormats[*format]
		if !ok {
			return usagef("--format %q: want parquet, arrow, feather or arrows", *format)
		}
		t, err := parseStart(*start)
		if err != nil {
			return err
		}
		cfg.Start = t
		cfg.Symbols = strings.Split(*symbols, ",")
		for i := range cfg.Symbols {
			cfg.Symbols[i] = strings.TrimSpace(cfg.Symbols[i])
		}
		if err := checkSynthConfig(&cfg); err != nil {
			return err
		}
		m, err := data.Synthesize(cfg)
		if err != nil {
			return err
		}
		files, err := writeMarket(*out, m, ext)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintf(sio.out, "wrote %s: %d rows of %s\n", f.path, f.rows, f.kind)
		}
		return nil
	}
}

// parseStart accepts a date ("2024-01-01"), a UTC date and time
// ("2024-01-01T08:00:00") or an RFC 3339 time.
func parseStart(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--start %q: want a date such as 2024-01-01 or an RFC 3339 time such as 2024-01-01T08:00:00Z", s)
}

// checkSynthConfig checks the values that data.SynthConfig reads
// differently from the command line, then lets Validate check the rest and
// names the flags in its messages.
func checkSynthConfig(cfg *data.SynthConfig) error {
	if cfg.Bars < 2 {
		return usagef("--bars %d: must be at least 2", cfg.Bars)
	}
	if !(cfg.AnnualVol > 0) {
		return usagef("--vol %v: must be in (0, 5]", cfg.AnnualVol)
	}
	if cfg.Correlation == 0 {
		// SynthConfig reads 0 as "default 0.6"; on the command line 0
		// means independent symbols, which SynthConfig spells as tiny.
		cfg.Correlation = 1e-9
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%s", synthFlagNames.Replace(err.Error()))
	}
	return nil
}

// synthFlagNames rewrites data.SynthConfig field names in Validate's
// messages as the flags that set them.
var synthFlagNames = strings.NewReplacer(
	"synth: ", "",
	"Symbols", "--symbols",
	"Timeframe", "--timeframe",
	"Bars", "--bars",
	"Start", "--start",
	"Correlation", "--correlation",
	"AnnualVol", "--vol",
	"\n", "; ",
)

// writtenFile is one file writeMarket wrote.
type writtenFile struct {
	path string
	kind data.Kind
	rows int
}

// writeMarket writes every symbol's candles, mark candles and funding to
// dir, in the format ext chooses, and returns the files in that order.
func writeMarket(dir string, m *data.Market, ext string) ([]writtenFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tf := data.FormatTimeframe(m.Timeframe)
	var files []writtenFile
	for _, sym := range m.Symbols {
		series := []struct {
			name string
			s    data.Series
		}{
			{sym.Name + "-" + tf + "-candles", data.Series{Kind: data.KindCandles, Bars: sym.Candles}},
			{sym.Name + "-" + tf + "-mark", data.Series{Kind: data.KindMark, Bars: *sym.Mark}},
			{sym.Name + "-funding", data.Series{Kind: data.KindFunding, Funding: sym.Funding}},
		}
		for _, x := range series {
			path := filepath.Join(dir, x.name+ext)
			if err := data.WriteFile(path, &x.s, data.WriteOptions{}); err != nil {
				return files, err
			}
			files = append(files, writtenFile{path: path, kind: x.s.Kind, rows: x.s.Rows()})
		}
	}
	return files, nil
}
