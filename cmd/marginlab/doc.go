// Marginlab is a batch backtester for perpetual futures, built to compare
// isolated and cross margin on the same strategy and market data.
//
// demo runs a leverage ladder of paired comparisons on built-in synthetic
// data; init writes a starter config and run runs one; sweep runs grids of
// them over Monte Carlo paths, in shards that merge joins; report and
// compare turn results into reports and a regression gate; data inspects,
// converts, generates and fetches market data; liq computes liquidation
// prices.
//
// Usage:
//
//	marginlab <command> [arguments]
//
// The commands are:
//
//	demo           paired isolated-vs-cross comparisons over a leverage ladder, on synthetic data
//	init           write a commented starter config that runs as is (--data DIR: on your files)
//	run            run one paired comparison from a config file
//	sweep          run a grid of parameters × Monte Carlo paths into Parquet tables
//	merge          join the output directories of a sweep's shards
//	report         statistics and figures from a sweep's results (HTML, Markdown, JSON)
//	compare        compare two sweeps' results; exit 1 past a threshold
//	liq            liquidation and bankruptcy prices of a position (flags or JSON lines)
//	venue import-tiers  dated bracket tables from ccxt's or Binance's tiers JSON, into a venue file
//	data inspect   load data files and report their shape, time range and problems
//	data convert   rewrite a data file as Parquet or Arrow IPC
//	data synth     generate a synthetic market and write it to files
//	data fetch     download real history from Binance's public archive into Parquet
//	help           show help for a command
//
// Data files are Parquet, Arrow IPC (Feather v2 files and streams) or CSV
// holding trade candles, mark-price candles or funding rates; see package
// github.com/marginlab/marginlab/data for what is accepted and checked.
//
// Flags may come before or after the positional arguments; "--" ends the
// flags. "marginlab help <command>" or "marginlab <command> -h" describes a
// command's flags, with their defaults, and gives examples.
//
// The exit status is 0 on success, 1 when a command ran but something failed
// (for example a file that did not load), and 2 for a usage error: an
// unknown command or flag, a bad flag value or a missing argument.
package main
