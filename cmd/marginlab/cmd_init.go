package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/publish"
)

const defaultConfigFile = "marginlab.yaml"

var initCmd = &command{
	name:    "init",
	args:    "[FILE]",
	summary: "write a commented starter configuration for 'marginlab run'",
	about: `
Init writes a starter configuration to FILE (default marginlab.yaml): every
key of a run configuration, each with its default and allowed values in a
comment. As written it runs on the built-in synthetic market, needing no
data files, in a few seconds; a commented block shows how to point it at
your own candle, mark-price and funding files.

With --data DIR the configuration reads the files in DIR instead: per
symbol, the candles at --timeframe (needed when DIR holds several), the
mark-price candles at that timeframe or a finer one that divides it, and
the funding rates. Init recognises the names 'marginlab data fetch' and
'marginlab data synth' write (<SYMBOL>-<tf>-candles.parquet,
<SYMBOL>-<tf>-mark.parquet, <SYMBOL>-funding.parquet; also .arrow,
.feather, .csv) and freqtrade's (<BASE>_<QUOTE>_<SETTLE>-<tf>-futures,
-mark and -funding_rate .feather, named <BASE><QUOTE> in the config). The
paths are written relative to FILE's directory.

Init refuses to replace an existing file unless --force is given.`,
	examples: []string{
		"marginlab init",
		"marginlab init btc-eth.yaml && marginlab run -c btc-eth.yaml",
		"marginlab init marginlab.yaml --force",
		"marginlab data fetch binance-usdm --symbols BTCUSDT,ETHUSDT --timeframe 5m --from 2024-01 --to 2024-06 --out market",
		"marginlab init --data market && marginlab run -c marginlab.yaml",
		"marginlab init ft.yaml --data user_data/data/binance/futures --timeframe 5m",
	},
	setup: setupInit,
}

func setupInit(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace FILE if it exists")
	dataDir := fs.String("data", "", "`DIR` of data files the configuration should read (see above);\nempty runs on the synthetic market")
	tfText := fs.String("timeframe", "", "with --data, the candle `TIMEFRAME` to use when DIR holds several")
	return func(ctx context.Context, sio *stdio, args []string) error {
		var tf time.Duration
		if *tfText != "" {
			d, err := data.ParseTimeframe(*tfText)
			if err != nil {
				return usagef("--timeframe: %v", trimData(err))
			}
			tf = d
		}
		if len(args) > 1 {
			return usagef("want at most one FILE, got %d arguments", len(args))
		}
		path := defaultConfigFile
		if len(args) == 1 {
			path = args[0]
		}
		if *dataDir == "" {
			if tf != 0 {
				return usagef("--timeframe needs --data DIR")
			}
			if err := writeStarter(path, *force, runconfig.Starter()); err != nil {
				return err
			}
			fmt.Fprintf(sio.out, "Wrote %s: a run on synthetic data, every key explained.\n", path)
			fmt.Fprintf(sio.out, "Next: marginlab run -c %s\n", path)
			fmt.Fprintf(sio.out, "Then edit it: point data.symbols at your files, pick a strategy, modes and leverage.\n")
			return nil
		}
		files, err := scanDataDir(*dataDir)
		if err != nil {
			return err
		}
		choice, err := chooseData(*dataDir, files, tf)
		if err != nil {
			return err
		}
		for _, n := range choice.notes {
			fmt.Fprintf(sio.errOut, "%s: note: %s\n", programName, n)
		}
		if len(choice.symbols) == 0 {
			return usagef("--data %s: no symbol has candles at %s", *dataDir, data.FormatTimeframe(choice.timeframe))
		}
		choice.relativeTo(filepath.Dir(path))
		comment := fmt.Sprintf("Written by 'marginlab init --data %s': %s candles", *dataDir, data.FormatTimeframe(choice.timeframe))
		text, note, err := coveredPeriod(ctx, runconfig.StarterWithData(choice.symbols, comment), path)
		if err != nil {
			return err
		}
		if err := writeStarter(path, *force, text); err != nil {
			return err
		}
		if note != "" {
			fmt.Fprintf(sio.out, "%s\n", note)
		}
		names := make([]string, len(choice.symbols))
		for i, s := range choice.symbols {
			names[i] = s.Name
			fmt.Fprintf(sio.out, "%s: candles %s, mark %s, funding %s\n", s.Name, s.Files.Candles, orNone(s.Files.Mark), orNone(s.Files.Funding))
		}
		fmt.Fprintf(sio.out, "Wrote %s: a run on %s (%s candles from %s), every key explained.\n", path, strings.Join(names, ", "),
			data.FormatTimeframe(choice.timeframe), *dataDir)
		fmt.Fprintf(sio.out, "Next: marginlab run -c %s\n", path)
		return nil
	}
}

// coveredPeriod loads the market a starter configuration names and, when
// its funding or mark files do not cover the candles' whole period, sets
// data.start and data.end to the longest period they all cover (so that
// the configuration runs as written), saying so in a note. A hole inside
// the period is left for the run to report.
func coveredPeriod(ctx context.Context, text, path string) (string, string, error) {
	f, err := runconfig.Parse([]byte(text), path)
	if err != nil {
		return "", "", fmt.Errorf("init: the configuration written for the data does not parse (a bug): %w", err)
	}
	_, _, err = f.Market(ctx)
	var gaps []*data.CoverageError
	for _, e := range unwrapAll(err) {
		var ce *data.CoverageError
		if errors.As(e, &ce) {
			gaps = append(gaps, ce)
		}
	}
	if len(gaps) == 0 {
		return text, "", nil // covered, or another problem the run will name
	}
	start, end, _, ok := data.TrimSuggestion(gaps)
	if !ok {
		return text, "", nil
	}
	set := func(text, key string, t int64) string {
		line := regexp.MustCompile(`(?m)^  ` + key + `: null( *)#.*$`)
		return line.ReplaceAllString(text, "  "+key+": "+data.FormatTime(t)+"   # set by init --data: the period every funding and mark file covers")
	}
	if first := gaps[0].MarketFirst; start != first {
		text = set(text, "start", start)
	}
	if last := gaps[0].MarketLast + int64(gaps[0].Timeframe); end != last {
		text = set(text, "end", end)
	}
	return text, fmt.Sprintf("The funding or mark files do not cover every candle: data.start and data.end keep the run to %s – %s, the period they all cover.",
		data.FormatTime(start), data.FormatTime(end)), nil
}

// unwrapAll returns err and every error it wraps, depth first.
func unwrapAll(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
	case interface{ Unwrap() error }:
		out = append(out, unwrapAll(u.Unwrap())...)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// writeStarter writes a starter configuration to path, refusing to
// replace a file unless force.
func writeStarter(path string, force bool, text string) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return usagef("%s exists; use --force to replace it", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return publish.WriteFile(path, []byte(text))
}
