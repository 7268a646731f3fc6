package oracle

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/strategy"
)

// spec is one randomised case of the differential test. Every field is
// drawn from Seed by genSpec, so the seed alone reproduces the case; String
// prints the parameters on one line.
type spec struct {
	Seed uint64

	// Market.
	Real      bool // a slice of the real Binance 2023–2024 5m files, else synthetic
	Symbols   []string
	Bars      int
	TF        time.Duration
	Start     time.Time
	Vol       float64 // synthetic: AnnualVol
	Jumps     float64 // synthetic: JumpsPerDay (−1: none)
	GapOpens  float64 // synthetic: share of bars that open away from the last close (R2)
	JumpSize  float64
	FundEvery time.Duration
	FundMean  float64
	Marks     string // "mark", "none" or "holes" (NaN rows and NaN cells)
	NoFunding bool

	// Venue.
	Venue       string
	ToTrader    bool    // Remainder: trader instead of the preset's
	FineTiers   bool    // every symbol gets narrow tiers (fineTiers) instead of the preset's tables
	PartialStep float64 // −1: keep the preset's; 0: partial off; else on with this step
	PartialMin  float64 // with PartialStep > 0: Partial.MinNotional

	// Strategy and sizing.
	Strategy    string
	Params      map[string]any
	Sizer       string
	SizerParams map[string]any

	// Config.
	Capital, Leverage, Slippage, StopAtLiq, Ruin float64
	Policy                                       backtest.Policy
	Cooldown                                     int
	ReduceToFit, TradeAfterRuin                  bool
	Margin                                       backtest.MarginPolicy
	Hybrid                                       []string // the hybrid mode's isolated symbols
}

func (c spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d ", c.Seed)
	if c.Real {
		fmt.Fprintf(&b, "market=real:%s@%s+%d ", strings.Join(c.Symbols, ","), c.Start.Format("2006-01-02T15:04"), c.Bars)
	} else {
		fmt.Fprintf(&b, "market=synth:%s@%s+%d×%s vol=%.3g jumps=%.3g/%.3g gaps=%.3g funding=%s/%.3g ",
			strings.Join(c.Symbols, ","), c.Start.Format("2006-01-02"), c.Bars, data.FormatTimeframe(c.TF),
			c.Vol, c.Jumps, c.JumpSize, c.GapOpens, data.FormatTimeframe(c.FundEvery), c.FundMean)
	}
	fmt.Fprintf(&b, "marks=%s nofunding=%v venue=%s", c.Marks, c.NoFunding, c.Venue)
	if c.ToTrader {
		b.WriteString("+trader")
	}
	if c.PartialStep >= 0 {
		fmt.Fprintf(&b, "+partial=%.3g/%g", c.PartialStep, c.PartialMin)
	}
	if c.FineTiers {
		b.WriteString("+finetiers")
	}
	fmt.Fprintf(&b, " strategy=%s%v sizer=%s%v capital=%.6g lev=%.6g policy=%s slip=%.3g cooldown=%d stopatliq=%.3g fit=%v ruin=%.3g afterruin=%v margin=%+v hybrid=%v",
		c.Strategy, sortedParams(c.Params), c.Sizer, sortedParams(c.SizerParams), c.Capital, c.Leverage, c.Policy,
		c.Slippage, c.Cooldown, c.StopAtLiq, c.ReduceToFit, c.Ruin, c.TradeAfterRuin, c.Margin, c.Hybrid)
	return b.String()
}

