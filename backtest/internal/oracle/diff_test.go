package oracle

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

// The differential test runs randomised cases through backtest.Run and
// oracle.Run and compares every liquidation, every funding payment, the
// final equity, the positions opened and the refusals.
//
//	go test ./backtest/internal/oracle -run 'TestDifferential$' -v          # 2,000 cases
//	go test ./backtest/internal/oracle -run 'TestDifferential$' -short -v   # 150 cases
//	go test ./backtest/internal/oracle -run 'TestDifferential$' -v -args -case=SEED   # one case
//
// Case i has seed baseSeed + i. A disagreement with the engine (an engine
// error, panic or ledger failure included) fails the test, listing each
// disagreeing case (a one-line reproducer and the first differing event)
// and a summary by kind; so does an error of the oracle (its bookkeeping
// check).

var (
	flagCase  = flag.String("case", "", "run only the differential case with this seed")
	flagTrace = flag.String("trace", "", "with -case: print the oracle's decisions in bars LO-HI")
	flagCases = flag.Int("cases", 0, "number of differential cases (default 2000, 150 with -short)")
)

const baseSeed = 1

// ignored says whether a triage run leaves something out: ORACLE_IGNORE
// (comma separated) narrows a disagreement down by simpler cases or fewer
// comparisons:
//
//	funding     funding payments are not compared (final equity still is)
//	position    LiquidationRecord.Position is not compared
//	afterruin   LiquidationRecord.AfterRuin is not compared
//	orders      venues get no order filters
//	ruin        every case sets TradeAfterRuin
//	cells       mark holes are whole rows only, never single NaN values
//	nofunding   no case has funding events
//	partial     no venue liquidates partially
//	tables      every run starts after the last bracket table takes effect
//	policy      no isolated top-up or sweep policy
//	slippage    no slippage
//	bankrupt    cases with a close that the rules turn into a liquidation
//	            are left out
//	stopatliq   no case sets StopAtLiq
//
// It is read when a test first asks (not at package initialisation, which
// the test cache would not notice).
func ignored(what string) bool {
	ignoreOnce.Do(func() {
		ignoreSet = map[string]bool{}
		for _, w := range strings.Split(os.Getenv("ORACLE_IGNORE"), ",") {
			if w = strings.TrimSpace(w); w != "" {
				ignoreSet[w] = true
			}
		}
	})
	return ignoreSet[what]
}

var (
	ignoreOnce sync.Once
	ignoreSet  map[string]bool
)

// reproduce is the command that runs one case again.
func reproduce(seed uint64) string {
	env := ""
	if v := os.Getenv("ORACLE_IGNORE"); v != "" {
		env = "ORACLE_IGNORE=" + v + " "
	}
	return fmt.Sprintf("%sgo test ./backtest/internal/oracle -run 'TestDifferential$' -v -args -case=%d", env, seed)
}

func caseCount() int {
	switch {
	case *flagCases > 0:
		return *flagCases
	case raceEnabled:
		return 40
	case testing.Short():
		return 150
	}
	return 2000
}

// outcome is one case's comparison.
type outcome struct {
	spec  spec
	err   error    // a failure of either engine, or of the ledger check
	diffs []string // one per disagreeing mode: the first difference
	kinds []string // the kind of each difference, for the summary
	stats caseStats
}

// caseStats says what a case exercised, from the oracle's results.
type caseStats struct {
	liq, partial, funding, stop, rejection, ruin, afterRuin, bankrupt, tie bool
}

