package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/marginlab/marginlab"

// listedPackage is the part of `go list -json` output the rules need.
type listedPackage struct {
	ImportPath string
	Dir        string
	Imports    []string // direct imports
	Deps       []string // every transitive dependency
	GoFiles    []string
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 2 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// TestImportRules enforces DESIGN.md §1: which packages may depend on
// Arrow/Parquet, gonum/plot, strategy, reports and cmd.
func TestImportRules(t *testing.T) {
	arrow := "github.com/apache/arrow/go"
	plot := "gonum.org/v1/plot"
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			switch {
			case under(imp, arrow) && !under(rel, "data") && !under(rel, "backtest/sweep"):
				t.Errorf("%s imports %s: only data and backtest/sweep may use Arrow/Parquet", p.ImportPath, imp)
			case under(imp, plot) && !under(rel, "reports"):
				t.Errorf("%s imports %s: only reports may use gonum/plot", p.ImportPath, imp)
			}
		}
		for _, dep := range p.Deps {
			switch {
			case under(rel, "backtest") && (under(dep, module+"/strategy") || under(dep, module+"/reports") || under(dep, module+"/cmd")):
				t.Errorf("%s depends on %s: backtest must not import strategy, reports or cmd", p.ImportPath, dep)
			case under(rel, "backtest/risk") && strings.Contains(strings.Split(dep, "/")[0], ".") && !under(dep, "gonum.org/v1/gonum"):
				t.Errorf("%s depends on %s: backtest/risk may import only the standard library and gonum", p.ImportPath, dep)
			case rel == "data/publish" && strings.Contains(strings.Split(dep, "/")[0], ".") && !under(dep, "golang.org/x/sys"):
				t.Errorf("%s depends on %s: data/publish, which every writer uses, may import only the standard library and golang.org/x/sys", p.ImportPath, dep)
			}
		}
	}
}

// TestOnlyCmdTouchesProcess: only cmd/ reads os.Args or calls os.Exit.
func TestOnlyCmdTouchesProcess(t *testing.T) {
	for _, p := range listPackages(t) {
		if under(strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/"), "cmd") {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && (sel.Sel.Name == "Args" || sel.Sel.Name == "Exit") {
						t.Errorf("%s uses os.%s: only cmd/ may", path, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}

// TestTopLevelLayout: the repository root holds exactly the agreed entries.
func TestTopLevelLayout(t *testing.T) {
	allowed := map[string]bool{"cmd": true, "backtest": true, "strategy": true, "data": true, "reports": true,
		"notebooks": true, "go.mod": true, "go.sum": true, "README.md": true}
	entries, err := os.ReadDir("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !allowed[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
			t.Errorf("unexpected top-level entry %q: the root holds only cmd/ backtest/ strategy/ data/ reports/ notebooks/ go.mod go.sum README.md and dot-files", e.Name())
		}
	}
}