func sortedParams(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, p[k])
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// genSpec draws a case from seed. realOK says the real files are present.
func genSpec(seed uint64, realOK bool) spec {
	r := rand.New(rand.NewPCG(seed, 0x6f7261636c65)) // "oracle"
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	logU := func(lo, hi float64) float64 { return math.Exp(u(math.Log(lo), math.Log(hi))) }
	chance := func(p float64) bool { return r.Float64() < p }
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }

	c := spec{Seed: seed, PartialStep: -1}
	if realOK && chance(0.12) {
		c.Real = true
		c.Symbols = [][]string{{"BTCUSDT"}, {"ETHUSDT"}, {"BTCUSDT", "ETHUSDT"}}[r.IntN(3)]
		c.Bars = 300 + r.IntN(2700)
		c.TF = 5 * time.Minute
		c.Marks = "none"
	} else {
		pool := []string{"BTC", "ETH", "SOL", "XRP", "DOGE"}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		c.Symbols = pool[:1+r.IntN(4)]
		c.Bars = 200 + r.IntN(2800)
		c.TF = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour}[r.IntN(5)]
		// From 2021 to mid-2026: some runs straddle a new bracket table.
		c.Start = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(2000*24)) * time.Hour)
		// Volatile enough that most cases liquidate something: a per-bar
		// volatility of 0.5–4 %, as an annual one (at most 5, Synthesize's
		// limit).
		c.Vol = min(5, logU(0.005, 0.04)*math.Sqrt(float64(365*24*time.Hour)/float64(c.TF)))
		c.Jumps = -1
		if chance(0.8) {
			c.Jumps = logU(1, 30)
		}
		c.JumpSize = logU(0.01, 0.15)
		c.FundEvery = []time.Duration{time.Hour, 8 * time.Hour}[r.IntN(2)]
		c.FundMean = logU(1e-5, 5e-3)
		if chance(0.4) {
			c.FundMean = -c.FundMean
		}
		c.Marks = []string{"mark", "mark", "none", "holes"}[r.IntN(4)]
		if chance(0.3) {
			c.GapOpens = logU(0.002, 0.03)
		}
	}
	c.NoFunding = chance(0.2) || ignored("nofunding")
	if ignored("tables") && !c.Real {
		c.Start = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}

	c.Venue = pick(venue.PresetNames())
	c.ToTrader = chance(0.3)
	c.FineTiers = chance(0.15)
	if chance(0.2) {
		c.PartialStep = []float64{0, 0.2, 0.25, 1.0 / 3, 0.5}[r.IntN(5)]
		// Venue files require a positive threshold; without one, steps of
		// a fraction of a fraction go on down to sizes below the ledger's
		// resolution.
		c.PartialMin = []float64{500, 20000, 100000}[r.IntN(3)]
	}

	stop := func() float64 {
		if chance(0.7) {
			return 0
		}
		return logU(0.002, 0.1)
	}
	c.Strategy = pick(append(strategy.Names(), scriptName, scriptName))
	switch c.Strategy {
	case "breakout":
		c.Params = map[string]any{"window": 2 + r.IntN(40), "exit_window": 1 + r.IntN(20), "stop": stop()}
	case "funding_carry":
		c.Params = map[string]any{"threshold": u(0, 3e-4), "stop": stop()}
	case "hold":
		c.Params = map[string]any{"side": pick([]string{"long", "short"}), "stop": stop()}
	case "mean_revert":
		z := u(0.3, 2.5)
		c.Params = map[string]any{"window": 3 + r.IntN(60), "entry_z": z, "exit_z": u(0, z), "stop": stop()}
	case "random":
		c.Params = map[string]any{"entry_prob": logU(0.005, 0.3), "exit_prob": logU(0.005, 0.3), "stop": stop()}
	case "sma_cross":
		fast := 1 + r.IntN(20)
		c.Params = map[string]any{"fast": fast, "slow": fast + 1 + r.IntN(60), "allow_short": chance(0.7), "stop": stop()}
	case scriptName:
		c.Params = map[string]any{"p": logU(0.005, 0.3), "seed": r.Uint64() % 1_000_000}
	}

	c.Capital = logU(100, 1e6)
	c.Sizer = pick(strategy.SizerNames())
	switch c.Sizer {
	case "equity_fraction":
		c.SizerParams = map[string]any{"fraction": logU(0.02, 1)}
	case "fixed_notional":
		c.SizerParams = map[string]any{"notional": c.Capital * logU(0.05, 30)}
	case "risk":
		c.SizerParams = map[string]any{"risk": logU(0.005, 0.3), "default_stop": logU(0.003, 0.1)}
	}
	// Leverage: log-uniform in [1, 125] for a quarter of the cases (most
	// venues refuse much of that range: refusals by leverage), else up to
	// from 4 to the lowest first-tier maximum among the case's symbols,
	// so that orders fill and positions can be liquidated.
	c.Leverage = logU(1, 125)
	if hi := maxLeverage(c.Venue, c.Symbols, c.Start); hi > 4 && !chance(0.25) {
		c.Leverage = logU(4, hi)
	}
	if chance(0.25) {
		c.Policy = backtest.AtClose
	}
	if chance(0.5) {
		c.Slippage = u(0, 0.003)
	}
	if chance(0.5) {
		c.Cooldown = 1 + r.IntN(30)
	}
	if chance(0.15) {
		c.StopAtLiq = u(0.2, 0.95)
	}
	c.ReduceToFit = chance(0.3)
	c.TradeAfterRuin = chance(0.3)
	if chance(0.4) {
		c.Ruin = u(0.05, 0.9)
	}
	if chance(0.25) {
		c.Margin.TopUpAt = u(0.3, 0.95)
		if chance(0.5) {
			c.Margin.TopUpAmount = u(0.1, 1)
		}
		if chance(0.5) {
			c.Margin.TopUpCap = u(0.3, 3)
		}
	}
	if chance(0.2) {
		hi := 0.5
		if c.Margin.TopUpAt > 0 {
			hi = min(hi, c.Margin.TopUpAt-0.01)
		}
		c.Margin.SweepBelow = u(0.02, hi)
	}
	for _, s := range c.Symbols {
		if chance(0.5) {
			c.Hybrid = append(c.Hybrid, s)
		}
	}
	return c
}

