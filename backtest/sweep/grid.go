package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/backtest/runconfig"
	"gopkg.in/yaml.v3"
)

// Param is one swept parameter's value in a cell. Value is a float64, a
// string or a bool, as written in the config.
type Param struct {
	Path  string
	Value any
}

// Cell is one point of the grid: a complete run config.
type Cell struct {
	// ID is derived from the cell's parameter values alone (16 hex digits
	// of SHA-256 over them, canonically encoded), so the same cell has the
	// same id in every run, on every machine, whatever else the grid holds.
	ID     string
	Params []Param // swept values, sorted by path
	Config *runconfig.File
}

// Axis is one swept parameter and its values, in the order written.
type Axis struct {
	Path   string
	Values []any
}

// Settings are the sweep section of a config.
type Settings struct {
	Sample int     // draw this many cells at random (seeded) instead of the full grid; 0: all
	Paths  int     // Monte Carlo paths per cell, path 0 being the real history (default 1)
	Block  float64 // mean block length in bars of the stationary bootstrap (default 288)
	Seed   uint64  // seed of the sample and of the bootstrap
}

// Plan is an expanded sweep.
type Plan struct {
	Cells    []Cell // sorted by ID
	Axes     []Axis // sorted by path
	Settings Settings
	// Hash identifies the sweep: every cell's canonical config and the
	// settings. Shards and resumed runs must have the same Hash.
	Hash string
}

// naturalLists are config keys whose value is a list in itself, not a
// sweep axis.
var naturalLists = map[string]bool{"modes": true, "hybrid_isolated": true}

// Expand reads a run config in which any parameter outside data may be a
// list, and the optional section
//
//	sweep: {sample: N, paths: N, block: B, seed: S}
//
// and returns the cartesian grid of cells. Each cell's config is checked
// as runconfig.Parse would check a single run.
func Expand(src []byte, source string, checks ...runconfig.Check) (*Plan, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		// Let runconfig report syntax errors with its usual positions.
		_, perr := runconfig.Parse(src, source, checks...)
		if perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	plan := &Plan{Settings: Settings{Paths: 1, Block: 288}}
	if doc.Kind == yaml.MappingNode {
		if err := takeSettings(doc, source, &plan.Settings); err != nil {
			return nil, err
		}
	}
	var axes []*yaml.Node
	var paths []string
	collectAxes(doc, "", &axes, &paths)
	for k, n := range axes {
		ax := Axis{Path: paths[k]}
		for _, v := range n.Content {
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s:%d: %s: a swept list holds plain values, not lists or mappings", source, v.Line, paths[k])
			}
			ax.Values = append(ax.Values, scalarValue(v))
		}
		if len(ax.Values) == 0 {
			return nil, fmt.Errorf("%s:%d: %s: an empty list sweeps nothing; give at least one value", source, n.Line, paths[k])
		}
		plan.Axes = append(plan.Axes, ax)
	}
	order := make([]int, len(axes))
	for k := range order {
		order[k] = k
	}
	sort.Slice(order, func(a, b int) bool { return paths[order[a]] < paths[order[b]] })
	sorted := make([]Axis, len(order))
	for k, o := range order {
		sorted[k] = plan.Axes[o]
	}
	plan.Axes = sorted

	// Walk the grid: substitute one value per axis, parse the cell. A
	// grid too large to walk whole may still be sampled: then only the
	// sampled cells are built.
	total, sample := 1, plan.Settings.Sample
	for _, ax := range plan.Axes {
		total *= len(ax.Values)
		if total > maxSampledGrid {
			return nil, fmt.Errorf("%s: the grid has more than %d cells, too many even to sample from; sweep fewer values", source, maxSampledGrid)
		}
	}
	indices := []int(nil) // nil: every cell
	if total > maxGrid {
		if sample <= 0 {
			return nil, fmt.Errorf("%s: the grid has %d cells, more than %d; set sweep.sample to run a random sample of them", source, total, maxGrid)
		}
		if sample > maxGrid {
			return nil, fmt.Errorf("%s: sweep.sample = %d: at most %d cells can run", source, sample, maxGrid)
		}
		indices = sampleIndices(total, sample, plan.Settings.Seed)
	}
	saved := make([]yaml.Node, len(axes))
	for k, n := range axes {
		saved[k] = *n
	}
	defer func() {
		for k, n := range axes {
			*n = saved[k]
		}
	}()
	seen := map[string]bool{}
	var errs []error
	count := total
	if indices != nil {
		count = len(indices)
	}
	for i := range count {
		idx := i
		if indices != nil {
			idx = indices[i]
		}
		params := make([]Param, len(plan.Axes))
		for a := len(order) - 1; a >= 0; a-- {
			ax := plan.Axes[a]
			v := idx % len(ax.Values)
			idx /= len(ax.Values)
			params[a] = Param{Path: ax.Path, Value: ax.Values[v]}
			node := axes[order[a]]
			*node = *saved[order[a]].Content[v]
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		if err := enc.Encode(&root); err != nil {
			return nil, err
		}
		f, err := runconfig.Parse(buf.Bytes(), source, checks...)
		if err != nil {
			errs = append(errs, fmt.Errorf("cell %s: %w", describe(params), err))
			if len(errs) >= 5 {
				break
			}
			continue
		}
		id := cellID(params)
		if seen[id] {
			return nil, fmt.Errorf("%s: the grid lists the cell %s twice; remove the repeated value", source, describe(params))
		}
		seen[id] = true
		plan.Cells = append(plan.Cells, Cell{ID: id, Params: params, Config: f})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(plan.Cells, func(a, b Cell) int { return strings.Compare(a.ID, b.ID) })
	if indices == nil && sample > 0 && sample < len(plan.Cells) {
		rng := rand.New(rand.NewPCG(plan.Settings.Seed, 0x73616d706c65)) // "sample"
		perm := rng.Perm(len(plan.Cells))[:sample]
		slices.Sort(perm)
		picked := make([]Cell, sample)
		for k, p := range perm {
			picked[k] = plan.Cells[p]
		}
		plan.Cells = picked
	}
	h, err := planHash(plan)
	if err != nil {
		return nil, err
	}
	plan.Hash = h
	return plan, nil
}

// Grid limits: a grid of more than maxGrid cells runs only as a sample
// (sweep.sample of at most maxGrid cells); one of more than maxSampledGrid
// is refused.
const (
	maxGrid        = 1_000_000
	maxSampledGrid = 1 << 50
)

// sampleIndices draws k distinct indices of [0, n) with a generator seeded
// by seed (Floyd's algorithm: k draws, whatever n), in increasing order.
func sampleIndices(n, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x73616d706c65)) // "sample"
	chosen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// takeSettings reads and removes the top-level sweep section.
