package runconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/backtest/yamlfile"
	"gopkg.in/yaml.v3"
)

// File is one run configuration: the keys of the YAML file, with the
// defaults of Default where the file leaves a key out (or gives null).
// Durations, times and names stay the strings the file holds; Validate
// checks them and the builders (Market, Venue, Engine, Modes) convert them.
type File struct {
	Data Data `yaml:"data"`
	// VenueName is a preset name or the path of a venue file.
	VenueName string       `yaml:"venue"`
	Fees      Fees         `yaml:"fees"`
	Capital   float64      `yaml:"capital"`
	Leverage  float64      `yaml:"leverage"`
	Strategy  StrategySpec `yaml:"strategy"`
	Sizing    SizingSpec   `yaml:"sizing"`
	// ModeNames lists the margin modes to run: isolated, cross, hybrid.
	ModeNames []string `yaml:"modes"`
	// HybridIsolated names the symbols margined isolated in the hybrid
	// mode; the others are cross.
	HybridIsolated []string     `yaml:"hybrid_isolated"`
	Intrabar       string       `yaml:"intrabar"`
	Slippage       float64      `yaml:"slippage"`
	Cooldown       int          `yaml:"cooldown"`
	StopAtLiq      float64      `yaml:"stop_at_liq"`
	ReduceToFit    bool         `yaml:"reduce_to_fit"`
	MarginPolicy   MarginPolicy `yaml:"margin_policy"`
	Ruin           float64      `yaml:"ruin"`
	// TradeAfterRuin keeps trading after ruin (backtest.Config).
	TradeAfterRuin bool    `yaml:"trade_after_ruin"`
	NearMiss       float64 `yaml:"near_miss"`
	RecordEvery    int     `yaml:"record_every"`
	// Seed seeds the strategy (the random strategy; others ignore it).
	Seed uint64 `yaml:"seed"`

	// Source names the configuration in messages (the file path, or what
	// the caller passed to Parse). It is not a key of the file.
	Source string `yaml:"-"`
	// Dir is the directory that relative paths in the file (data files,
	// a venue file) are resolved against: the directory of Source. It is
	// not a key of the file.
	Dir string `yaml:"-"`

	idx *lineIndex // lines of the keys, when parsed from YAML
}

// Data says where the market comes from: files per symbol, or, when
// Symbols is empty, a synthetic market.
type Data struct {
	// Synthetic configures the built-in synthetic market, used when
	// Symbols is empty.
	Synthetic Synthetic `yaml:"synthetic"`
	// Symbols maps each symbol's name to its files. The market lists the
	// symbols in name order.
	Symbols map[string]SymbolFiles `yaml:"symbols"`
	// Start (inclusive) and End (exclusive) cut the data to a period: RFC
	// 3339 times or YYYY-MM-DD dates (midnight UTC). Empty: no limit.
	Start string `yaml:"start"`
	End   string `yaml:"end"`
	// TZ is the IANA zone of naive (zone-less) times in the files.
	TZ string `yaml:"tz"`
	// Timeframe, when set, resamples every symbol to it ("1h").
	Timeframe string `yaml:"timeframe"`
	// Align is how symbols share a timeline: intersect or union.
	Align string `yaml:"align"`
	// Coverage says what a funding or mark file that does not cover the
	// run's period is: an error (strict) or a warning on every output
	// (accept).
	Coverage Coverage `yaml:"coverage"`
}

// Coverage holds data.CoveragePolicy names per kind of series: strict or
// accept.
type Coverage struct {
	Funding string `yaml:"funding"`
	Mark    string `yaml:"mark"`
}

// Synthetic configures data.Synthesize.
type Synthetic struct {
	Symbols   []string `yaml:"symbols"`
	Timeframe string   `yaml:"timeframe"`
	Bars      int      `yaml:"bars"`
	Seed      uint64   `yaml:"seed"`
	// AnnualVol is the long-run annualised volatility (0.6 = 60 %).
	AnnualVol float64 `yaml:"annual_vol"`
}

