package margin

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
)

var update = flag.Bool("update", false, "rewrite the scenario files' expected output")

// TestScenarios runs the scripts in testdata/scenarios. A script is a list
// of commands, each followed by its expected output:
//
//	venue taker=0.0005 maker=0.0002 liqfee=0.01 remainder=insurance family=binance partial=0
//	brackets SYM floor:mmr:maxlev ...     (caps are the next floors; cum by recursion)
//	deposit AMOUNT
//	fill SYM isolated|cross QTY PRICE [lev=L] [maker]
//	mark SYM PRICE
//	funding SYM RATE MARK
//	add SYM AMOUNT | remove SYM AMOUNT | leverage SYM MODE L
//	liq-iso SYM PRICE                      (asserts the position is liquidatable there)
//	liq-cross SYM=PRICE ...                (asserts the cross account is liquidatable)
//	health SYM=PRICE ...                   (cross equity and maintenance)
//	show                                   (balances, positions, prices)
//	journal                                (entries since the last journal)
//
// Output blocks start with "> command" lines; after every command the
// runner checks the ledger invariant. Run with -update to rewrite, then
// check every changed number by hand.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cmds []string
			for _, line := range strings.Split(string(raw), "\n") {
				if strings.HasPrefix(line, "> ") {
					cmds = append(cmds, strings.TrimPrefix(line, "> "))
				}
			}
			got := runScenario(t, cmds)
			if *update {
				if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(raw) {
				t.Errorf("scenario output differs (go test -run Scenarios -update to rewrite, then check by hand):\n%s", diff(string(raw), got))
			}
		})
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// testVenue is a Binance-like venue whose brackets the scripts set.
func testVenue() *venue.Venue {
	return &venue.Venue{Name: "test", Family: venue.Binance, MakerFee: 0.0002, TakerFee: 0.0005, LiquidationFee: 0.01,
		Remainder: venue.ToInsurance, FundingInterval: 8 * time.Hour, Tables: map[string][]venue.Table{},
		Default: []venue.Table{{Brackets: venue.Brackets{{Floor: 0, Cap: math.Inf(1), MMR: 0.005, MaxLeverage: 100}}}}}
}

