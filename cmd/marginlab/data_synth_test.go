package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readDir returns every file in dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func TestSynthFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir") // created by synth
	r := mustRun(t, exitOK, "data", "synth", "--out", dir, "--symbols", "BTC, SOL,XYZ", "--timeframe", "5m",
		"--bars", "300", "--format", "feather", "--start", "2024-03-01T08:00:00Z")
	var names []string
	for n := range readDir(t, dir) {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{
		"BTC-5m-candles.feather", "BTC-5m-mark.feather", "BTC-funding.feather",
		"SOL-5m-candles.feather", "SOL-5m-mark.feather", "SOL-funding.feather",
		"XYZ-5m-candles.feather", "XYZ-5m-mark.feather", "XYZ-funding.feather",
	}
	if !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	for _, n := range want {
		if !strings.Contains(r.out, filepath.Join(dir, n)) {
			t.Errorf("output does not list %s:\n%s", n, r.out)
		}
	}
	rep := jsonLines(t, mustRun(t, exitOK, "data", "inspect", "--json", filepath.Join(dir, "SOL-5m-mark.feather")).out)[0]
	if rep.Kind != "mark" || rep.Rows != 300 || rep.Timeframe != "5m" || *rep.Start != "2024-03-01T08:00:00Z" || rep.Format != "arrow-file" {
		t.Errorf("SOL mark: %+v", rep)
	}
}

// TestSynthDeterministic checks that the same seed writes byte-identical
// files and another seed different ones.
func TestSynthDeterministic(t *testing.T) {
	for _, format := range []string{"parquet", "arrow"} {
		t.Run(format, func(t *testing.T) {
			a := readDir(t, synthDir(t, "--seed", "7", "--format", format))
			b := readDir(t, synthDir(t, "--format", format, "--seed", "7"))
			c := readDir(t, synthDir(t, "--seed", "8", "--format", format))
			if len(a) != 6 {
				t.Fatalf("wrote %d files, want 6", len(a))
			}
			for name, x := range a {
				if !bytes.Equal(x, b[name]) {
					t.Errorf("%s differs between two runs with the same seed", name)
				}
				if bytes.Equal(x, c[name]) {
					t.Errorf("%s is the same for seeds 7 and 8", name)
				}
			}
		})
	}
}

// TestSynthCorrelationZero checks that --correlation 0 is accepted (the
// library reads 0 as its default, so the command maps it).
func TestSynthCorrelationZero(t *testing.T) {
	a := readDir(t, synthDir(t, "--correlation", "0"))
	b := readDir(t, synthDir(t))
	if bytes.Equal(a["ETH-1m-candles.parquet"], b["ETH-1m-candles.parquet"]) {
		t.Error("--correlation 0 gave the default correlation's data")
	}
}