func TestDifferential(t *testing.T) {
	start := time.Now()
	realOK := realDataPresent()
	var seeds []uint64
	if *flagCase != "" {
		s, err := strconv.ParseUint(*flagCase, 10, 64)
		if err != nil {
			t.Fatalf("-case=%q: %v", *flagCase, err)
		}
		seeds = []uint64{s}
	} else {
		for i := range caseCount() {
			seeds = append(seeds, baseSeed+uint64(i))
		}
	}
	t.Logf("%d cases, seeds %d…%d (real data %v)", len(seeds), seeds[0], seeds[len(seeds)-1], realOK)

	outs := runCases(seeds, realOK, func(c spec) (compared, error) { return compareEngine(c) })

	var st struct{ liq, partial, funding, stop, rejection, ruin, afterRuin, bankrupt, tie, real, disagree int }
	kinds := map[string]int{}
	for _, o := range outs {
		if o.err != nil {
			t.Errorf("%v\n  reproduce: %s\n  case: %v", o.err, reproduce(o.spec.Seed), o.spec)
			continue
		}
		for _, c := range []struct {
			on bool
			n  *int
		}{{o.stats.liq, &st.liq}, {o.stats.partial, &st.partial}, {o.stats.funding, &st.funding}, {o.stats.stop, &st.stop},
			{o.stats.rejection, &st.rejection}, {o.stats.ruin, &st.ruin}, {o.stats.afterRuin, &st.afterRuin}, {o.stats.bankrupt, &st.bankrupt}, {o.stats.tie, &st.tie}, {o.spec.Real, &st.real}} {
			if c.on {
				*c.n++
			}
		}
		if len(o.diffs) == 0 {
			continue
		}
		st.disagree++
		for _, k := range dedupe(o.kinds) {
			kinds[k]++
		}
		msg := fmt.Sprintf("engine and oracle disagree\n  reproduce: %s\n  case: %v\n  %s",
			reproduce(o.spec.Seed), o.spec, strings.Join(o.diffs, "\n  "))
		switch {
		case st.disagree <= 30 || *flagCase != "":
			t.Error(msg)
		case st.disagree == 31:
			t.Error("… further disagreeing cases are not listed")
		}
	}
	n := len(outs)
	pct := func(k int) string { return fmt.Sprintf("%d (%.0f %%)", k, 100*float64(k)/float64(max(n, 1))) }
	t.Logf("distribution over %d cases: ≥1 liquidation %s, partial %s, funding %s, stop %s, refusal %s, ruin %s, events after ruin %s, bankrupt close %s, compared only up to a near tie %s, real data %s; %v",
		n, pct(st.liq), pct(st.partial), pct(st.funding), pct(st.stop), pct(st.rejection), pct(st.ruin), pct(st.afterRuin), pct(st.bankrupt), pct(st.tie), pct(st.real),
		time.Since(start).Round(time.Millisecond))
	if st.disagree > 0 {
		var ks []string
		for k, c := range kinds {
			ks = append(ks, fmt.Sprintf("%5d  %s", c, k))
		}
		sort.Sort(sort.Reverse(sort.StringSlice(ks)))
		summary := fmt.Sprintf("engine disagrees with the oracle in %s; cases by kind of first difference (a case may count under several modes' kinds):\n%s",
			pct(st.disagree), strings.Join(ks, "\n"))
		t.Error(summary)
	}
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// compared is one case's results on both sides, converted to oracle.Result.
type compared struct {
	a, b       []Result // the engine's (or reference) results, and the oracle's
	fundRate   [][]float64
	capital    float64
	symbolsIdx map[string]int
	engineErr  error // the engine failed (an error, a panic, its ledger check): a disagreement
}

// runCases runs every seed through run on GOMAXPROCS workers, in seed order.
func runCases(seeds []uint64, realOK bool, run func(spec) (compared, error)) []outcome {
	outs := make([]outcome, len(seeds))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := genSpec(seeds[i], realOK)
				o := outcome{spec: c}
				cmp, err := run(c)
				if err != nil {
					o.err = err
				} else {
					o.stats = statsOf(cmp.b)
					if !(ignored("bankrupt") && o.stats.bankrupt) {
						o.diffs, o.kinds = cmp.differences()
					}
				}
				outs[i] = o
			}
		}()
	}
	for i := range seeds {
		next <- i
	}
	close(next)
	wg.Wait()
	return outs
}

