package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/marginlab/marginlab/data/publish"
)

// Input fingerprints one data file the sweep read.
type Input struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes a sweep's output directory. It holds no wall-clock
// time, so reruns write the same bytes.
type Manifest struct {
	Version   string          `json:"version"`
	Hash      string          `json:"config_hash"`
	Config    json.RawMessage `json:"config"` // canonical config of the first cell
	Axes      []Axis          `json:"axes"`
	Settings  Settings        `json:"settings"`
	Inputs    []Input         `json:"inputs"`
	Shard     string          `json:"shard"`
	Trades    bool            `json:"trades"`     // trades.parquet written
	Equity    bool            `json:"equity"`     // equity.parquet written
	PlanCells []string        `json:"plan_cells"` // every cell of the plan, in ID order
	Cells     []string        `json:"cells"`      // the cells this directory holds
	JobsTotal int             `json:"jobs_total"`
	JobsDone  int             `json:"jobs_done"`
	Complete  bool            `json:"complete"`
	// Warnings are the market's warnings (Options.Warnings) and the venue's
	// (symbols margined by stand-in bracket tables, Plan.VenueWarnings):
	// facts about the data that qualify every result, such as coverage gaps
	// the configuration accepted. Absent when there are none.
	Warnings []string `json:"warnings,omitempty"`
}

const manifestName = "manifest.json"

// openManifest reads the directory's manifest and checks that it belongs to
// the same sweep and shard, or starts a new one.
func openManifest(out string, plan *Plan, opt Options) (*Manifest, error) {
	m := &Manifest{Version: opt.Version, Hash: plan.Hash, Axes: plan.Axes, Settings: plan.Settings, Shard: opt.Shard.String(),
		Trades: opt.Trades, Equity: opt.Equity, Warnings: opt.Warnings}
	for k, c := range plan.Cells {
		m.PlanCells = append(m.PlanCells, c.ID)
		if opt.Shard.Owns(k) {
			m.Cells = append(m.Cells, c.ID)
		}
	}
	m.JobsTotal = len(m.Cells) * plan.Settings.Paths
	if len(plan.Cells) > 0 {
		b, err := plan.Cells[0].Config.Canonical()
		if err != nil {
			return nil, err
		}
		m.Config = b
		if m.Inputs, err = fingerprints(plan.Cells[0]); err != nil {
			return nil, err
		}
	}
	old, err := readManifest(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return m, m.write(out)
	case err != nil:
		return nil, err
	case old.Hash != m.Hash:
		return nil, fmt.Errorf("sweep: %s holds results of a different sweep (config hash %.12s…, this one %.12s…); use another --out directory or remove it", out, old.Hash, m.Hash)
	case old.Trades != m.Trades || old.Equity != m.Equity:
		return nil, fmt.Errorf("sweep: %s was started with trades=%v equity=%v; run with the same table options or use another --out directory", out, old.Trades, old.Equity)
	case old.Shard != m.Shard:
		return nil, fmt.Errorf("sweep: %s holds shard %s, not %s; give each shard its own directory", out, old.Shard, m.Shard)
	case !slices.Equal(old.Inputs, m.Inputs):
		return nil, fmt.Errorf("sweep: the data files changed since %s was started (fingerprints differ); use another --out directory", out)
	}
	return m, nil
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", filepath.Join(dir, manifestName), err)
	}
	return &m, nil
}

func (m *Manifest) write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := publish.WriteFile(filepath.Join(dir, manifestName), append(b, '\n')); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// fingerprints hashes the data files a cell's config reads.
func fingerprints(c Cell) ([]Input, error) {
	var out []Input
	files, err := c.Config.DataFiles()
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, Input{Path: p, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	return out, nil
}
