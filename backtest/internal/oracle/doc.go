// Package oracle is a deliberately plain reference simulator of a run, for
// the differential test that holds the engine (package backtest) to the
// rules in backtest's doc comment.
package oracle