func statsOf(rs []Result) caseStats {
	var s caseStats
	for _, r := range rs {
		s.liq = s.liq || len(r.Liquidations) > 0
		for _, l := range r.Liquidations {
			s.partial = s.partial || l.Partial
			s.afterRuin = s.afterRuin || l.AfterRuin
		}
		s.funding = s.funding || len(r.Funding) > 0
		s.stop = s.stop || r.Stops > 0
		for _, n := range r.Rejected {
			s.rejection = s.rejection || n > 0
		}
		s.ruin = s.ruin || r.RuinBar >= 0
		s.bankrupt = s.bankrupt || r.BankruptCloses > 0
		s.tie = s.tie || r.TieBar >= 0
	}
	return s
}

// compareEngine runs case c through the engine and the oracle.
func compareEngine(c spec) (compared, error) {
	m, in, cfg, modes, err := c.build()
	if err != nil {
		return compared{}, fmt.Errorf("building the case: %w", err)
	}
	eng, engErr := runEngine(m, in, cfg, modes)
	var r rules
	if *flagTrace != "" {
		var lo, hi int
		fmt.Sscanf(*flagTrace, "%d-%d", &lo, &hi)
		r.trace = func(bar int, msg string) {
			if bar >= lo && bar <= hi {
				fmt.Printf("oracle bar %d: %s\n", bar, msg)
			}
		}
	}
	ora, err := run(m, in, cfg, r, modes...)
	if err != nil {
		return compared{}, err
	}
	cmp := compared{b: ora, capital: cfg.Capital, symbolsIdx: map[string]int{}, engineErr: engErr}
	for k, s := range m.Symbols {
		cmp.symbolsIdx[s.Name] = k
	}
	for _, r := range eng {
		if r.JournalError != "" && cmp.engineErr == nil {
			cmp.engineErr = fmt.Errorf("engine ledger, mode %s: %s", r.Mode, r.JournalError)
		}
		a, rates := fromEngine(r)
		cmp.a = append(cmp.a, a)
		cmp.fundRate = append(cmp.fundRate, rates)
	}
	return cmp, nil
}

// runEngine runs backtest.Run, turning a panic into an error.
func runEngine(m *data.Market, in *backtest.Intents, cfg backtest.Config, modes []backtest.ModeSpec) (res []backtest.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errEnginePanic, r)
		}
	}()
	res, err = backtest.Run(m, in, cfg, modes...)
	if err != nil {
		err = fmt.Errorf("engine: %w", err)
	}
	return res, err
}

var errEnginePanic = errors.New("engine panicked")

// fromEngine converts an engine result to the oracle's form, with each
// funding payment's rate (for the tolerance).
func fromEngine(r backtest.Result) (Result, []float64) {
	out := Result{Mode: r.Mode, FinalEquity: r.Metrics.FinalEquity, Positions: r.Metrics.Positions,
		Rejected: engineRejections(r.Metrics), RuinBar: -1}
	for _, l := range r.Liquidations {
		out.Liquidations = append(out.Liquidations, Liq{Time: l.Time, Bar: l.Bar, Symbol: l.Symbol, Mode: l.Mode,
			Side: l.Side, Qty: l.Qty, Price: l.Settle, Fee: l.Fee, Partial: l.Partial, Position: l.Position, AfterRuin: l.AfterRuin})
	}
	var rates []float64
	for _, f := range r.Fills {
		out.Fills = append(out.Fills, Fill{Time: f.Time, Bar: f.Bar, Symbol: f.Symbol, Qty: f.Qty, Price: f.Price, Fee: f.Fee, Reason: f.Reason})
	}
	for _, f := range r.Funding {
		out.Funding = append(out.Funding, Pay{Time: f.Time, Bar: f.Bar, Symbol: f.Symbol, Mode: f.Mode, Amount: f.Amount})
		rates = append(rates, f.Rate)
	}
	return out, rates
}

