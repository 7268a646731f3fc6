// Package binance fetches Binance's public USDⓈ-M futures archive
// (https://data.binance.vision): trade klines, mark-price klines and
// funding rates per symbol. It verifies every zip against the SHA-256 the
// archive publishes beside it, keeps the zips in a cache, and writes one
// validated Parquet file per symbol and kind with the data package's
// writer. Fetch is the entry point.
//
// # Archive layout
//
//	data/futures/um/{monthly|daily}/{klines|markPriceKlines|fundingRate}/SYMBOL/[INTERVAL/]SYMBOL-[INTERVAL-]{YYYY-MM|YYYY-MM-DD}.zip
//
// Each zip holds one CSV file and has a .CHECKSUM file beside it reading
// "<sha256 hex>  <zip name>". Kline and mark-price kline CSVs have the
// columns open_time, open, high, low, close, volume, close_time,
// quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore;
// files from before about 2022 have no header line. Funding CSVs have
// calc_time, funding_interval_hours, last_funding_rate and exist as
// monthly files only.
//
// # Range
//
// A Request covers the UTC days From through To, both inclusive. Whole
// calendar months inside the range are fetched as monthly files, the days
// of partial months as daily files. Funding comes in monthly files only:
// every month the range touches is fetched and the rows are cut to the
// range. The archive publishes a day (a month) after it ends, so To is
// clipped to yesterday, the current month always comes as daily files,
// and a missing monthly file of a month that ended less than
// RecentMonthDays ago is replaced by its daily files.
//
// # Conventions
//
//   - Times are Unix nanoseconds, UTC. A kline's time is its open time;
//     a funding rate's is calc_time as stamped (Binance stamps a few
//     milliseconds after the funding time; the data is kept as is).
//     Epochs in the files are milliseconds or, in files from 2025 on,
//     microseconds: a value of 1e14 or more is read as microseconds.
//   - Prices and rates are the float64 nearest the decimal text. Funding
//     rates are fractions per funding interval (0.0001 = 0.01 %), positive
//     when longs pay. Mark-price klines carry no volume; an empty volume
//     field reads as 0.
//   - A file the archive does not have (HTTP 404) is not an error: months
//     before a symbol was listed, after it was delisted, or missing in
//     between are reported in Result.Notes. A symbol with no klines at all
//     in the range is an error (ErrNoData).
//
// # Cache
//
// Zips are kept under Options.CacheDir at their archive path, each with
// its .CHECKSUM, and are verified again every time they are used, so a
// second fetch of a range downloads nothing and a damaged cache entry is
// downloaded again. A 404 for a period that ended more than RecentMonthDays
// ago is remembered (an empty "<zip>.missing" file) so a rerun does not ask
// again. Downloads go to a temporary name in the same directory and are
// renamed only when complete and verified: an interrupted fetch leaves
// nothing half-written, and running it again resumes where it stopped.
//
// # Network
//
// Options.Jobs downloads run at once (default 4). A timeout, a dropped
// connection, a 429 or a 5xx answer is retried with exponential backoff
// (Options.Backoff doubling, Options.Attempts tries in all); a 404 is
// never retried. The default client honours HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY (http.ProxyFromEnvironment).
package binance
