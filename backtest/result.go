package backtest

// FillRecord is one executed fill.
type FillRecord struct {
	Time   int64
	Bar    int
	Symbol string
	Qty    float64 // signed base units
	Price  float64 // slippage included
	Fee    float64
	PnL    float64 // realised on the reduced part
	Reason string  // "signal", "stop"
}

// LiquidationRecord is one position's liquidation.
type LiquidationRecord struct {
	Time                      int64
	Bar                       int
	Symbol                    string
	Mode                      string // "isolated" or "cross"
	Side                      int
	Qty                       float64
	Entry                     float64
	LiqPrice                  float64 // NaN when the position had none (cross after a gap)
	Settle                    float64
	MarginLost                float64 // what the trader lost through this position
	Fee                       float64 // liquidation fee
	Insurance                 float64 // net flow into the insurance fund
	EquityBefore, EquityAfter float64
	// CloseAlso says the close policy (test at the close only) would have
	// liquidated too; when false the liquidation depends on the intrabar
	// path (intrabar ambiguity).
	CloseAlso bool
	// Partial says the position was only reduced and stays open.
	Partial bool
	// Position numbers the position within the run's mode: the n-th
	// position opened from flat is n (from 1).
	Position int
	// AfterRuin marks an event after the run's ruin bar, when the run halts
	// at ruin (Config.TradeAfterRuin false): it enters no rate.
	AfterRuin bool
}

// FundingRecord is one funding payment of one position.
type FundingRecord struct {
	Time   int64 // the bar's open time the event was applied at
	Bar    int
	Symbol string
	Mode   string  // "isolated" or "cross"
	Rate   float64 // the event's rate
	Price  float64 // mark price it was valued at
	Amount float64 // paid by the trader (negative: received), quote units
}

// Series are per-bar records, every Config.Every-th bar.
type Series struct {
	Time          []int64
	Equity        []float64 // wallet + isolated margins + uPnL at close marks
	CapitalAtRisk []float64 // Σ isolated margins + cross equity (wallet + cross uPnL) when any cross position is open
	MarginUsed    []float64 // Σ initial margin at close marks
	Leverage      []float64 // gross notional / equity (0 when equity ≤ 0)
}

// Result is one margin mode's run over the intent stream.
type Result struct {
	Mode string
	// MarkSource says which prices drove liquidation checks: "mark" when
	// every symbol had mark candles, "trades" when none did, "mixed"
	// otherwise. Rows without a mark candle use trade candles.
	MarkSource   string
	Fills        []FillRecord
	Liquidations []LiquidationRecord
	// Funding lists every funding payment (empty with Config.NoFills).
	Funding []FundingRecord
	Series  Series
	Metrics Metrics
	// JournalError is non-empty if the ledger failed its invariant check at
	// the end of the run (it never should).
	JournalError string
}
