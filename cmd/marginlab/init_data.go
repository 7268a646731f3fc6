package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
)

// Data file names init --data recognises: marginlab's own (data fetch and
// data synth write them) and freqtrade's futures layout.
var (
	ownSeries   = regexp.MustCompile(`^(.+)-([0-9]+(?:ms|s|m|h|d|w))-(candles|mark)\.(parquet|pq|arrow|feather|ipc|arrows|csv)$`)
	ownFunding  = regexp.MustCompile(`^(.+)-funding\.(parquet|pq|arrow|feather|ipc|arrows|csv)$`)
	freqtradeFt = regexp.MustCompile(`^([A-Za-z0-9]+)_([A-Za-z0-9]+)_([A-Za-z0-9]+)-([0-9]+(?:s|m|h|d|w))-(futures|mark|funding_rate)\.(feather|parquet)$`)
)

// foundFile is one recognised file.
type foundFile struct {
	symbol    string
	kind      data.Kind
	timeframe time.Duration // 0 for marginlab's funding files
	path      string
	freqtrade bool
}

// scanDataDir lists the data files in dir (not its subdirectories).
func scanDataDir(dir string) ([]foundFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usagef("--data: %v", err)
	}
	var out []foundFile
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name, path := e.Name(), filepath.Join(dir, e.Name())
		// freqtrade's names first: "BTC_USDT_USDT-8h-mark.feather" also
		// fits marginlab's pattern, with the symbol BTC_USDT_USDT.
		if m := freqtradeFt.FindStringSubmatch(name); m != nil {
			tf, err := data.ParseTimeframe(m[4])
			kind, _ := data.ParseKind(m[5])
			if err == nil {
				// BTC_USDT_USDT → BTCUSDT, as Binance and Bybit spell it;
				// the venues' SymbolKey finds other venues' spellings.
				out = append(out, foundFile{symbol: strings.ToUpper(m[1] + m[2]), kind: kind, timeframe: tf, path: path, freqtrade: true})
			}
		} else if m := ownSeries.FindStringSubmatch(name); m != nil {
			tf, err := data.ParseTimeframe(m[2])
			kind, _ := data.ParseKind(m[3])
			if err == nil {
				out = append(out, foundFile{symbol: m[1], kind: kind, timeframe: tf, path: path})
			}
		} else if m := ownFunding.FindStringSubmatch(name); m != nil {
			out = append(out, foundFile{symbol: m[1], kind: data.KindFunding, path: path})
		}
	}
	return out, nil
}

// dataChoice is what init --data found: the files of each symbol at the
// chosen timeframe, and notes on what it left out.
type dataChoice struct {
	timeframe time.Duration
	symbols   []runconfig.StarterSymbol
	notes     []string
}

// chooseData picks, per symbol, the candles at timeframe tf (0: the one
// timeframe the directory has), the mark candles at tf or the coarsest
// finer timeframe dividing it (the market resamples them), and the
// funding file. marginlab's file names win over freqtrade's for a symbol
// that has both.
func chooseData(dir string, files []foundFile, tf time.Duration) (*dataChoice, error) {
	var tfs []time.Duration
	for _, f := range files {
		if f.kind == data.KindCandles && !slices.Contains(tfs, f.timeframe) {
			tfs = append(tfs, f.timeframe)
		}
	}
	slices.Sort(tfs)
	if len(tfs) == 0 {
		return nil, usagef("--data %s: no candle files found; init looks for <SYMBOL>-<tf>-candles.parquet (as 'data fetch' and 'data synth' write them) and freqtrade's <BASE>_<QUOTE>_<SETTLE>-<tf>-futures.feather", dir)
	}
	names := make([]string, len(tfs))
	for i, d := range tfs {
		names[i] = data.FormatTimeframe(d)
	}
	switch {
	case tf == 0 && len(tfs) > 1:
		return nil, usagef("--data %s holds candles at %s: choose one with --timeframe", dir, strings.Join(names, ", "))
	case tf == 0:
		tf = tfs[0]
	case !slices.Contains(tfs, tf):
		return nil, usagef("--timeframe %s: %s holds candles at %s only", data.FormatTimeframe(tf), dir, strings.Join(names, ", "))
	}
	bySymbol := map[string][]foundFile{}
	for _, f := range files {
		bySymbol[f.symbol] = append(bySymbol[f.symbol], f)
	}
	c := &dataChoice{timeframe: tf}
	for _, sym := range sortedKeys(bySymbol) {
		fs := bySymbol[sym]
		// marginlab's names first, then by name: the choice is stable.
		slices.SortFunc(fs, func(a, b foundFile) int {
			if a.freqtrade != b.freqtrade {
				if a.freqtrade {
					return 1
				}
				return -1
			}
			return strings.Compare(a.path, b.path)
		})
		var s runconfig.StarterSymbol
		s.Name = sym
		var markTF, coarseTF time.Duration
		var coarse string
		for _, f := range fs {
			switch {
			case f.kind == data.KindCandles && f.timeframe == tf && s.Files.Candles == "":
				s.Files.Candles = f.path
			case f.kind == data.KindMark && f.timeframe <= tf && tf%f.timeframe == 0 && f.timeframe > markTF:
				s.Files.Mark, markTF = f.path, f.timeframe
			case f.kind == data.KindMark && f.timeframe > tf && (coarseTF == 0 || f.timeframe < coarseTF):
				coarse, coarseTF = f.path, f.timeframe // the finest of the coarser ones
			case f.kind == data.KindFunding && s.Files.Funding == "":
				s.Files.Funding = f.path
			}
		}
		if s.Files.Candles == "" {
			c.notes = append(c.notes, fmt.Sprintf("%s: no candles at %s; left out", sym, data.FormatTimeframe(tf)))
			continue
		}
		if s.Files.Mark == "" && coarse != "" {
			// A coarser mark series still values funding (data.Funding.Mark).
			s.Files.Mark = coarse
			c.notes = append(c.notes, fmt.Sprintf("%s: mark candles at %s are coarser than the %s candles: they value funding only; liquidation checks use trade prices",
				sym, data.FormatTimeframe(coarseTF), data.FormatTimeframe(tf)))
		}
		c.symbols = append(c.symbols, s)
	}
	return c, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// relativeTo rewrites the chosen paths relative to the configuration's
// directory (as the run config reads them), or absolute when that fails.
func (c *dataChoice) relativeTo(configDir string) {
	base, errBase := filepath.Abs(configDir)
	fix := func(p *string) {
		if *p == "" {
			return
		}
		abs, err := filepath.Abs(*p)
		if err != nil || errBase != nil {
			return
		}
		if rel, err := filepath.Rel(base, abs); err == nil {
			*p = filepath.ToSlash(rel)
		} else {
			*p = abs
		}
	}
	for i := range c.symbols {
		f := &c.symbols[i].Files
		fix(&f.Candles)
		fix(&f.Mark)
		fix(&f.Funding)
	}
}
