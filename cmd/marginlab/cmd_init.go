package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
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
		if err := writeStarter(path, *force, runconfig.StarterWithData(choice.symbols, comment)); err != nil {
			return err
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
	return writeAtomic(path, []byte(text))
}
