// Package notebooks holds Jupyter notebooks (GoNB kernel) that use
// marginlab's packages from this working tree; run.sh executes them. This
// test checks, without Jupyter, what keeps them runnable and reviewable:
// they parse, use the GoNB kernel, point their module at the working tree
// first, and carry no outputs (which would go stale).
package notebooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type notebook struct {
	Cells []struct {
		Type           string          `json:"cell_type"`
		Source         []string        `json:"source"`
		Outputs        json.RawMessage `json:"outputs"`
		ExecutionCount *int            `json:"execution_count"`
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
	NBFormat int `json:"nbformat"`
}

func TestNotebooks(t *testing.T) {
	paths, err := filepath.Glob("[0-9]*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 3 {
		t.Fatalf("%d notebooks, want at least 3", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var nb notebook
		if err := json.Unmarshal(b, &nb); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if nb.NBFormat != 4 || nb.Metadata.Kernelspec.Name != "gonb" {
			t.Errorf("%s: nbformat %d, kernel %q; want 4 and gonb", p, nb.NBFormat, nb.Metadata.Kernelspec.Name)
		}
		var code, prose int
		for i, c := range nb.Cells {
			src := strings.Join(c.Source, "")
			switch c.Type {
			case "markdown":
				prose += len(src)
			case "code":
				if code == 0 && !strings.Contains(src, `go mod edit -replace "github.com/marginlab/marginlab=${GONB_DIR}/.."`) {
					t.Errorf("%s: the first code cell (cell %d) does not point the module at the working tree", p, i)
				}
				code++
				if (len(c.Outputs) > 0 && string(c.Outputs) != "[]") || c.ExecutionCount != nil {
					t.Errorf("%s: cell %d carries outputs; clear them: jupyter nbconvert --clear-output --inplace %s", p, i, p)
				}
			}
		}
		if code < 4 || prose < 1500 {
			t.Errorf("%s: %d code cells and %d characters of prose; a notebook here is an analysis with its explanation", p, code, prose)
		}
	}
}