// engineRejections reads the engine's refusal counts: by reason from
// Metrics fields named Rejected<Reason> when it has them, else the total
// (Metrics.Rejections) under "total".
func engineRejections(m backtest.Metrics) map[string]int {
	out := map[string]int{}
	v := reflect.ValueOf(m)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		why, ok := strings.CutPrefix(name, "Rejected")
		if !ok || v.Field(i).Kind() != reflect.Int {
			continue
		}
		switch strings.ToLower(why) {
		case "ruin":
			out[ReasonRuin] = int(v.Field(i).Int())
		case "minorder", "min_order", "minimum":
			out[ReasonMinOrder] = int(v.Field(i).Int())
		case "leverage":
			out[ReasonLeverage] = int(v.Field(i).Int())
		case "margin":
			out[ReasonMargin] = int(v.Field(i).Int())
		}
	}
	if len(out) == 0 {
		out["total"] = m.Rejections
	}
	return out
}

// differences returns, per disagreeing mode, the first difference, and
// its kind.
func (c compared) differences() (diffs, kinds []string) {
	if c.engineErr != nil {
		kind := "engine error"
		if errors.Is(c.engineErr, errEnginePanic) {
			kind = "engine panicked"
		}
		return []string{c.engineErr.Error()}, []string{kind}
	}
	for i := range c.b {
		var rates []float64
		if i < len(c.fundRate) {
			rates = c.fundRate[i]
		}
		d, k := c.diffMode(c.a[i], c.b[i], rates)
		if d != "" && *flagCase != "" {
			d += "\n    first differing fill: " + c.diffFills(c.a[i], c.b[i])
		}
		if d != "" {
			diffs = append(diffs, fmt.Sprintf("mode %s: %s", c.b[i].Mode, d))
			kinds = append(kinds, k)
		}
	}
	return diffs, kinds
}

