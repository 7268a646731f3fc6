// Package binancetest serves a fake Binance public archive
// (data.binance.vision) over HTTP for tests, as net/http/httptest serves
// handlers: generated zips in the archive's layout, each with its
// .CHECKSUM, and ways to misbehave (500s, bodies cut short, stalls,
// missing files, wrong checksums). It computes the archive's paths on its
// own, so a layout mistake in the fetcher cannot hide in both.
//
// Conventions follow the archive's: times in the CSVs are milliseconds
// before 2025 and microseconds from 2025 on, kline files before 2022 have
// no header line, funding comes in monthly files only. The generated
// prices have two decimals and consistent OHLC, so a fetcher's output can
// be compared with History value for value.
package binancetest