// fineTiers are 25 narrow tiers from 0.2 × capital up, each 30 % wider
// than the last, the rate 15 % higher (from 0.4 %) and the maximum leverage
// 1/(2·rate) (at most 125), so that positions cross tiers between their
// entry and their liquidation price.
func fineTiers(capital float64) venue.Brackets {
	br := venue.Brackets{{Floor: 0, MMR: 0.004, MaxLeverage: 125}}
	floor := 0.2 * capital
	for k := 1; k < 25; k++ {
		mmr := min(0.3, br[k-1].MMR*1.15)
		br = append(br, venue.Bracket{Floor: floor, MMR: mmr, MaxLeverage: min(125, math.Floor(0.5/mmr))})
		br[k-1].Cap = floor
		floor *= 1.3
	}
	br[len(br)-1].Cap = math.Inf(1)
	br.Cumulate()
	return br
}

// maxLeverage is the lowest first-tier maximum leverage among symbols on
// the venue preset.
func maxLeverage(preset string, symbols []string, at time.Time) float64 {
	v, err := venue.Preset(preset)
	if err != nil {
		panic(err)
	}
	lev := 125.0
	for _, s := range symbols {
		if br := v.BracketsFor(s, at); len(br) > 0 {
			lev = min(lev, br[0].MaxLeverage)
		}
	}
	return max(lev, 1)
}

