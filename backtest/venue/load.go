package venue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/yamlfile"
	"gopkg.in/yaml.v3"
)

// fileVenue is the on-disk form of a Venue. Pointers tell a missing key
// from a zero value.
type fileVenue struct {
	Name            string                 `yaml:"name"`
	Family          string                 `yaml:"family"`
	MakerFee        *float64               `yaml:"maker_fee"`
	TakerFee        *float64               `yaml:"taker_fee"`
	LiquidationFee  *float64               `yaml:"liquidation_fee"`
	Remainder       string                 `yaml:"remainder"`
	Partial         Partial                `yaml:"partial"`
	FundingInterval string                 `yaml:"funding_interval"`
	Default         []fileTable            `yaml:"default"`
	Symbols         map[string][]fileTable `yaml:"symbols"`
	Orders          Orders                 `yaml:"orders"`
	Sources         []Source               `yaml:"sources"`
}

type fileTable struct {
	EffectiveFrom string        `yaml:"effective_from"`
	Brackets      []fileBracket `yaml:"brackets"`
}

type fileBracket struct {
	Floor       *float64 `yaml:"floor"`
	Cap         *float64 `yaml:"cap"`
	MMR         *float64 `yaml:"mmr"`
	Cum         *float64 `yaml:"cum"`
	MaxLeverage *float64 `yaml:"max_leverage"`
}

// Error is a problem in a venue definition: a bad value, a missing or
// unknown key, or a syntax error. Validate returns Errors with only Path
// set; Parse and LoadFile add Source and, where the file shows it, Line.
// Its message reads "venue: source:line: path: problem", leaving out what
// is unknown.
type Error = yamlfile.Error

// dateLayout is how effective_from is written.
const dateLayout = "2006-01-02"

// Parse reads a venue definition in YAML or JSON and validates it. source
// names the input in error messages (usually the file name). Every problem
// found is reported at once: the error is an errors.Join of *Error values
// sorted by line, each naming its key path.
//
// A venue file is YAML (or JSON, which YAML reads as a subset) with these
// keys, decoded strictly (unknown keys are errors):
//
//	name: binance-usdm
//	family: binance          # binance | bybit | okx | gate | hyperliquid | dydx_v4
//	maker_fee: 0.0002         # fraction of notional; negative is a rebate
//	taker_fee: 0.0005
//	liquidation_fee: 0.0125   # fraction of the liquidated notional
//	remainder: insurance      # insurance | trader
//	partial: {enabled: false, step: 0, min_notional: 0}   # steps of 20 %: {enabled: true, step: 0.2, min_notional: 100000}
//	funding_interval: 8h      # a Go duration
//	default:                  # bracket tables for symbols not listed below
//	  - effective_from: 2024-10-01     # YYYY-MM-DD, UTC
//	    brackets:
//	      - {floor: 0, cap: 50000, mmr: 0.01, max_leverage: 50}
//	      - {floor: 50000, mmr: 0.02, max_leverage: 25}   # no cap: +Inf
//	symbols:
//	  BTCUSDT:
//	    - effective_from: 2024-10-24
//	      brackets: [...]
//	orders:                   # optional order filters (OrderRules); 0: no limit
//	  default: {min_notional: 5, min_qty: 0, qty_step: 0}
//	  symbols:
//	    BTCUSDT: {min_notional: 100, min_qty: 0.001, qty_step: 0.001}
//	sources:
//	  - {what: "...", url: "...", date: "..."}
//
// Only the last bracket of a table may omit cap (it then means +Inf). A
// bracket without cum gets the value of the recursion in Brackets.Cumulate;
// a given cum must agree with it (see Validate). Keys name, family, the
// three fees, remainder, funding_interval and default are required.
func Parse(data []byte, source string) (*Venue, error) {
	v, errs := parse(data)
	if len(errs) > 0 {
		for _, e := range errs {
			e.Source = source
		}
		return nil, joinErrors(errs)
	}
	return v, nil
}

// LoadFile reads and validates the venue file at path (see Parse).
func LoadFile(path string) (*Venue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("venue: %w", err)
	}
	return Parse(data, path)
}

// parse decodes and validates data, returning every problem.
func parse(data []byte) (*Venue, []*Error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []*Error{{Err: errors.New("empty venue definition")}}
	}
	// A first pass into nodes finds syntax errors and records the line of
	// every key path, for messages.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlfile.Translate(err, nil, schema)
	}
	idx := yamlfile.NewIndex(&root)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f fileVenue
	if err := dec.Decode(&f); err != nil {
		return nil, yamlfile.Translate(err, idx, schema)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, []*Error{{Line: extra.Line, Err: errors.New("more than one YAML document; want one venue")}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, []*Error{{Line: 1, Err: errors.New("want a mapping of venue keys (name, family, ...)")}}
	}

	v, convErrs := f.venue()
	bad := make(map[string]bool, len(convErrs))
	for _, e := range convErrs {
		bad[e.Path] = true
	}
	list := convErrs
	// Validate the rest; a value already reported as missing or malformed
	// is not reported again as out of range.
	for _, e := range v.validate() {
		if !bad[e.Path] {
			list = append(list, e)
		}
	}
	for _, e := range list {
		if e.Line == 0 {
			e.Line = idx.Line(e.Path)
		}
	}
	slices.SortStableFunc(list, func(a, b *Error) int { return a.Line - b.Line })
	return v, list
}

