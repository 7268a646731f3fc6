// Package sweep runs a run config over a grid of parameters and Monte Carlo
// paths, in parallel and in shards, and writes the results as Parquet
// tables.
//
// # Grid
//
// In a sweep config any parameter outside data may be a list; the lists
// expand to the cartesian product of cells (Expand). A cell's id is derived
// from its parameter values alone, so it is the same in every run and on
// every machine. "sweep: {sample: N}" draws N cells at random (seeded)
// instead. The modes of a cell always run together on the same intents.
//
// # Monte Carlo paths
//
// "sweep: {paths: N, block: B, seed: S}" runs every cell on N paths: path 0
// is the real history, path p ≥ 1 a stationary block bootstrap of whole bars
// (data.Bootstrap) with mean block length B bars, the same block indices for
// every symbol.
//
// # Execution and results
//
// The market is loaded once and shared read-only. A job is one cell on one
// path; jobs run on a worker pool, path by path so that each path's market
// is built once. Each finished job is appended to a log under jobs/ (one
// per worker and run; a killed process can tear only the last record,
// which is checked and run again), so an interrupted sweep resumes where it
// stopped, and a directory refuses a different sweep (manifest config
// hash). When all of a shard's jobs are done, runs.parquet,
// liquidations.parquet (and on request trades.parquet and equity.parquet)
// are written with rows sorted by cell id, mode and path: the bytes depend
// neither on the worker count nor on sharding.
//
// # Shards
//
// Shard K of N (0 ≤ K < N) runs the cells whose index in id order is K mod
// N. Merge checks that shard directories hold one sweep and cover every
// cell exactly once, and writes the tables an unsharded run would.
package sweep