func runScenario(t *testing.T, cmds []string) string {
	v := testVenue()
	var a *Account
	acct := func() *Account {
		if a == nil {
			a = NewAccount(v)
		}
		return a
	}
	var out strings.Builder
	now := int64(0)
	printed := 0 // journal entries already shown
	for _, c := range cmds {
		fmt.Fprintf(&out, "> %s\n", c)
		now += int64(time.Minute)
		f := strings.Fields(c)
		num := func(s string) float64 {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%q: %v", c, err)
			}
			return x
		}
		kv := func(args []string) map[string]string {
			m := map[string]string{}
			for _, s := range args {
				k, val, _ := strings.Cut(s, "=")
				m[k] = val
			}
			return m
		}
		mode := func(s string) Mode {
			if s == "cross" {
				return Cross
			}
			return Isolated
		}
		errOut := func(err error) {
			if err != nil {
				fmt.Fprintf(&out, "error: %v\n", err)
			}
		}
		switch f[0] {
		case "venue":
			for k, val := range kv(f[1:]) {
				switch k {
				case "taker":
					v.TakerFee = num(val)
				case "maker":
					v.MakerFee = num(val)
				case "liqfee":
					v.LiquidationFee = num(val)
				case "remainder":
					v.Remainder = venue.Remainder(val)
				case "family":
					v.Family = venue.Family(val)
				case "partial":
					v.Partial = venue.Partial{Enabled: num(val) > 0, Step: num(val)}
				default:
					t.Fatalf("venue key %q", k)
				}
			}
		case "brackets":
			var br venue.Brackets
			for _, s := range f[2:] {
				p := strings.Split(s, ":")
				br = append(br, venue.Bracket{Floor: num(p[0]), MMR: num(p[1]), MaxLeverage: num(p[2])})
			}
			for i := range br {
				br[i].Cap = math.Inf(1)
				if i+1 < len(br) {
					br[i].Cap = br[i+1].Floor
				}
			}
			br.Cumulate()
			v.Tables[f[1]] = []venue.Table{{Brackets: br}}
		case "deposit":
			errOut(acct().Deposit(now, num(f[1])))
		case "fill":
			o := Order{Symbol: f[1], Mode: mode(f[2]), Qty: num(f[3]), Price: num(f[4]), Leverage: 1}
			for k, val := range kv(f[5:]) {
				switch k {
				case "lev":
					o.Leverage = num(val)
				case "maker":
					o.Maker = true
				}
			}
			fill, err := acct().Fill(now, o)
			errOut(err)
			if err == nil {
				fmt.Fprintf(&out, "fill: fee %s pnl %s\n", fm(fill.Fee), fm(fill.RealizedPnL))
			}
		case "mark":
			acct().SetMark(f[1], num(f[2]))
		case "funding":
			paid := acct().ApplyFunding(now, f[1], num(f[2]), num(f[3]))
			fmt.Fprintf(&out, "funding paid %s\n", fm(paid[Isolated]+paid[Cross]))
		case "add":
			errOut(acct().AddMargin(now, f[1], num(f[2])))
		case "remove":
			errOut(acct().RemoveMargin(now, f[1], num(f[2])))
		case "removable":
			r, err := acct().MaxRemovable(f[1])
			errOut(err)
			fmt.Fprintf(&out, "max removable %s\n", fm(r))
		case "leverage":
			errOut(acct().SetLeverage(now, f[1], mode(f[2]), num(f[3])))
		case "liq-iso":
			p := acct().Position(f[1], Isolated)
			price := num(f[2])
			if p == nil || !acct().IsolatedLiquidatable(p, price) || !p.Breached(price) {
				fmt.Fprintf(&out, "not liquidatable at %s\n", fm(price))
				break
			}
			ev, err := acct().LiquidateIsolated(now, f[1], price)
			errOut(err)
			writeEvent(&out, ev)
		case "liq-cross", "health":
			prices := kv(f[1:])
			cp := acct().CrossPositions()
			settle := make([]float64, len(cp))
			for i, p := range cp {
				s, ok := prices[p.Symbol]
				if !ok {
					t.Fatalf("%q: no price for %s", c, p.Symbol)
				}
				settle[i] = num(s)
			}
			eq, mm := acct().CrossHealth(settle)
			fmt.Fprintf(&out, "cross equity %s maintenance %s\n", fm(eq), fm(mm))
			if f[0] == "health" {
				break
			}
			if eq > mm {
				fmt.Fprintf(&out, "not liquidatable\n")
				break
			}
			for _, ev := range acct().LiquidateCross(now, settle) {
				writeEvent(&out, ev)
			}
		case "show":
			writeState(&out, acct())
		case "journal":
			for _, e := range acct().J.Entries()[printed:] {
				fmt.Fprintf(&out, "  %-15s %-16s -> %-16s %s\n", e.Kind, acct().J.Name(e.From), acct().J.Name(e.To), e.Amount().String())
			}
			printed = len(acct().J.Entries())
		default:
			t.Fatalf("unknown command %q", c)
		}
		if a != nil {
			if err := a.J.Check(); err != nil {
				t.Fatalf("after %q: %v", c, err)
			}
		}
	}
	return out.String()
}

// fm formats money and prices with 4 decimals, trimming zeros.
func fm(x float64) string {
	if math.IsNaN(x) {
		return "none"
	}
	s := strconv.FormatFloat(x, 'f', 4, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func writeEvent(w *strings.Builder, ev Liquidation) {
	fmt.Fprintf(w, "liquidated %s %s side %d qty %s entry %s liq %s settle %s lost %s fee %s insurance %s equity %s -> %s partial %v\n",
		ev.Mode, ev.Symbol, ev.Side, fm(ev.Qty), fm(ev.Entry), fm(ev.LiqPrice), fm(ev.Settle), fm(ev.Lost), fm(ev.Fee), fm(ev.Insurance),
		fm(ev.EquityBefore), fm(ev.EquityAfter), ev.Partial)
}

func writeState(w *strings.Builder, a *Account) {
	fmt.Fprintf(w, "wallet %s available %s equity %s\n", fm(a.Wallet()), fm(a.Available()), fm(a.Equity()))
	for _, p := range a.Positions() {
		if !p.Open() {
			fmt.Fprintf(w, "%s %s flat margin %s\n", p.Mode, p.Symbol, fm(p.Margin()))
			continue
		}
		lp, ok := a.LiquidationPrice(p)
		if !ok {
			lp = math.NaN()
		}
		bp, ok := a.BankruptcyPrice(p)
		if !ok {
			bp = math.NaN()
		}
		fmt.Fprintf(w, "%s %s side %d qty %s entry %s lev %s margin %s liq %s bankrupt %s\n",
			p.Mode, p.Symbol, p.Side, fm(p.Qty), fm(p.Entry), fm(p.Leverage), fm(p.Margin()), fm(lp), fm(bp))
	}
	fmt.Fprintf(w, "fees %s insurance %s funding %s\n", a.Fees().StringFixed(4), a.Insurance().StringFixed(4), a.FundingPaid().StringFixed(4))
}