// venue converts the file form, filling omitted caps and cums, and returns
// the problems that conversion alone can see (missing keys, bad dates and
// durations).
func (f *fileVenue) venue() (*Venue, []*Error) {
	var errs []*Error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Err: fmt.Errorf(format, args...)})
	}
	need := func(p *float64, path string) float64 {
		if p == nil {
			fail(path, "missing")
			return 0
		}
		return *p
	}
	v := &Venue{
		Name:           f.Name,
		Family:         Family(f.Family),
		MakerFee:       need(f.MakerFee, "maker_fee"),
		TakerFee:       need(f.TakerFee, "taker_fee"),
		LiquidationFee: need(f.LiquidationFee, "liquidation_fee"),
		Remainder:      Remainder(f.Remainder),
		Partial:        f.Partial,
		Orders:         f.Orders,
		Sources:        f.Sources,
	}
	if f.Name == "" {
		fail("name", "missing")
	}
	if f.Family == "" {
		fail("family", "missing (want one of %s)", familyList())
	}
	if f.Remainder == "" {
		fail("remainder", "missing (want %s or %s)", ToInsurance, ToTrader)
	}
	if f.FundingInterval == "" {
		fail("funding_interval", "missing (want a duration such as 8h or 1h)")
	} else if d, err := time.ParseDuration(f.FundingInterval); err != nil {
		fail("funding_interval", "bad duration %q: want e.g. 8h, 4h or 1h", f.FundingInterval)
	} else {
		v.FundingInterval = d
	}
	tables := func(path string, in []fileTable) []Table {
		out := make([]Table, len(in))
		for i, t := range in {
			tp := fmt.Sprintf("%s[%d]", path, i)
			out[i].EffectiveFrom = parseDate(t.EffectiveFrom, tp+".effective_from", fail)
			br := make(Brackets, len(t.Brackets))
			for j, b := range t.Brackets {
				bp := fmt.Sprintf("%s.brackets[%d]", tp, j)
				br[j].Floor = need(b.Floor, bp+".floor")
				br[j].MMR = need(b.MMR, bp+".mmr")
				br[j].MaxLeverage = need(b.MaxLeverage, bp+".max_leverage")
				switch {
				case b.Cap != nil:
					br[j].Cap = *b.Cap
				case j == len(t.Brackets)-1:
					br[j].Cap = math.Inf(1)
				default:
					fail(bp+".cap", "missing (only the last bracket may omit cap)")
				}
			}
			// Omitted cums take the recursion's value; given ones are
			// checked against it by Validate.
			rec := slices.Clone(br)
			rec.Cumulate()
			for j, b := range t.Brackets {
				if b.Cum != nil {
					br[j].Cum = *b.Cum
				} else {
					br[j].Cum = rec[j].Cum
				}
			}
			out[i].Brackets = br
		}
		return out
	}
	if f.Default == nil {
		fail("default", "missing (want at least one bracket table for unlisted symbols)")
	}
	v.Default = tables("default", f.Default)
	if len(f.Symbols) > 0 {
		v.Tables = make(map[string][]Table, len(f.Symbols))
		for _, sym := range sortedKeys(f.Symbols) {
			v.Tables[sym] = tables("symbols."+sym, f.Symbols[sym])
		}
	}
	return v, errs
}

func parseDate(s, path string, fail func(path, format string, args ...any)) time.Time {
	if s == "" {
		fail(path, "missing (want a date YYYY-MM-DD)")
		return time.Time{}
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		if t2, err2 := time.Parse(time.RFC3339, s); err2 == nil {
			return t2.UTC()
		}
		fail(path, "bad date %q: want YYYY-MM-DD (UTC)", s)
	}
	return t
}

// joinErrors joins list, sorted by line, into one error, nil when empty.
// It marks each as the package's ("venue: ...").
func joinErrors(list []*Error) error {
	for _, e := range list {
		e.Prefix = "venue"
	}
	return yamlfile.Join(list)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// schema explains unknown keys by the keys allowed beside them.
var schema = yamlfile.Schema{
	UnknownKey: func(e *Error, key string) {
		e.Err = fmt.Errorf("unknown key %q", key)
		if known := knownKeys(e.Path); known != "" {
			e.Err = fmt.Errorf("unknown key %q (known keys here: %s)", key, known)
		}
	},
}

// knownKeys lists the keys allowed in the mapping that holds path.
func knownKeys(path string) string {
	if path == "" {
		return ""
	}
	parent := yamlfile.Parent(path)
	var t reflect.Type
	switch {
	case parent == "":
		t = reflect.TypeFor[fileVenue]()
	case parent == "partial":
		t = reflect.TypeFor[Partial]()
	case parent == "orders":
		t = reflect.TypeFor[Orders]()
	case parent == "orders.default" || strings.HasPrefix(parent, "orders.symbols."):
		t = reflect.TypeFor[OrderRules]()
	case strings.HasPrefix(parent, "sources["):
		t = reflect.TypeFor[Source]()
	case strings.HasSuffix(parent, "]") && strings.Contains(parent, ".brackets["):
		t = reflect.TypeFor[fileBracket]()
	case strings.HasSuffix(parent, "]"):
		t = reflect.TypeFor[fileTable]()
	default:
		return ""
	}
	return strings.Join(yamlfile.StructKeys(t), ", ")
}
