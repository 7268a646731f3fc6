package reports

import (
	"errors"
	"math"
	"testing"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/sweep"
)

func runRow(cell, mode string, liqs, positions int, lossPct float64) sweep.RunRow {
	return sweep.RunRow{CellID: cell, Mode: mode, Metrics: backtest.Metrics{PositionsLiquidated: liqs, PositionsTouched: liqs, Positions: positions, LossMedianPct: lossPct}}
}

func change(t *testing.T, c *Comparison, mode, metric string) Change {
	t.Helper()
	for _, ch := range c.Changes {
		if ch.Mode == mode && ch.Metric == metric {
			return ch
		}
	}
	t.Fatalf("no %s %s change", mode, metric)
	return Change{}
}

// TestCompare: runs match by cell, mode and path; rates pool over the
// matched runs; the median loss averages only runs that liquidated, and a
// metric undefined in both sets is no change while one that appears is.
func TestCompare(t *testing.T) {
	base := &sweep.Results{Runs: []sweep.RunRow{
		runRow("a", "isolated", 2, 100, 10), runRow("b", "isolated", 0, 100, 0),
		runRow("a", "cross", 0, 100, 0), runRow("b", "cross", 0, 100, 0),
		runRow("gone", "cross", 0, 100, 0),
	}}
	next := &sweep.Results{Runs: []sweep.RunRow{
		runRow("a", "isolated", 4, 100, 20), runRow("b", "isolated", 2, 100, 30),
		runRow("a", "cross", 1, 100, 50), runRow("b", "cross", 0, 100, 0),
		runRow("new", "cross", 0, 100, 0),
	}}
	th := map[string]float64{"positions_liquidated_per_1000": 15, "loss_median_pct": 100}
	c, err := Compare(base, next, th)
	if err != nil {
		t.Fatal(err)
	}
	if c.Matched != 4 || c.OnlyBase != 1 || c.OnlyNew != 1 {
		t.Errorf("matched %d, only base %d, only new %d; want 4, 1, 1", c.Matched, c.OnlyBase, c.OnlyNew)
	}
	if ch := change(t, c, "isolated", "positions_liquidated_per_1000"); ch.Base != 10 || ch.New != 30 || !ch.Crossed {
		t.Errorf("isolated rate: %+v, want 10 → 30 per 1,000, crossed", ch)
	}
	if ch := change(t, c, "isolated", "loss_median_pct"); ch.Base != 10 || ch.New != 25 || ch.Crossed {
		t.Errorf("isolated median loss: %+v, want 10 → 25 (liquidated runs only), not crossed", ch)
	}
	if ch := change(t, c, "cross", "loss_median_pct"); !math.IsNaN(ch.Base) || ch.New != 50 || !ch.Crossed {
		t.Errorf("cross median loss: %+v, want undefined → 50, crossed", ch)
	}
	c, _ = Compare(base, base, th)
	if ch := change(t, c, "cross", "loss_median_pct"); !math.IsNaN(ch.Base) || ch.Crossed || c.Crossed != 0 {
		t.Errorf("cross median loss against itself: %+v, %d crossed; want undefined, none crossed", ch, c.Crossed)
	}
	if _, err := Compare(base, &sweep.Results{Runs: []sweep.RunRow{runRow("z", "cross", 0, 1, 0)}}, nil); !errors.Is(err, ErrNothingInCommon) {
		t.Errorf("nothing in common: %v", err)
	}
	if _, err := Compare(base, base, map[string]float64{"happiness": 1}); err == nil {
		t.Error("an unknown metric was accepted")
	}
}
