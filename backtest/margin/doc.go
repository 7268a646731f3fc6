// Package margin is the margin engine: an account on one venue holding, per
// symbol, at most one isolated and one cross position (one-way mode; both
// may coexist, a hybrid account), with every cash movement on a decimal
// double-entry ledger (package ledger) and float64 mirrors for the per-bar
// hot path.
//
// # Units and conventions
//
//   - Time is Unix nanoseconds. Prices and money are quote units (USDT);
//     sizes are base units. An order's Qty is signed (+ buys, − sells); a
//     position's Qty is positive with its direction in Side (+1 long, −1 short).
//   - Leverage L sets initial margin IM = notional / L.
//   - Maintenance margin, liquidation and bankruptcy prices follow the
//     venue's rule (venue.Rule): MM = Q·(rP·P + rE·EP) − cum in the tier of
//     the position's notional.
//   - uPnL = Side·Q·(mark − Entry).
//
// # Money flows
//
// Ledger accounts: the trader's cross wallet and one margin account per
// isolated position; outside, deposits, the market (counterparty of realised
// PnL), venue fees, the insurance fund and the funding counterparty.
//
//   - Isolated: opening moves IM from the wallet to the position's margin;
//     fees, realised PnL and funding of an isolated position are booked to
//     its margin, which therefore absorbs every loss and is all it can lose.
//     Funding may drive the margin below maintenance, or below zero, while
//     the position stays open until the next liquidation test. A full close
//     returns what is left to the wallet; a partial close leaves it in the
//     position. A position's bracket table is the one in force when it
//     opens from flat.
//   - Cross: fees, realised PnL and funding are booked to the wallet (which
//     may go negative while other cross positions carry the account). IM is
//     a reservation against the wallet, not a transfer.
//   - A close that would take an isolated margin below zero after its PnL
//     and fee, or the wallet below zero when it closes the last cross
//     position, is refused with ErrBankrupt: the caller liquidates the
//     position at that price instead. So the insurance fund moves only
//     inside a liquidation, and never pays funding.
//   - Available balance for new orders and added margin: wallet − Σ cross
//     IM (at mark) + min(0, Σ cross uPnL). Money in isolated margins is never
//     available.
//
// # Liquidation
//
// An isolated position is liquidatable when margin + uPnL ≤ MM; the cross
// account when wallet + Σ cross uPnL ≤ Σ cross MM, all at mark. A
// liquidation settles at the given price (the liquidation price, or worse
// when the bar gapped past it), charges the venue's liquidation fee on the
// closed notional to the insurance fund, sends the margin left above
// bankruptcy to the insurance fund or back to the trader per the venue, and
// has the insurance fund cover any loss past bankruptcy, so the trader never
// goes below zero. With partial liquidation enabled, positions are reduced
// in steps until healthy. An isolated liquidation never touches the wallet
// or another position; a cross liquidation never touches isolated ones.
package margin
