// Package data loads, validates, aligns and writes the market data marginlab
// simulates on: OHLCV candles, mark-price candles and funding rates per symbol.
//
// # Conventions
//
//   - Time is int64 Unix nanoseconds, UTC. A candle's time is its open time.
//     Every Arrow time unit (s, ms, µs, ns) converts to it without loss for
//     dates between 1678 and 2261; times outside that range are an error.
//   - Prices are float64 in the quote currency (USDT for linear perpetuals);
//     volume is float64 in whatever unit the file uses (freqtrade: base units).
//   - A funding rate is a plain fraction per funding interval (0.0001 = 0.01 %);
//     a positive rate means longs pay shorts.
//   - Rows count from 0 in the order the file stores them, as pandas' iloc
//     does. CSV errors also give the 1-based line number of the file.
//   - A timeframe is a time.Duration and prints in the short form exchanges
//     use: "1m", "5m", "1h", "8h", "1d".
//
// # Formats
//
// Load reads Parquet (any codec arrow-go supports: SNAPPY, ZSTD, GZIP, none;
// plain or dictionary encoding; any number of row groups), Arrow IPC files
// (Feather v2) and IPC streams (uncompressed, LZ4_FRAME or ZSTD bodies; any
// number of record batches), and CSV with a header row. The format is found
// from the file's first bytes, not its name.
//
// # Validation
//
// Every loaded series is checked before it is returned: times strictly
// increasing, prices finite and positive, OHLC consistent
// (low ≤ min(open, close), high ≥ max(open, close)), no nulls. A violation is
// an *InputError naming the file, column, row and time and saying what to do.
// Options opt in to repairs (sorting, dropping duplicates, a null policy,
// filling gaps with flat bars); each repair is reported as a warning. Gaps in
// the timeline are always reported as a warning, never an error. Validate
// applies the same checks to a series built in memory (by a downloader).
//
// # Markets: funding times, coverage, coarse marks
//
// NewMarket (see there for every step) aligns symbols on one timeline and
// does three things about funding and mark series:
//
//   - Funding times. Every venue modelled charges funding on whole hours UTC,
//     but exchanges stamp events a few milliseconds late (in the Binance
//     files 461 of 1,498 BTCUSDT events of 2023–2024, at most 29 ms). An
//     event within MarketOptions.FundingSnap (default 5 s; negative: off) of
//     a whole hour is put on it, so it is charged at that hour's bar, not
//     one bar later. Two events on one hour are an error; events farther
//     off stay, with a warning.
//   - Coverage. A funding series must have an event at every funding time
//     after the first bar up to the last (its interval is the median
//     spacing of its events; a spacing over 1.5 intervals is a hole), a
//     mark series a candle at every bar. What a series misses is a
//     *CoverageError naming the symbol, the kind, each gap (first and last
//     missing time, count) and the period that leaves it out; by default
//     an error, a warning with CoverageAccept. Without this check a short
//     funding file silently means no funding, a short mark file trade
//     prices instead of marks.
//   - Coarse marks. A mark series coarser than the candles (freqtrade keeps
//     8h marks next to 5m candles) cannot drive intrabar liquidation
//     checks, so it is not Symbol.Mark; it values funding instead:
//     Funding.Mark holds, per event, the open of the coarse candle opening
//     at the event's time. Bootstrap paths drop it (their prices differ).
//
// # Writing
//
// WriteFile writes Parquet or Arrow IPC atomically (a temporary file,
// flushed, renamed into place, the directory flushed), with the kind and
// any WriteOptions.Metadata in the schema's key-value metadata.
package data