// diffMode compares one mode. Events are ordered by bar and symbol (stable,
// so several events of one symbol in one bar keep their order); the
// earliest differing event is reported, naming both sides' values.
func (c compared) diffMode(a, b Result, rates []float64) (string, string) {
	type ev struct {
		bar  int
		what string
		kind string
	}
	var first *ev
	note := func(bar int, kind, what string) {
		if first == nil || bar < first.bar {
			first = &ev{bar, what, kind}
		}
	}
	order := func(ls []Liq) []Liq {
		out := append([]Liq(nil), ls...)
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Bar != out[j].Bar {
				return out[i].Bar < out[j].Bar
			}
			return c.symbolsIdx[out[i].Symbol] < c.symbolsIdx[out[j].Symbol]
		})
		return out
	}
	tie := b.TieBar
	upTo := func(ls []Liq) []Liq {
		if tie < 0 {
			return ls
		}
		var out []Liq
		for _, l := range ls {
			if l.Bar < tie {
				out = append(out, l)
			}
		}
		return out
	}
	la, lb := upTo(order(a.Liquidations)), upTo(order(b.Liquidations))
	for i := 0; i < max(len(la), len(lb)); i++ {
		switch {
		case i >= len(la):
			note(lb[i].Bar, "liquidation missing in engine", fmt.Sprintf("oracle liquidation %s not in engine", fmtLiq(lb[i])))
		case i >= len(lb):
			note(la[i].Bar, "liquidation missing in oracle", fmt.Sprintf("engine liquidation %s not in oracle", fmtLiq(la[i])))
		default:
			x, y := la[i], lb[i]
			kind := ""
			switch {
			case x.Bar != y.Bar || x.Symbol != y.Symbol:
				if x.Bar < y.Bar || (x.Bar == y.Bar && c.symbolsIdx[x.Symbol] < c.symbolsIdx[y.Symbol]) {
					kind = "liquidation missing in oracle"
				} else {
					kind = "liquidation missing in engine"
				}
			case x.Time != y.Time:
				kind = "liquidation time"
			case x.Mode != y.Mode:
				kind = "liquidation mode"
			case x.Side != y.Side:
				kind = "liquidation side"
			case x.Partial != y.Partial:
				kind = "liquidation partial/full"
			case !closeRel(x.Qty, y.Qty, 1e-6):
				kind = "liquidation quantity"
			case !closeRel(x.Price, y.Price, 1e-9) && !(math.Abs(x.Price-y.Price) <= ledgerResolution*float64(entriesBefore(b, y.Bar))/y.Qty):
				kind = "liquidation price"
			case !closeRel(x.Fee, y.Fee, 1e-9) && !(math.Abs(x.Fee-y.Fee) <= ledgerResolution*float64(entriesBefore(b, y.Bar))):
				kind = "liquidation fee"
			case x.Position != y.Position && !ignored("position"):
				kind = "liquidation position number"
			case x.AfterRuin != y.AfterRuin && !ignored("afterruin"):
				kind = "liquidation AfterRuin"
			}
			if kind != "" {
				note(min(x.Bar, y.Bar), kind, fmt.Sprintf("liquidation #%d: engine %s, oracle %s", i, fmtLiq(x), fmtLiq(y)))
				i = max(len(la), len(lb)) // later events follow from this one
			}
		}
	}
	orderPay := func(ps []Pay, rates []float64) ([]Pay, []float64) {
		idx := make([]int, len(ps))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			if ps[idx[i]].Bar != ps[idx[j]].Bar {
				return ps[idx[i]].Bar < ps[idx[j]].Bar
			}
			return c.symbolsIdx[ps[idx[i]].Symbol] < c.symbolsIdx[ps[idx[j]].Symbol]
		})
		out, rs := make([]Pay, len(ps)), make([]float64, len(ps))
		for i, k := range idx {
			out[i] = ps[k]
			if k < len(rates) {
				rs[i] = rates[k]
			}
		}
		return out, rs
	}
	pa, ra := orderPay(a.Funding, rates)
	pb, _ := orderPay(b.Funding, nil)
	if tie >= 0 {
		n := 0
		for n < len(pa) && pa[n].Bar < tie {
			n++
		}
		pa = pa[:n]
		n = 0
		for n < len(pb) && pb[n].Bar < tie {
			n++
		}
		pb = pb[:n]
	}
	if ignored("funding") {
		pa, pb = nil, nil
	}
	for i := 0; i < max(len(pa), len(pb)); i++ {
		switch {
		case i >= len(pa):
			note(pb[i].Bar, "funding missing in engine", fmt.Sprintf("oracle funding %s not in engine", fmtPay(pb[i])))
		case i >= len(pb):
			note(pa[i].Bar, "funding missing in oracle", fmt.Sprintf("engine funding %s not in oracle", fmtPay(pa[i])))
		default:
			x, y := pa[i], pb[i]
			kind := ""
			notional := 0.0
			if ra[i] != 0 {
				notional = math.Abs(x.Amount / ra[i])
			}
			switch {
			case x.Bar != y.Bar || x.Symbol != y.Symbol || x.Time != y.Time:
				kind = "funding bar/symbol"
			case x.Mode != y.Mode:
				kind = "funding mode"
			case !closeRel(x.Amount, y.Amount, 1e-9) && !(math.Abs(x.Amount-y.Amount) <= 1e-9*notional):
				kind = "funding amount"
			}
			if kind != "" {
				note(min(x.Bar, y.Bar), kind, fmt.Sprintf("funding #%d: engine %s, oracle %s", i, fmtPay(x), fmtPay(y)))
				i = max(len(pa), len(pb))
			}
		}
	}
	if first != nil {
		return fmt.Sprintf("bar %d: %s", first.bar, first.what), first.kind
	}
	if tie >= 0 {
		return "", "" // totals depend on decisions at the rounding floor
	}
	if a.Positions != b.Positions {
		return fmt.Sprintf("positions opened: engine %d, oracle %d", a.Positions, b.Positions), "positions opened"
	}
	if d := diffRejections(a.Rejected, b.Rejected); d != "" {
		return d, "refusals"
	}
	if !closeRel(a.FinalEquity, b.FinalEquity, 1e-9) && math.Abs(a.FinalEquity-b.FinalEquity) > ledgerResolution*float64(1+len(b.Fills)+len(b.Liquidations)+len(b.Funding)) {
		return fmt.Sprintf("final equity: engine %.12g, oracle %.12g (diff %.3g)", a.FinalEquity, b.FinalEquity, a.FinalEquity-b.FinalEquity), "final equity"
	}
	return "", ""
}

