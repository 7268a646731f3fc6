package venue

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
)

// Presets are venue files embedded in the binary, one per venue, each
// citing its sources and dates in comments and in its sources key. Figures
// that VENUES.md does not back are marked [unverified] in the file.
//
//	binance-usdm   Binance USDⓈ-M (family binance)
//	bybit-linear   Bybit USDT perpetual, classic account (family bybit)
//	okx-swap       OKX USDT-margined swap (family okx)
//	gate-usdt      Gate USDT perpetual (family gate)
//	hyperliquid    Hyperliquid perps (family hyperliquid)
//	dydx-v4        dYdX v4 perps (family dydx_v4)
//
// Symbols are keyed as each venue spells them (BTCUSDT, BTC-USDT-SWAP,
// BTC_USDT, BTC, BTC-USD); SymbolKey finds the key for another spelling.
//
//go:embed presets/*.yaml
var presetFS embed.FS

// ErrNotFound means a name is neither a preset nor a readable file.
var ErrNotFound = errors.New("venue: no such preset or file")

// PresetNames returns the names of the embedded presets, sorted.
func PresetNames() []string {
	entries, err := fs.ReadDir(presetFS, "presets")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// parsedPresets caches each preset after its first parse: a sweep asks
// for one per cell, and parsing YAML costs far more than a simulation.
var parsedPresets sync.Map // name → *Venue

// Preset returns a fresh copy of the embedded preset called name; the
// caller may change it.
func Preset(name string) (*Venue, error) {
	if v, ok := parsedPresets.Load(name); ok {
		return v.(*Venue).copy(), nil
	}
	if !slices.Contains(PresetNames(), name) {
		return nil, fmt.Errorf("%w: unknown preset %q (presets: %s)", ErrNotFound, name, strings.Join(PresetNames(), ", "))
	}
	file := path.Join("presets", name+".yaml")
	data, err := presetFS.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := Parse(data, file)
	if err != nil {
		return nil, err
	}
	if err := v.addSnapshot(name); err != nil {
		return nil, err
	}
	parsedPresets.Store(name, v)
	return v.copy(), nil
}

// copy returns a deep copy of v.
func (v *Venue) copy() *Venue {
	c := *v
	c.Tables = cloneTableMap(v.Tables)
	c.Default = cloneTables(v.Default)
	c.Orders.Symbols = maps.Clone(v.Orders.Symbols)
	c.Sources = slices.Clone(v.Sources)
	return &c
}

func cloneTables(ts []Table) []Table {
	out := slices.Clone(ts)
	for k := range out {
		out[k].Brackets = slices.Clone(out[k].Brackets)
	}
	return out
}

// Lookup returns the preset called nameOrPath, or else the venue file at
// that path. A name that is neither is an error wrapping ErrNotFound that
// lists the presets.
func Lookup(nameOrPath string) (*Venue, error) {
	if slices.Contains(PresetNames(), nameOrPath) {
		return Preset(nameOrPath)
	}
	if _, err := os.Stat(nameOrPath); err == nil {
		return LoadFile(nameOrPath)
	}
	return nil, fmt.Errorf("%w: %q is not a preset (%s) nor a venue file", ErrNotFound, nameOrPath, strings.Join(PresetNames(), ", "))
}
