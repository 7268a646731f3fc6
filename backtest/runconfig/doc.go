// Package runconfig reads the YAML file that configures one paired run:
// the data, the venue, the money, the strategy and sizing, the margin
// modes to compare, and the engine's settings. It checks the file strictly,
// reports every problem at once with its line and key, and builds what
// package backtest needs (a data.Market, a venue, a backtest.Config and
// the ModeSpecs). The strategy and sizer are left to package strategy,
// which runconfig may not import: StrategySpec and SizingSpec carry their
// names and parameters, and a Check passed to Parse or Load can validate
// them.
//
// # Keys
//
// Every key is optional; a key left out, or given as null, takes its
// default. Relative paths resolve against the directory of the file.
//
//	data:
//	  synthetic:               # the built-in synthetic market, used when symbols is absent
//	    symbols: [BTC, ETH]    # names without white space or '/'
//	    timeframe: 5m          # bar spacing, at least 1s
//	    bars: 20000            # bars per symbol, in [2, 50000000]
//	    seed: 1                # any integer ≥ 0
//	    annual_vol: 0.6        # long-run annualised volatility, in (0, 5]
//	  symbols:                 # default: none (synthetic data); symbols in name order
//	    BTCUSDT:
//	      candles: path/or/glob   # required; a glob must match exactly one file
//	      mark: path/or/glob      # optional mark-price candles
//	      funding: path/or/glob   # optional funding rates
//	  start: null              # inclusive; YYYY-MM-DD (midnight UTC) or RFC 3339
//	  end: null                # exclusive; after start
//	  tz: UTC                  # IANA zone of naive times in the files
//	  timeframe: null          # resample to it; null keeps the data's own
//	  align: intersect         # intersect or union (see data.Alignment)
//	  coverage:                # what a file that misses part of the run is (data.CoveragePolicy)
//	    funding: strict        # strict (an error) or accept (a warning on every output)
//	    mark: strict           # strict or accept
//	venue: binance-usdm        # a preset (venue.PresetNames) or a venue file
//	fees: {maker: null, taker: null}   # override the venue's rates; maker in [-0.01, 0.1), taker in [0, 0.1)
//	capital: 10000             # starting wallet, quote units, > 0
//	leverage: 10               # ≥ 1 (one number; a list makes a sweep: marginlab sweep)
//	strategy: {name: sma_cross, params: {}}        # name required; params checked by package strategy
//	sizing: {kind: equity_fraction, params: {}}    # kind required; params checked by package strategy
//	modes: [isolated, cross]   # non-empty, each of isolated, cross, hybrid, no repeats
//	hybrid_isolated: []        # the symbols isolated in mode hybrid; required with hybrid, refused without
//	intrabar: adverse          # adverse or close (backtest.Policy)
//	slippage: 0.0002           # fraction of price, in [0, 0.5)
//	cooldown: 0                # bars, ≥ 0
//	stop_at_liq: 0             # in [0, 1); 0: off
//	reduce_to_fit: false
//	margin_policy:             # backtest.MarginPolicy; ratios in [0, 1], 0: off
//	  top_up_at: 0
//	  top_up_amount: 0.5       # > 0 (multiple of the initial margin)
//	  top_up_cap: 1            # > 0 (multiple of the initial margin)
//	  sweep_below: 0           # below top_up_at when both are set
//	ruin: 0.1                  # in (0, 1)
//	trade_after_ruin: false    # keep trading after ruin
//	near_miss: 0.8             # in (0, 1]
//	record_every: 1            # ≥ 1
//	seed: 1                    # strategy seed (random strategy), any integer ≥ 0
//
// Starter returns the same as a commented file that runs as is.
//
// Unlike backtest.Config, whose zero values mean "default", a value given
// here is the value used: ruin, near_miss and record_every must be
// positive, since 0 would silently become the engine's default.
//
// # Errors
//
// Decoding errors (syntax, unknown keys, wrong types, fractions for
// integers) and validation errors are *Error values, joined with
// errors.Join and sorted by line, each reading
//
//	config.yaml:12: strategy.parms: unknown key; allowed: name, params
//	config.yaml:9: leverage = 0.5: must be at least 1
//	config.yaml:14: modes[1] = "both": want isolated, cross or hybrid
//
// Problems in data files are the loader's *data.InputError, reported by
// File.Market.
//
// # Funding times and coverage
//
// File.Market passes the whole mark and funding files to data.NewMarket
// (only the candles are cut to data.start and data.end), which puts funding
// events stamped within 5 s of a whole hour on that hour and checks that
// each file covers the run: a funding file must have an event at every
// funding time after the first bar up to the last (its interval is the
// median spacing of its events; a spacing over 1.5 intervals is a hole), a
// mark file a candle at every bar. Under data.coverage strict (the default)
// what a file misses is one error naming, per file, its key and line, its
// path, the gap (first and last missing time), and the fix: the data.start
// and data.end that leave every gap out (or, for a hole, the ways around
// it), or data.coverage accept. Under accept the run goes on (no funding is
// charged at missing funding times; trade prices stand in for missing
// marks) and each gap is a warning naming the file, which every output
// carries: run's table and summary.json, a sweep's manifest and the report.
// A mark file coarser than the candles (8h marks next to 5m candles) is not
// used for liquidation checks but values funding (data.Funding.Mark); a
// warning says so, and its coverage is checked at the funding times.
//
// # Canonical form
//
// Canonical writes the configuration with every default filled as compact
// JSON with sorted keys, stable across key order, comments and number
// spelling: the identity of a run, for hashing.
package runconfig
