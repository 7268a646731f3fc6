package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/data/publish"
	"github.com/marginlab/marginlab/reports"
)

// reportDir is where run, sweep, merge and demo put their report, inside
// their output directory.
const reportDir = "report"

// defaultReportSeed seeds the bootstrap of every report the commands
// write, so 'marginlab report DIR' reproduces the report a sweep wrote.
const defaultReportSeed = 1

// buildAndWriteReport computes a report from res and writes every output
// into dir: index.html, summary.md, summary.json and figures/, drawing the
// cell-over-time figure from eq when it is not nil. dir is a staging
// directory (publishReport): whatever it held before is not kept. A figure
// that failed (as opposed to one the data cannot support) is a warning on
// warn.
func buildAndWriteReport(warn io.Writer, dir string, res *sweep.Results, eq reports.EquitySource, opt reports.Options) error {
	rep, err := reports.Build(res, opt)
	if err != nil {
		return err
	}
	var md, js, html bytes.Buffer
	if err := reports.WriteMarkdown(&md, rep); err != nil {
		return err
	}
	if err := reports.WriteJSON(&js, rep); err != nil {
		return err
	}
	figs, err := reports.Figures(res, rep, eq)
	if err != nil {
		return err
	}
	for _, p := range figs.Problems {
		fmt.Fprintf(warn, "%s: warning: figure not drawn: %s\n", programName, p)
	}
	if err := reports.WriteHTML(&html, rep, figs); err != nil {
		return err
	}
	files := map[string][]byte{"summary.md": md.Bytes(), "summary.json": js.Bytes(), "index.html": html.Bytes()}
	for _, f := range figs.Figures {
		files[filepath.Join("figures", f.Name+".svg")] = f.SVG
		files[filepath.Join("figures", f.Name+".png")] = f.PNG
	}
	if err := os.MkdirAll(filepath.Join(dir, "figures"), 0o755); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := publish.WriteFile(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// publishReport writes res's report into target (given with flag, if
// any), replacing the directory as a whole: a failure leaves the previous
// report as it was.
func publishReport(warn io.Writer, flag, target string, res *sweep.Results, eq reports.EquitySource, opt reports.Options) error {
	d, err := replaceOut(flag, target, reportOutputs)
	if err != nil {
		return err
	}
	if err := buildAndWriteReport(warn, d.Path(), res, eq, opt); err != nil {
		return d.Fail(err)
	}
	return d.Commit()
}

// stageReport writes the report a command produces by default into the
// report directory of its staged output directory stage.
func stageReport(warn io.Writer, stage string, res *sweep.Results, eq reports.EquitySource) error {
	if err := buildAndWriteReport(warn, filepath.Join(stage, reportDir), res, eq, reports.Options{Seed: defaultReportSeed}); err != nil {
		return fmt.Errorf("the report failed: %w", err)
	}
	return nil
}

// reportNote says where the report of the output directory out is.
func reportNote(w io.Writer, out string) {
	fmt.Fprintf(w, "Report: %s (summary.md, summary.json, figures/)\n", filepath.Join(out, reportDir, "index.html"))
}

// sweepReport writes a complete sweep directory's report by default.
func sweepReport(sio *stdio, out string) error {
	res, err := sweep.ReadResults(out)
	if err == nil {
		err = publishReport(sio.errOut, "", filepath.Join(out, reportDir), res, reports.DirEquity(out, res), reports.Options{Seed: defaultReportSeed})
	}
	if err != nil {
		return fmt.Errorf("the results are written, but their report failed: %w", err)
	}
	reportNote(sio.out, out)
	return nil
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
	for _, p := range runs {
		for _, w := range warningTexts(p.warnings) {
			if !slices.Contains(man.Warnings, w) {
				man.Warnings = append(man.Warnings, w)
			}
		}
	}
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
