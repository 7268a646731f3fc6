package risk

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStdlibAndGonumOnly enforces DESIGN.md §1: this leaf package
// depends, directly or not, only on the standard library and
// gonum.org/v1/gonum (no other module, not even one of this repository's).
func TestImportsStdlibAndGonumOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	self := "github.com/marginlab/marginlab/backtest/risk"
	for _, dep := range strings.Fields(string(out)) {
		if dep != self && dep != "gonum.org/v1/gonum" && !strings.HasPrefix(dep, "gonum.org/v1/gonum/") {
			t.Errorf("backtest/risk depends on %s: it may import only the standard library and gonum.org/v1/gonum", dep)
		}
	}
}
