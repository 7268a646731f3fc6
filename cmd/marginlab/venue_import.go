package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data/publish"
)

var venueImportCmd = &command{
	name:    "venue import-tiers",
	args:    "FILE",
	summary: "turn an exchange's leverage tiers (ccxt or Binance JSON) into dated bracket tables",
	about: `
Import-tiers reads maintenance-margin tiers from FILE and writes a venue
file that 'marginlab run' accepts (the venue key of a run configuration
takes its path): the venue --venue (a preset or a venue file) with every
symbol of FILE given a bracket table effective from --effective-from,
beside the tables it already has. FILE is either

  ccxt's fetch_leverage_tiers() output, for any exchange ccxt supports:
    {"BTC/USDT:USDT": [{"tier", "minNotional", "maxNotional",
     "maintenanceMarginRate", "maxLeverage", "info": {...}}, ...], ...}
  Binance's GET /fapi/v1/leverageBracket answer (binance venues only):
    [{"symbol": "BTCUSDT", "brackets": [{"notionalFloor", "notionalCap",
     "maintMarginRatio", "cum", "initialLeverage"}, ...]}, ...]

Symbols are keyed as the venue spells them (BTC/USDT:USDT is BTCUSDT on
binance and bybit, BTC-USDT-SWAP on okx, BTC_USDT on gate, BTC on
hyperliquid). The maintenance amount (cum) is taken as given when FILE has
it, and must agree with the recursion cum_k = cum_{k-1} + floor_k ×
(mmr_k − mmr_{k-1}); every table is checked as a venue file is, and every
problem is reported with its symbol and tier. A symbol that already has a
table of that date keeps it. The rest of the venue file (fees, comments,
keys) is kept as it is, and the import is cited in its sources.

--snapshot writes only the imported tables, in the compact JSON the
presets embed (backtest/venue/presets/<venue>.tiers.json, regenerated with
'go generate ./backtest/venue').

Bracket tables change often: give the date of the snapshot, not today's.`,
	examples: []string{
		"marginlab venue import-tiers tiers.json --venue binance-usdm --effective-from 2024-10-24 --out venue.yaml",
		"marginlab venue import-tiers bybit-tiers.json --venue bybit-linear --effective-from 2026-01-15 --out bybit.yaml --source-url https://api.bybit.com/v5/market/risk-limit",
		"marginlab liq --venue venue.yaml --symbol SOLUSDT --side long --entry 150 --amount 100 --leverage 20",
	},
	setup: setupVenueImport,
}

func setupVenueImport(fs *flag.FlagSet) runFunc {
	base := fs.String("venue", "", "`PRESET|FILE` the tables are for: a preset (binance-usdm, ...) or a venue file (required)")
	effective := fs.String("effective-from", "", "`DATE` (YYYY-MM-DD, UTC) the tables took effect: the snapshot's date (required)")
	out := fs.String("out", "", "`FILE` to write (required): a venue file (YAML), or with --snapshot the compact JSON")
	snapshot := fs.Bool("snapshot", false, "write only the imported tables, in the presets' embedded JSON form")
	what := fs.String("source", "", "`TEXT` citing where FILE comes from, for the venue's sources\n(default: the file's name and format)")
	url := fs.String("source-url", "", "`URL` of FILE's origin, for the venue's sources")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) != 1 {
			return usagef("want one FILE of tiers, got %d arguments", len(args))
		}
		if *base == "" || *effective == "" || *out == "" {
			return usagef("--venue, --effective-from and --out are required")
		}
		at, err := time.Parse(time.DateOnly, *effective)
		if err != nil {
			return usagef("--effective-from %q: want a date YYYY-MM-DD", *effective)
		}
		src, baseName, err := venueSource(*base)
		if err != nil {
			return err
		}
		v, err := venue.Lookup(*base)
		if err != nil {
			return usagef("--venue: %v", err)
		}
		raw, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		imp, err := venue.ImportTiers(raw, args[0], v.Family)
		if err != nil {
			return err
		}
		cite := venue.Source{What: *what, URL: *url, Date: *effective}
		if cite.What == "" {
			cite.What = fmt.Sprintf("bracket tables of %d symbols imported from %s (%s format)", len(imp.Tables), filepath.Base(args[0]), imp.Format)
		}
		for _, s := range imp.Skipped {
			fmt.Fprintf(sio.errOut, "%s: note: skipped %s\n", programName, s)
		}
		var body []byte
		if *snapshot {
			body = (&venue.TiersSnapshot{Venue: v.Name, EffectiveFrom: at, Source: cite, Tables: imp.Tables}).Encode()
			if _, err := venue.DecodeTiersSnapshot(body, *out); err != nil {
				return err
			}
		} else {
			// A preset's own snapshot goes in first, so the file holds
			// every table the preset has.
			if snap, err := venue.PresetSnapshot(baseName); err != nil {
				return err
			} else if snap != nil {
				if src, _, err = venue.AddTablesToFile(src, snap.EffectiveFrom, snap.Tables, snap.Source, *out); err != nil {
					return err
				}
			}
			var differ []string
			body, differ, err = venue.AddTablesToFile(src, at, imp.Tables, cite, *out)
			if err != nil {
				return err
			}
			for _, sym := range differ {
				fmt.Fprintf(sio.errOut, "%s: note: %s: kept the venue's own %s table; the imported one differs\n", programName, sym, *effective)
			}
		}
		if dir := filepath.Dir(*out); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		if err := publish.WriteFile(*out, body); err != nil {
			return err
		}
		keys := make([]string, 0, len(imp.Tables))
		for k := range imp.Tables {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		shown := keys
		if len(shown) > 6 {
			shown = append(slices.Clip(shown[:6]), fmt.Sprintf("… %d more", len(keys)-6))
		}
		fmt.Fprintf(sio.out, "Imported %d symbols (%s format) effective %s into %s: %s\n", len(keys), imp.Format, *effective, v.Name, strings.Join(shown, ", "))
		fmt.Fprintf(sio.out, "Wrote %s\n", *out)
		return nil
	}
}

// venueSource returns the venue file text behind --venue and, for a
// preset, its name.
func venueSource(nameOrPath string) ([]byte, string, error) {
	if slices.Contains(venue.PresetNames(), nameOrPath) {
		b, err := venue.PresetSource(nameOrPath)
		return b, nameOrPath, err
	}
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, "", usagef("--venue %q is neither a preset (%s) nor a readable venue file: %v", nameOrPath, strings.Join(venue.PresetNames(), ", "), err)
	}
	return b, "", nil
}
