package runconfig

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Canonical returns the configuration with every default filled in, as
// compact JSON with the keys of every object sorted: equal configurations
// give equal bytes, whatever their key order, comments, spelling of
// numbers (20, 20.0, 2e1) or omitted defaults, so a hash of it identifies
// a run. Data paths appear as written (not resolved), so the same file
// hashes alike in any checkout. Only the data source in use appears
// (data.synthetic or data.symbols); optional values not given are null.
//
// JSON is YAML too: Parse reads Canonical's output back to an equal File.
func (f *File) Canonical() ([]byte, error) {
	b, err := json.Marshal(f.canonicalMap())
	if err != nil {
		return nil, fmt.Errorf("runconfig: canonical form: %w", err)
	}
	return b, nil
}

// canonicalMap returns the configuration as nested maps, which
// encoding/json writes with sorted keys.
func (f *File) canonicalMap() map[string]any {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	floatOrNull := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	d := map[string]any{
		"start":     orNull(f.Data.Start),
		"end":       orNull(f.Data.End),
		"tz":        f.Data.TZ,
		"timeframe": orNull(f.Data.Timeframe),
		"align":     f.Data.Align,
		"coverage":  map[string]any{"funding": f.Data.Coverage.Funding, "mark": f.Data.Coverage.Mark},
	}
	if f.Synthetic() {
		s := f.Data.Synthetic
		d["synthetic"] = map[string]any{
			"symbols":    nonNil(s.Symbols),
			"timeframe":  s.Timeframe,
			"bars":       s.Bars,
			"seed":       s.Seed,
			"annual_vol": s.AnnualVol,
		}
	} else {
		syms := map[string]any{}
		for name, files := range f.Data.Symbols {
			syms[name] = map[string]any{
				"candles": files.Candles,
				"mark":    orNull(files.Mark),
				"funding": orNull(files.Funding),
			}
		}
		d["symbols"] = syms
	}
	params := func(p map[string]any) map[string]any {
		if p == nil {
			return map[string]any{}
		}
		return p
	}
	hybrid := nonNil(f.HybridIsolated)
	if !slices.Contains(f.ModeNames, "hybrid") {
		hybrid = []string{}
	}
	return map[string]any{
		"data":            d,
		"venue":           f.VenueName,
		"fees":            map[string]any{"maker": floatOrNull(f.Fees.Maker), "taker": floatOrNull(f.Fees.Taker)},
		"capital":         f.Capital,
		"leverage":        f.Leverage,
		"strategy":        map[string]any{"name": f.Strategy.Name, "params": params(f.Strategy.Params)},
		"sizing":          map[string]any{"kind": f.Sizing.Kind, "params": params(f.Sizing.Params)},
		"modes":           nonNil(f.ModeNames),
		"hybrid_isolated": hybrid,
		"intrabar":        f.Intrabar,
		"slippage":        f.Slippage,
		"cooldown":        f.Cooldown,
		"stop_at_liq":     f.StopAtLiq,
		"reduce_to_fit":   f.ReduceToFit,
		"margin_policy": map[string]any{
			"top_up_at":     f.MarginPolicy.TopUpAt,
			"top_up_amount": f.MarginPolicy.TopUpAmount,
			"top_up_cap":    f.MarginPolicy.TopUpCap,
			"sweep_below":   f.MarginPolicy.SweepBelow,
		},
		"ruin":             f.Ruin,
		"trade_after_ruin": f.TradeAfterRuin,
		"near_miss":        f.NearMiss,
		"record_every":     f.RecordEvery,
		"seed":             f.Seed,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
