// Package strategy holds marginlab's built-in strategies, position sizers
// and the conformance check that any strategy can be put through. It
// implements the interfaces package backtest owns (backtest.Strategy,
// backtest.Sizer); backtest never imports it.
//
// # Time and bar indices
//
// Bar i is Market.Time[i], the candle that opens at that time (Unix ns,
// UTC) and closes at Time[i] + Timeframe. The engine calls Decide at the
// close of every bar, in order, with a View of bars 0..i; the intents it
// leaves are filled at bar i+1's open (DESIGN.md §4). "The previous n bars"
// of bar i are bars i−n..i−1; "a window of n bars" at bar i is bars
// i−n+1..i, bar i included. A strategy reads nothing beyond its View, so
// the intents of bar i depend only on bars 0..i (and the funding events at
// or before bar i's close), which CheckConformance verifies.
//
// # What each strategy sees
//
//	hold           nothing: one side from bar 0
//	sma_cross      closes
//	breakout       highs and lows of earlier bars, the current close
//	mean_revert    closes
//	random         only the bar index (its seeded draws)
//	funding_carry  the latest funding event of each symbol
//
// Every strategy treats every symbol of the market independently.
//
// # Intents
//
// Decide writes every symbol's intent at every call. A flat intent is the
// zero backtest.Intent; an open one has Side +1 (long) or −1 (short),
// Weight 1 and Stop equal to the strategy's stop parameter (a fraction of
// the fill price, 0.02 = 2 %; default 0: no stop). A windowed strategy is
// flat until its window has filled; its doc comment gives the first bar
// with a signal.
//
// # Parameters and defaults
//
// Parameter keys are snake_case, as written in a config file. Windows are
// whole numbers of bars (at most 1,000,000), probabilities are per bar,
// z-scores are in standard deviations, rates and fractions are plain
// fractions (0.01 = 1 %), notionals are in quote units. The defaults:
//
//	hold           side "long"
//	sma_cross      fast 20, slow 50 (fast < slow), allow_short true
//	breakout       window 20, exit_window 10
//	mean_revert    window 50, entry_z 2, exit_z 0.5 (exit_z ≤ entry_z)
//	random         entry_prob 0.01, exit_prob 0.01 (seed: New's argument)
//	funding_carry  threshold 0
//	every one      stop 0
//
//	fixed_notional  notional 1000
//	equity_fraction fraction 0.1
//	risk            risk 0.01, default_stop 0.02
//
// Each strategy has a config struct (SMACrossConfig, …) with a Default…
// function and a Validate method, and a constructor (NewSMACross, …) that
// validates. The registry builds the same strategies by name from decoded
// config maps: New, Names, Describe, Params; and sizers: NewSizer,
// SizerNames, DescribeSizer, SizerParams. Bad parameters are reported all
// at once, each as a *ParamError naming the strategy, the key and the
// allowed range.
//
// # State and cost
//
// The windowed strategies keep running state per symbol (running sums,
// rolling moments, monotonic deques), so a call costs O(1) (amortised) per
// symbol and allocates nothing after the first call. The state is a
// function of the bars alone: a Decide that skips bars catches up from the
// View, and a Decide at an earlier bar (or with another number of symbols)
// starts over from bar 0. A strategy value serves one run at a time; make
// a new one per run.
//
// # Statistics and numerics
//
// Moving averages are simple (equal-weight) means. mean_revert's standard
// deviation is the sample one (divisor n−1). Running sums and moments are
// recomputed from their window every window-length bars, which bounds
// rounding error; two moving averages within a relative 1e-10 of each
// other count as equal. Prices are expected finite: a NaN makes the
// comparisons that use it false (sma_cross goes flat, breakout and
// mean_revert keep their side) until it leaves the window, and never
// panics.
//
// # Randomness
//
// random draws from one math/rand/v2 PCG stream per symbol, seeded from
// (seed, symbol index); the global generator is never used. Every strategy
// here is deterministic: the same bars and seed give the same intents on
// every run.
//
// # Sizing
//
// Sizers turn an intent into a size in base units from the fill price,
// the account's equity and its leverage; each formula is in its type's doc
// comment. Size is positive and finite for positive finite inputs and 0
// when equity ≤ 0.
package strategy