// diffRejections compares refusal counts; an engine that reports only the
// total is compared on the total.
func diffRejections(a, b map[string]int) string {
	if total, ok := a["total"]; ok {
		sum := 0
		for _, n := range b {
			sum += n
		}
		if total != sum {
			return fmt.Sprintf("refusals: engine %d in total, oracle %d %v", total, sum, b)
		}
		return ""
	}
	for _, why := range []string{ReasonRuin, ReasonMinOrder, ReasonLeverage, ReasonMargin} {
		if a[why] != b[why] {
			return fmt.Sprintf("refusals (%s): engine %v, oracle %v", why, a, b)
		}
	}
	return ""
}

// entriesBefore counts the oracle's money events up to bar (fills,
// liquidations, funding payments), plus one: each is a ledger entry or a few
// in the engine, and each may round its balance by up to 1e-8.
func entriesBefore(r Result, bar int) int {
	n := 1
	for _, f := range r.Fills {
		if f.Bar <= bar {
			n++
		}
	}
	for _, l := range r.Liquidations {
		if l.Bar <= bar {
			n++
		}
	}
	for _, p := range r.Funding {
		if p.Bar <= bar {
			n++
		}
	}
	return n
}

// ledgerResolution is the engine's money resolution with a margin: its
// ledger keeps quote units to 1e-8, so a balance may differ from the
// oracle's float by a few 1e-8 per entry, and a liquidation price, a
// balance divided by a size, by that over the size.
const ledgerResolution = 4e-8

func closeRel(a, b, tol float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= tol*max(math.Abs(a), math.Abs(b))
}

func fmtLiq(l Liq) string {
	kind := "full"
	if l.Partial {
		kind = "partial"
	}
	s := fmt.Sprintf("{bar %d t=%s %s %s side %+d qty %.10g @ %.12g fee %.10g %s position %d",
		l.Bar, time.Unix(0, l.Time).UTC().Format("2006-01-02T15:04"), l.Symbol, l.Mode, l.Side, l.Qty, l.Price, l.Fee, kind, l.Position)
	if l.AfterRuin {
		s += " after ruin"
	}
	return s + "}"
}

func fmtPay(p Pay) string {
	return fmt.Sprintf("{bar %d t=%s %s %s %.12g}", p.Bar, time.Unix(0, p.Time).UTC().Format("2006-01-02T15:04"), p.Symbol, p.Mode, p.Amount)
}

// diffFills names the first fill that differs (a triage aid: fills are
// not part of the comparison).
func (c compared) diffFills(a, b Result) string {
	a.Fills, b.Fills = c.orderFills(a.Fills), c.orderFills(b.Fills)
	for i := 0; i < max(len(a.Fills), len(b.Fills)); i++ {
		switch {
		case i >= len(a.Fills):
			return fmt.Sprintf("#%d: oracle %+v not in engine", i, b.Fills[i])
		case i >= len(b.Fills):
			return fmt.Sprintf("#%d: engine %+v not in oracle", i, a.Fills[i])
		}
		x, y := a.Fills[i], b.Fills[i]
		if x.Bar != y.Bar || x.Symbol != y.Symbol || x.Reason != y.Reason || !closeRel(x.Qty, y.Qty, 1e-9) || !closeRel(x.Price, y.Price, 1e-9) {
			return fmt.Sprintf("#%d: engine %+v, oracle %+v", i, x, y)
		}
	}
	return "none"
}

func (c compared) orderFills(fs []Fill) []Fill {
	out := append([]Fill(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Bar != out[j].Bar {
			return out[i].Bar < out[j].Bar
		}
		return c.symbolsIdx[out[i].Symbol] < c.symbolsIdx[out[j].Symbol]
	})
	return out
}
