package sweep

import (
	"slices"
	"testing"
)

// TestManifestWarnings: the market's warnings reach the manifest, survive a
// merge, and are read back with the results (the report shows them).
func TestManifestWarnings(t *testing.T) {
	p, m := plan(t)
	warns := []string{"BTC funding (f.feather) does not cover the run: …; accepted by data.coverage.funding: accept: no funding is charged at those times"}
	var dirs []string
	for k := range 2 {
		d := t.TempDir()
		run(t, p, m, d, func(o *Options) { o.Shard = Shard{K: k, N: 2}; o.Warnings = warns })
		dirs = append(dirs, d)
	}
	merged := t.TempDir()
	if err := Merge(merged, dirs); err != nil {
		t.Fatal(err)
	}
	res, err := ReadResults(merged)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Manifest.Warnings, warns) {
		t.Errorf("manifest warnings %q", res.Manifest.Warnings)
	}
	plain := t.TempDir()
	run(t, p, m, plain, nil)
	if res, err := ReadResults(plain); err != nil || res.Manifest.Warnings != nil {
		t.Errorf("no warnings: %v %q", err, res.Manifest.Warnings)
	}
}
