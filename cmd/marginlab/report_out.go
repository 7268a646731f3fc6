package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/reports"
)

// reportDir is where run, sweep, merge and demo put their report, inside
// their output directory.
const reportDir = "report"

// buildAndWriteReport computes a report from res and writes every output
// into dir: index.html, summary.md, summary.json and figures/.
func buildAndWriteReport(dir string, res *sweep.Results, eq reports.EquitySource, opt reports.Options) error {
	rep, err := reports.Build(res, opt)
	if err != nil {
		return err
	}
	return writeReport(dir, res, rep, eq)
}

// autoReport writes the report a command produces by default into
// out/report and says so on w; a failure is reported as an error that
// names the report, since the results themselves were written.
func autoReport(w io.Writer, out string, res *sweep.Results, eq reports.EquitySource) error {
	dir := filepath.Join(out, reportDir)
	if err := buildAndWriteReport(dir, res, eq, reports.Options{}); err != nil {
		return fmt.Errorf("the results are written, but their report failed: %w", err)
	}
	fmt.Fprintf(w, "Report: %s (summary.md, summary.json, figures/)\n", filepath.Join(dir, "index.html"))
	return nil
}

// sweepReport writes a complete sweep directory's report by default.
func sweepReport(w io.Writer, out string) error {
	res, err := sweep.ReadResults(out)
	if err != nil {
		return fmt.Errorf("the results are written, but their report failed: %w", err)
	}
	var eq reports.EquitySource
	if res.Manifest.Equity {
		eq = reports.DirEquity(out)
	}
	return autoReport(w, out, res, eq)
}

// pairedResults lays out paired runs, one per cell on the real history, as
// the result tables a sweep would have written, so that run and demo get
// the same report as a sweep. axis names the parameter that differs
// between the cells ("" for a single run) and values its value per cell.
func pairedResults(runs []*pairedRun, cells []string, axis string, values []any) (*sweep.Results, reports.EquitySource, error) {
	h := sha256.New()
	man := &sweep.Manifest{Version: version, Settings: sweep.Settings{Paths: 1}, Complete: true}
	if axis != "" {
		man.Axes = []sweep.Axis{{Path: axis, Values: values}}
	}
	res := &sweep.Results{Manifest: man}
	series := map[string][]sweep.EquityRow{}
	for k, p := range runs {
		canon, err := p.file.Canonical()
		if err != nil {
			return nil, nil, err
		}
		h.Write(canon)
		id := cells[k]
		man.Cells, man.PlanCells = append(man.Cells, id), append(man.PlanCells, id)
		man.JobsTotal++
		man.JobsDone++
		for i := range p.results {
			r := &p.results[i]
			params := map[string]any{}
			if axis != "" {
				params[axis] = values[k]
			}
			res.Runs = append(res.Runs, sweep.RunRow{CellID: id, Mode: r.Mode, Params: params, MarkSource: r.MarkSource, Metrics: r.Metrics})
			for _, l := range r.Liquidations {
				res.Liquidations = append(res.Liquidations, sweep.LiquidationRow{CellID: id, Mode: r.Mode, LiquidationRecord: l})
			}
			s := &r.Series
			series[id] = append(series[id], sweep.EquityRow{CellID: id, Mode: r.Mode, Time: s.Time, Equity: s.Equity,
				CapitalAtRisk: s.CapitalAtRisk, MarginUsed: s.MarginUsed, Leverage: s.Leverage})
		}
	}
	man.Hash = hex.EncodeToString(h.Sum(nil))
	eq := func(cell string, path int) ([]sweep.EquityRow, error) {
		rows, ok := series[cell]
		if !ok || path != 0 {
			return nil, fmt.Errorf("no series for cell %q path %d: %w", cell, path, os.ErrNotExist)
		}
		return rows, nil
	}
	return res, eq, nil
}
