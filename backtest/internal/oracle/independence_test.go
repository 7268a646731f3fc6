package oracle

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestIndependentOfEngine: the oracle's own code (not its tests) shares no
// simulation code with the engine. It imports neither the margin engine nor
// the ledger, and calls none of the engine's margin formulas: only data
// types, the venue's tables and order rules, and Config.Validate.
func TestIndependentOfEngine(t *testing.T) {
	forbiddenImports := []string{"backtest/margin", "backtest/ledger", "backtest/risk"}
	forbiddenNames := map[string]string{
		"Maintenance":          "venue.Rule.Maintenance",
		"LiquidationPrice":     "venue.Rule.LiquidationPrice",
		"BankruptcyPrice":      "venue.BankruptcyPrice",
		"Rule":                 "venue.Venue.Rule",
		"RuleOf":               "venue.RuleOf",
		"Index":                "venue.Brackets.Index (the engine's tier lookup)",
		"SettlePrice":          "margin.SettlePrice",
		"Run":                  "backtest.Run",
		"Decide":               "backtest.Decide",
		"IsolatedLiquidatable": "margin.Account",
		"CrossHealth":          "margin.Account",
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbiddenImports {
				if strings.HasSuffix(path, bad) {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if what, bad := forbiddenNames[sel.Sel.Name]; bad {
				// s.r.broken etc. are the oracle's own fields; only
				// selectors on the backtest and venue packages or on
				// their values are suspects, and the oracle has no
				// methods or fields of these names.
				t.Errorf("%s: %s uses .%s (%s)", fset.Position(sel.Pos()), name, sel.Sel.Name, what)
			}
			return true
		})
	}
}