func takeSettings(doc *yaml.Node, source string, s *Settings) error {
	for k := 0; k+1 < len(doc.Content); k += 2 {
		if doc.Content[k].Value != "sweep" {
			continue
		}
		v := doc.Content[k+1]
		var raw struct {
			Sample *int     `yaml:"sample"`
			Paths  *int     `yaml:"paths"`
			Block  *float64 `yaml:"block"`
			Seed   *uint64  `yaml:"seed"`
		}
		var buf bytes.Buffer
		if err := yaml.NewEncoder(&buf).Encode(v); err != nil {
			return err
		}
		dec := yaml.NewDecoder(&buf)
		dec.KnownFields(true)
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s:%d: sweep: %v (allowed: sample, paths, block, seed)", source, v.Line, err)
		}
		var errs []error
		if raw.Sample != nil {
			if *raw.Sample < 0 {
				errs = append(errs, fmt.Errorf("%s:%d: sweep.sample = %d: must not be negative", source, v.Line, *raw.Sample))
			}
			s.Sample = *raw.Sample
		}
		if raw.Paths != nil {
			if *raw.Paths < 1 || *raw.Paths > 100_000 {
				errs = append(errs, fmt.Errorf("%s:%d: sweep.paths = %d: must be in [1, 100000] (path 0 is the real history)", source, v.Line, *raw.Paths))
			}
			s.Paths = *raw.Paths
		}
		if raw.Block != nil {
			if !(*raw.Block >= 1) {
				errs = append(errs, fmt.Errorf("%s:%d: sweep.block = %v: must be at least 1 bar", source, v.Line, *raw.Block))
			}
			s.Block = *raw.Block
		}
		if raw.Seed != nil {
			s.Seed = *raw.Seed
		}
		doc.Content = append(doc.Content[:k], doc.Content[k+2:]...)
		return errors.Join(errs...)
	}
	return nil
}

// collectAxes finds sequence nodes that stand where a single value
// belongs: every list outside data except the natural lists.
func collectAxes(n *yaml.Node, path string, out *[]*yaml.Node, paths *[]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for k := 0; k+1 < len(n.Content); k += 2 {
			key := n.Content[k].Value
			p := key
			if path != "" {
				p = path + "." + key
			}
			if p == "data" {
				continue // data is loaded once for the whole sweep
			}
			collectAxes(n.Content[k+1], p, out, paths)
		}
	case yaml.SequenceNode:
		if !naturalLists[path] {
			*out = append(*out, n)
			*paths = append(*paths, path)
		}
	}
}

// scalarValue returns a scalar node's value as float64, bool or string.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	}
	return n.Value
}

// cellID hashes the canonical JSON of a cell's parameters.
func cellID(params []Param) string {
	obj := make(map[string]any, len(params))
	for _, p := range params {
		obj[p.Path] = p.Value
	}
	b, _ := json.Marshal(obj) // sorted keys; values are JSON-safe
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// describe prints a cell's parameters for messages: "leverage=10 strategy.params.fast=20".
func describe(params []Param) string {
	if len(params) == 0 {
		return "(no swept parameters)"
	}
	parts := make([]string, len(params))
	for k, p := range params {
		parts[k] = fmt.Sprintf("%s=%v", p.Path, p.Value)
	}
	return strings.Join(parts, " ")
}

// planHash hashes every cell's canonical config and the settings.
func planHash(p *Plan) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "marginlab sweep v1\npaths=%d block=%v seed=%d sample=%d\n", p.Settings.Paths, p.Settings.Block, p.Settings.Seed, p.Settings.Sample)
	for _, c := range p.Cells {
		b, err := c.Config.Canonical()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", c.ID, b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