// build makes the market, intents, config and modes of a case.
func (c spec) build() (*data.Market, *backtest.Intents, backtest.Config, []backtest.ModeSpec, error) {
	r := rand.New(rand.NewPCG(c.Seed, 0x6d61726b6574)) // "market"
	var m *data.Market
	if c.Real {
		full, err := realMarket(c.Symbols)
		if err != nil {
			return nil, nil, backtest.Config{}, nil, err
		}
		off := r.IntN(len(full.Time) - c.Bars)
		m = sliceMarket(full, off, off+c.Bars)
	} else {
		var err error
		m, err = data.Synthesize(data.SynthConfig{
			Symbols: c.Symbols, Timeframe: c.TF, Bars: c.Bars, Start: c.Start, Seed: c.Seed,
			Correlation: 0.5, AnnualVol: c.Vol, JumpsPerDay: c.Jumps, JumpSize: c.JumpSize,
			FundingInterval: c.FundEvery, FundingMean: c.FundMean,
		})
		if err != nil {
			return nil, nil, backtest.Config{}, nil, err
		}
	}
	if c.GapOpens > 0 {
		gapOpens(m, c.GapOpens, r)
	}
	for k := range m.Symbols {
		sym := &m.Symbols[k]
		switch c.Marks {
		case "none":
			sym.Mark = nil
		case "holes":
			mk := sym.Mark.Clone()
			for i := range mk.Open {
				switch x := r.Float64(); {
				case x < 0.1: // a row without a mark candle
					mk.Open[i], mk.High[i], mk.Low[i], mk.Close[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
				case x < 0.13 && !ignored("cells"): // one missing value: the trade candle stands in for that column only
					[]([]float64){mk.Open, mk.High, mk.Low, mk.Close}[r.IntN(4)][i] = math.NaN()
				}
			}
			sym.Mark = &mk
		}
		if c.NoFunding {
			sym.Funding = data.Funding{Time: []int64{}, Rate: []float64{}}
		}
	}

	v, err := venue.Preset(c.Venue)
	if err != nil {
		return nil, nil, backtest.Config{}, nil, err
	}
	if c.ToTrader {
		v.Remainder = venue.ToTrader
	}
	if ignored("orders") {
		v.Orders = venue.Orders{}
	}
	if c.FineTiers {
		v.Tables, v.Default = nil, []venue.Table{{Brackets: fineTiers(c.Capital)}}
	}
	if ignored("partial") {
		v.Partial = venue.Partial{}
	}
	if c.PartialStep >= 0 && !ignored("partial") {
		// Venues reduce only large positions in steps: half the cases draw
		// a threshold below which a position is liquidated whole.
		v.Partial = venue.Partial{Enabled: c.PartialStep > 0, Step: c.PartialStep, MinNotional: c.PartialMin}
	}

	var st backtest.Strategy
	if c.Strategy == scriptName {
		st = &script{p: c.Params["p"].(float64), seed: c.Params["seed"].(uint64)}
	} else if st, err = strategy.New(c.Strategy, c.Params, c.Seed); err != nil {
		return nil, nil, backtest.Config{}, nil, err
	}
	sz, err := strategy.NewSizer(c.Sizer, c.SizerParams)
	if err != nil {
		return nil, nil, backtest.Config{}, nil, err
	}
	if ignored("policy") {
		c.Margin = backtest.MarginPolicy{}
	}
	if ignored("stopatliq") {
		c.StopAtLiq = 0
	}
	if ignored("slippage") {
		c.Slippage = 0
	}
	cfg := backtest.Config{
		Venue: v, Capital: c.Capital, Leverage: c.Leverage, Sizer: sz, Policy: c.Policy,
		Slippage: c.Slippage, Cooldown: c.Cooldown, StopAtLiq: c.StopAtLiq, ReduceToFit: c.ReduceToFit,
		Margin: c.Margin, RuinFraction: c.Ruin, TradeAfterRuin: c.TradeAfterRuin || ignored("ruin"), VerifyLedger: true,
	}
	modes := []backtest.ModeSpec{backtest.IsolatedMode, backtest.CrossMode, backtest.HybridMode(c.Hybrid...)}
	return m, backtest.Decide(m, st), cfg, modes, nil
}

// scriptName is the test-only strategy that changes side, weight and stop
// at random: the built-in strategies only ever change side, so without it
// no order would add to or reduce an open position.
const scriptName = "script"

// script changes each symbol's intent with probability p per bar to a
// random side, weight and stop, deterministically from seed and the bar.
type script struct {
	p    float64
	seed uint64
}

func (x *script) Decide(v *backtest.View, intents []backtest.Intent) {
	r := rand.New(rand.NewPCG(x.seed, uint64(v.Bar())))
	for k := range intents {
		if r.Float64() >= x.p {
			continue
		}
		in := backtest.Intent{Side: r.IntN(3) - 1}
		if in.Side != 0 {
			in.Weight = []float64{0, 0.25, 0.5, 0.75, 1}[r.IntN(5)]
			if r.IntN(4) == 0 {
				in.Stop = []float64{0.005, 0.01, 0.03, 0.1}[r.IntN(4)]
			}
		}
		intents[k] = in
	}
}

// The real files: Binance USDⓈ-M BTC and ETH 5m candles with 8h funding,
// 2023-01 to 2024-05, from ../shared/data beside the repository.
const sharedData = "../../../../shared/data"

var (
	realOnce sync.Once
	realAll  *data.Market
	realErr  error
)

// realDataPresent says whether the shared data is there.
func realDataPresent() bool {
	_, err := os.Stat(filepath.Join(sharedData, "README.md"))
	return err == nil
}

// realMarket returns the real market of the given symbols (BTCUSDT,
// ETHUSDT), loading both files once.
func realMarket(symbols []string) (*data.Market, error) {
	realOnce.Do(func() {
		var in []data.SymbolInput
		for _, s := range []string{"BTC", "ETH"} {
			dir := filepath.Join(sharedData, "binance-futures-2023-2024")
			c, err := data.Load(context.Background(), filepath.Join(dir, s+"_USDT_USDT-5m-futures.feather"), data.LoadOptions{})
			if err != nil {
				realErr = err
				return
			}
			f, err := data.Load(context.Background(), filepath.Join(dir, s+"_USDT_USDT-8h-funding_rate.feather"), data.LoadOptions{})
			if err != nil {
				realErr = err
				return
			}
			in = append(in, data.SymbolInput{Name: s + "USDT", Candles: c.Bars, Funding: &f.Funding})
		}
		// The funding files end 8 hours before the candles: accept that
		// gap (the slices are cut from inside the period anyway).
		realAll, _, realErr = data.NewMarket(in, data.MarketOptions{FundingCoverage: data.CoverageAccept})
	})
	if realErr != nil {
		return nil, realErr
	}
	m := &data.Market{Time: realAll.Time, Timeframe: realAll.Timeframe}
	for _, s := range realAll.Symbols {
		if slices.Contains(symbols, s.Name) {
			m.Symbols = append(m.Symbols, s)
		}
	}
	return m, nil
}

// sliceMarket returns bars [from, to) of m as a market of their own, with
// the funding events inside its span.
func sliceMarket(m *data.Market, from, to int) *data.Market {
	out := &data.Market{Time: slices.Clone(m.Time[from:to]), Timeframe: m.Timeframe}
	end := m.Time[to-1] + int64(m.Timeframe)
	for _, s := range m.Symbols {
		c := s.Candles
		ns := data.Symbol{Name: s.Name, Candles: data.Bars{
			Time: out.Time, Open: slices.Clone(c.Open[from:to]), High: slices.Clone(c.High[from:to]),
			Low: slices.Clone(c.Low[from:to]), Close: slices.Clone(c.Close[from:to]), Volume: slices.Clone(c.Volume[from:to]),
		}}
		ns.Funding = data.Funding{Time: []int64{}, Rate: []float64{}}
		for i, t := range s.Funding.Time {
			if t >= out.Time[0] && t < end {
				ns.Funding.Time = append(ns.Funding.Time, t)
				ns.Funding.Rate = append(ns.Funding.Rate, s.Funding.Rate[i])
			}
		}
		out.Symbols = append(out.Symbols, ns)
	}
	return out
}

// gapOpens makes a share of every symbol's bars open 2–8 % away from the
// previous close, trades and mark alike, widening the bar to hold the open:
// positions past their trigger at the open (R2).
func gapOpens(m *data.Market, share float64, r *rand.Rand) {
	for k := range m.Symbols {
		sym := &m.Symbols[k]
		for i := 1; i < len(m.Time); i++ {
			if r.Float64() >= share {
				continue
			}
			jump := 1 + (0.02+0.06*r.Float64())*float64(1-2*r.IntN(2))
			for _, b := range []*data.Bars{&sym.Candles, sym.Mark} {
				if b == nil {
					continue
				}
				o := b.Close[i-1] * jump
				b.Open[i], b.High[i], b.Low[i] = o, max(b.High[i], o), min(b.Low[i], o)
			}
		}
	}
}
