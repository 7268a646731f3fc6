// Package venue models an exchange's margin rules for linear perpetuals:
// fees, tiered maintenance brackets with the dates they took effect, where a
// liquidated position's remaining margin goes, partial liquidation, the
// funding interval, and the liquidation and bankruptcy prices that follow.
//
// # Units and conventions
//
//   - Prices and notionals are in the quote currency (USDT/USDC); sizes are
//     base units, always positive, with the direction in a separate side
//     (+1 long, −1 short).
//   - Rates (fees, maintenance rates) are fractions: 0.004 = 0.4 %.
//   - Maintenance margin is MM = notional × MMR_k − Cum_k in tier k, where
//     Cum_k = Cum_{k−1} + Floor_k × (MMR_k − MMR_{k−1}) keeps it continuous.
//   - Every family's maintenance rule is one linear form (see Rule), so
//     the liquidation price has one closed form and the engine never
//     branches on the venue.
//
// Figures in presets are dated and cite their public sources; see
// ../../../shared/VENUES.md for the derivations.
//
// # Bracket snapshots
//
// A preset may embed a snapshot of one bracket table per symbol
// (presets/<name>.tiers.json, a TiersSnapshot), merged into it when it is
// loaded: binance-usdm holds all 349 symbols of freqtrade's 2024-10-24 copy
// of Binance's brackets beside its hand-checked BTCUSDT and ETHUSDT tables,
// which win on a shared date. ImportTiers reads such tables from ccxt's
// fetch_leverage_tiers() JSON or Binance's own answer; AddTablesToFile adds
// them to a venue file. A symbol without a table of its own is margined by
// the default table: Fallbacks lists such stand-ins for the user.
package venue