// SymbolFiles names one symbol's files. Each is a path or a glob that
// must match exactly one file; relative paths resolve against File.Dir.
type SymbolFiles struct {
	Candles string `yaml:"candles"` // trade candles (required)
	Mark    string `yaml:"mark"`    // mark-price candles (optional)
	Funding string `yaml:"funding"` // funding rates (optional)
}

// Fees overrides the venue's fee rates (fractions of notional); nil keeps
// the venue's.
type Fees struct {
	Maker *float64 `yaml:"maker"`
	Taker *float64 `yaml:"taker"`
}

// StrategySpec names a strategy and its parameters; package strategy
// builds it (strategy.New(Name, Params, File.Seed)).
type StrategySpec struct {
	Name   string         `yaml:"name"`
	Params map[string]any `yaml:"params"`
}

// SizingSpec names a sizer and its parameters; package strategy builds it
// (strategy.NewSizer(Kind, Params)).
type SizingSpec struct {
	Kind   string         `yaml:"kind"`
	Params map[string]any `yaml:"params"`
}

// MarginPolicy is backtest.MarginPolicy as keys of the file.
type MarginPolicy struct {
	TopUpAt     float64 `yaml:"top_up_at"`
	TopUpAmount float64 `yaml:"top_up_amount"`
	TopUpCap    float64 `yaml:"top_up_cap"`
	SweepBelow  float64 `yaml:"sweep_below"`
}

// Default returns the configuration of an empty file: every key at its
// default (see the package documentation).
func Default() *File {
	return &File{
		Data: Data{
			Synthetic: Synthetic{Symbols: []string{"BTC", "ETH"}, Timeframe: "5m", Bars: 20000, Seed: 1, AnnualVol: 0.6},
			TZ:        "UTC",
			Align:     "intersect",
			Coverage:  Coverage{Funding: "strict", Mark: "strict"},
		},
		VenueName:    "binance-usdm",
		Capital:      10000,
		Leverage:     10,
		Strategy:     StrategySpec{Name: "sma_cross", Params: map[string]any{}},
		Sizing:       SizingSpec{Kind: "equity_fraction", Params: map[string]any{}},
		ModeNames:    []string{"isolated", "cross"},
		Intrabar:     "adverse",
		Slippage:     0.0002,
		MarginPolicy: MarginPolicy{TopUpAmount: 0.5, TopUpCap: 1},
		Ruin:         0.1,
		NearMiss:     0.8,
		RecordEvery:  1,
		Seed:         1,
		Dir:          ".",
	}
}

// Error is one problem in a configuration: a syntax error, an unknown key,
// a value of the wrong type or out of range. Its message reads
// "source:line: path = value: problem", leaving out what is unknown.
type Error = yamlfile.Error

// ErrorAt returns err as an *Error about the key at path, with the file's
// name and the key's line (or its nearest parent's). Callers use it to
// report problems runconfig cannot judge itself, such as a strategy
// parameter that package strategy rejects, in the same form as Validate.
func (f *File) ErrorAt(path string, err error) *Error {
	return &Error{Source: f.Source, Line: f.idx.line(path), Path: path, Err: err}
}

// A Check validates what runconfig cannot: typically the strategy and
// sizing, whose registry lives in package strategy. It returns nil or the
// problems, joined; ones made with f.ErrorAt carry their key and line.
type Check func(f *File) error

// Load reads, decodes and validates the configuration file at path (see
// Parse); relative paths in it resolve against path's directory.
func Load(path string, checks ...Check) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, path, checks...)
}

