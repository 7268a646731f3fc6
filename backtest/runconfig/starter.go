package runconfig

// Starter returns a commented starter configuration. It runs as is, on
// the built-in synthetic market (no input files), in a few seconds; every
// key is shown with its default and allowed values, and a commented-out
// block shows how to point it at real files.
func Starter() string { return starter }

const starter = `# marginlab run configuration: one strategy replayed under isolated and cross
# margin on the same data. Run it with:  marginlab run -c <this file>
#
# Every key is optional; a key left out (or null) takes the default shown.
# Relative paths are relative to this file's directory.

data:
  # Built-in synthetic market (GARCH volatility, jumps, mark prices, 8-hourly
  # funding), used when 'symbols' below is absent. Same seed, same market.
  synthetic:
    symbols: [BTC, ETH]   # names; BTC, ETH, SOL, BNB, XRP start at realistic prices
    timeframe: 5m         # bar spacing: 1m, 5m, 15m, 1h, 4h, 1d, ... (at least 1s)
    bars: 20000           # bars per symbol, 2 to 50000000 (20000 × 5m ≈ 69 days)
    seed: 1               # random seed of the market, any integer ≥ 0
    annual_vol: 0.6       # long-run annualised volatility, (0, 5]; 0.6 = 60 %

  # Real data instead: per symbol, a file or a glob matching exactly one file,
  # Parquet, Arrow IPC (Feather) or CSV. 'candles' is required; 'mark' (mark-price
  # candles, drive liquidation checks; a coarser series, such as 8h marks next to
  # 5m candles, only values funding) and 'funding' (funding rates; a time stamped
  # within 5 s of a whole hour is put on that hour) are optional.
  # With 'symbols' given, 'synthetic' is ignored.
  # symbols:
  #   BTCUSDT:
  #     candles: data/BTC_USDT_USDT-5m-futures.feather
  #     mark: data/BTC_USDT_USDT-5m-mark.feather
  #     funding: data/BTC_USDT_USDT-8h-funding_rate.feather
  #   ETHUSDT:
  #     candles: data/ETH_USDT_USDT-5m-*.feather

  start: null             # first bar kept, inclusive: YYYY-MM-DD (UTC) or RFC 3339; null: from the start
  end: null               # end of the period, exclusive; null: to the end
  tz: UTC                 # IANA zone of naive (zone-less) times in the files
  timeframe: null         # resample every symbol to this (a multiple of the data's); null: keep
  align: intersect        # intersect: only times every symbol has; union: fill gaps with flat bars
  coverage:               # a mark or funding file that misses part of the run (starts after its
    funding: strict       # first bar, ends before its last, or has a hole): strict: an error naming
    mark: strict          # the gap and the start/end that avoid it; accept: run anyway (no funding,
                          # or trade prices, there), with a warning on every output

venue: binance-usdm       # preset (binance-usdm, bybit-linear, okx-swap, gate-usdt, hyperliquid,
                          # dydx-v4) or the path of a venue file (YAML or JSON)
fees:                     # override the venue's fee rates (fractions of notional); null: the venue's
  maker: null             # in [-0.01, 0.1); negative is a rebate
  taker: null             # in [0, 0.1); every fill pays it (fills are market orders)

capital: 10000            # starting wallet, quote units (USDT); > 0
leverage: 10              # leverage of every position, ≥ 1; an order whose notional falls in a bracket
                          # tier with a lower maximum leverage is refused (counted by reason)

strategy:                 # decides a target side per symbol at every bar's close
  name: sma_cross         # hold, sma_cross, breakout, mean_revert, random, funding_carry
  params: {fast: 20, slow: 50}   # see 'marginlab help run' for each strategy's parameters
sizing:                   # turns a decision into a position size when it opens
  kind: equity_fraction   # fixed_notional {notional}, equity_fraction {fraction}, risk {risk, default_stop}
  params: {fraction: 0.1} # initial margin = 10 % of equity per position

modes: [isolated, cross]  # any of isolated, cross, hybrid (each runs the same decisions)
hybrid_isolated: []       # with mode hybrid (required then): the symbols margined isolated; the rest cross

intrabar: adverse         # adverse: test liquidation at each bar's worst price (conservative);
                          # close: at the close only (optimistic)
slippage: 0.0002          # fraction of price every fill loses, [0, 0.5)
cooldown: 0               # bars a liquidated symbol stays flat at least, ≥ 0
stop_at_liq: 0            # in (0, 1): a stop that fraction of the way to the liquidation price; 0: off
reduce_to_fit: false      # true: shrink an order the free balance cannot margin instead of rejecting it
margin_policy:            # automatic isolated-margin management at each close; 0: off
  top_up_at: 0            # add margin when the margin ratio (maintenance / margin balance) reaches this, [0, 1]
  top_up_amount: 0.5      # each top-up, a multiple of the position's initial margin, > 0
  top_up_cap: 1           # total top-ups per position, a multiple of its initial margin, > 0
  sweep_below: 0          # return removable margin when the ratio is at most this, [0, 1], below top_up_at
ruin: 0.1                 # ruin: equity at or below this fraction of capital, (0, 1); a ruined run
                          # opens no new position and its later liquidations enter no rate
trade_after_ruin: false   # true: keep opening positions after ruin and count every event
near_miss: 0.8            # margin ratio that counts as a near miss when no liquidation follows, (0, 1]
record_every: 1           # record equity and margin every N bars (metrics always use every bar), ≥ 1
seed: 1                   # strategy seed (the random strategy), any integer ≥ 0
`