// Parse decodes a configuration from YAML (or JSON) and validates it.
// source names the input in messages and its directory is File.Dir.
//
// Decoding is strict: an unknown key, a value of the wrong type, or a
// fraction where an integer belongs is an error naming the line, the key
// path and, for an unknown key, the keys allowed there. Every such problem
// is reported at once; when decoding succeeds, every problem Validate (and
// each check) finds is reported at once. The error is an errors.Join of
// *Error values sorted by line.
func Parse(data []byte, source string, checks ...Check) (*File, error) {
	f := Default()
	f.Source = source
	f.Dir = filepath.Dir(source)
	if source == "" {
		f.Dir = "."
	}
	errs, fatal := f.decode(data)
	if fatal {
		return nil, joinSorted(errs)
	}
	// Keys that failed to decode kept their defaults: validate the rest,
	// leaving out what the decoding errors already say about a key.
	for _, err := range flatten(f.Validate(checks...)) {
		var e *Error
		if errors.As(err, &e) && slices.ContainsFunc(errs, func(d *Error) bool { return d.Path != "" && within(e.Path, d.Path) }) {
			continue
		}
		if e == nil {
			e = &Error{Source: f.Source, Err: err}
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, joinSorted(errs)
	}
	return f, nil
}

// within reports whether path is parent or lies below it.
func within(path, parent string) bool {
	return path == parent || strings.HasPrefix(path, parent+".") || strings.HasPrefix(path, parent+"[")
}

// decode fills f from data, strictly. It returns the problems found and
// whether they are fatal (syntax errors, no mapping, several documents);
// after other problems f holds what could be decoded, defaults elsewhere.
func (f *File) decode(data []byte) ([]*Error, bool) {
	fail := func(line int, format string, args ...any) ([]*Error, bool) {
		return []*Error{{Source: f.Source, Line: line, Err: fmt.Errorf(format, args...)}}, true
	}
	const empty = "empty configuration (run 'marginlab init' for a starter file)"
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(0, empty)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		errs := yamlErrors(err, nil)
		for _, e := range errs {
			e.Source = f.Source
		}
		return errs, true
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return fail(0, empty)
	}
	if top := root.Content[0]; top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			return fail(0, empty)
		}
		return fail(top.Line, "want a mapping of keys (%s)", allowedKeys(""))
	}
	f.idx = newLineIndex(&root)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []*Error
	if err := dec.Decode(f); err != nil {
		var te *yaml.TypeError
		fatal := !errors.As(err, &te)
		errs = yamlErrors(err, f.idx)
		for _, e := range errs {
			e.Source = f.Source
		}
		if fatal {
			return errs, true
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return fail(extra.Line, "more than one YAML document; want one configuration")
	}
	// yaml.v3 truncates a fraction given for an integer key; refuse it.
	for _, v := range f.idx.values {
		if !slices.Contains(integerKeys, v.path) || v.tag != "!!float" {
			continue
		}
		if x, err := strconv.ParseFloat(v.value, 64); err == nil && x == math.Trunc(x) {
			continue
		}
		errs = append(errs, &Error{Source: f.Source, Line: v.line, Path: v.path, Value: v.value, Err: errors.New("want an integer")})
	}
	if f.Strategy.Params == nil {
		f.Strategy.Params = map[string]any{}
	}
	if f.Sizing.Params == nil {
		f.Sizing.Params = map[string]any{}
	}
	return errs, false
}

// integerKeys are the key paths decoded into Go integers.
var integerKeys = []string{"cooldown", "record_every", "seed", "data.synthetic.bars", "data.synthetic.seed"}

// joinSorted joins errs sorted by line (stable), nil when empty.
func joinSorted(list []*Error) error { return yamlfile.Join(list) }

// path resolves a path of the file against f.Dir.
func (f *File) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(f.Dir, p)
}

// SymbolNames returns the names of the market's symbols, in market order:
// the keys of data.symbols sorted, or the synthetic symbols.
func (f *File) SymbolNames() []string {
	if len(f.Data.Symbols) == 0 {
		return slices.Clone(f.Data.Synthetic.Symbols)
	}
	names := make([]string, 0, len(f.Data.Symbols))
	for n := range f.Data.Symbols {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Synthetic reports whether the market is synthetic (data.symbols absent).
func (f *File) Synthetic() bool { return len(f.Data.Symbols) == 0 }
