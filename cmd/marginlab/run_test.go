package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestHelpGolden compares help output with testdata/*.golden; run
// "go test -run TestHelpGolden -update" after changing help text on purpose.
func TestHelpGolden(t *testing.T) {
	topics := [][]string{{"help"}, {"help", "data"}, {"help", "venue"}}
	for _, c := range commands {
		topics = append(topics, append([]string{"help"}, strings.Fields(c.name)...))
	}
	for _, args := range topics {
		name := strings.Join(args, "-")
		t.Run(name, func(t *testing.T) {
			r := mustRun(t, exitOK, args...)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if r.out != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is intended)\ngot:\n%s\nwant:\n%s", golden, r.out, want)
			}
		})
	}
}

// TestOverview checks that bare marginlab, help and -h print the overview,
// listing every command.
func TestOverview(t *testing.T) {
	want := mustRun(t, exitOK, "help").out
	for _, args := range [][]string{{}, {"-h"}, {"--help"}} {
		if r := mustRun(t, exitOK, args...); r.out != want {
			t.Errorf("marginlab %v printed something other than the overview:\n%s", args, r.out)
		}
	}
	for _, c := range commands {
		if !strings.Contains(want, c.name) || !strings.Contains(want, c.summary) {
			t.Errorf("overview does not list %q with its summary", c.name)
		}
	}
	if !strings.Contains(want, "Example") {
		t.Error("overview has no examples")
	}
}

// TestCommandHelp checks every command's help: -h, --help and "help CMD"
// agree, exit 0 on stdout, name every flag and give an example.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			words := strings.Fields(c.name)
			h := mustRun(t, exitOK, append(words, "-h")...)
			if h.errOut != "" {
				t.Errorf("-h wrote to stderr: %s", h.errOut)
			}
			for _, alt := range [][]string{append(slices.Clone(words), "--help"), append([]string{"help"}, words...)} {
				if r := mustRun(t, exitOK, alt...); r.out != h.out {
					t.Errorf("marginlab %v differs from -h", alt)
				}
			}
			// -h after a positional argument is still help.
			if r := mustRun(t, exitOK, append(words, "x", "-h")...); r.out != h.out {
				t.Errorf("-h after an argument is not help")
			}
			fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
			c.setup(fs)
			n := 0
			fs.VisitAll(func(f *flag.Flag) {
				n++
				if !strings.Contains(h.out, "--"+f.Name) {
					t.Errorf("help does not mention --%s", f.Name)
				}
				if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(h.out, "(default "+f.DefValue+")") {
					t.Errorf("help does not give the default of --%s (%s)", f.Name, f.DefValue)
				}
			})
			if n == 0 {
				t.Error("command has no flags")
			}
			if !strings.Contains(h.out, "Example") {
				t.Error("help has no examples")
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want []string // substrings of stderr
	}{
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "marginlab help"}},
		{[]string{"--frob"}, []string{"--frob", "marginlab help"}},
		{[]string{"help", "frobnicate"}, []string{`"frobnicate"`, "marginlab help"}},
		{[]string{"data"}, []string{"missing subcommand", "data inspect"}},
		{[]string{"data", "frob"}, []string{`unknown subcommand "frob"`, "data synth"}},
		{[]string{"data", "inspect"}, []string{"no files given", "marginlab help data inspect"}},
		{[]string{"data", "inspect", "x.parquet", "--bogus"}, []string{"-bogus", "not defined", "marginlab help data inspect"}},
		{[]string{"data", "inspect", "x.parquet", "--tz", "Mars/Olympus_Mons"}, []string{"-tz", "Mars/Olympus_Mons"}},
		{[]string{"data", "inspect", "x.parquet", "--kind", "trades2"}, []string{"-kind", "trades2"}},
		{[]string{"data", "inspect", "x.parquet", "--epoch-unit", "h"}, []string{"-epoch-unit", `"h"`}},
		{[]string{"data", "inspect", "x.parquet", "--nulls", "ignore"}, []string{"-nulls", "ignore"}},
		{[]string{"data", "inspect", "x.parquet", "--json=maybe"}, []string{"-json"}},
		{[]string{"data", "convert", "a.parquet"}, []string{"want IN and OUT"}},
		{[]string{"data", "convert", "a.parquet", "b.csv"}, []string{`".csv"`, ".parquet", ".arrow/.feather", ".arrows"}},
		{[]string{"data", "convert", "a.parquet", "b"}, []string{"unknown extension", ".parquet"}},
		{[]string{"data", "convert", "a.parquet", "b.parquet", "--codec", "lz77"}, []string{"--codec", "lz77"}},
		{[]string{"data", "convert", "a.parquet", "b.feather", "--codec", "snappy"}, []string{"--codec", "snappy"}},
		{[]string{"data", "convert", "a.parquet", "b.parquet", "--chunk-rows", "-1"}, []string{"--chunk-rows"}},
		{[]string{"data", "convert", "a.parquet", "./a.parquet"}, []string{"refusing to overwrite"}},
		{[]string{"data", "synth"}, []string{"--out"}},
		{[]string{"data", "synth", "--out", dir, "extra"}, []string{`"extra"`}},
		{[]string{"data", "synth", "--out", dir, "--bars", "0"}, []string{"--bars"}},
		{[]string{"data", "synth", "--out", dir, "--bars", "1"}, []string{"--bars"}},
		{[]string{"data", "synth", "--out", dir, "--bars", "many"}, []string{"-bars"}},
		{[]string{"data", "synth", "--out", dir, "--format", "csv"}, []string{"--format", "csv"}},
		{[]string{"data", "synth", "--out", dir, "--timeframe", "3q"}, []string{"-timeframe", "3q"}},
		{[]string{"data", "synth", "--out", dir, "--timeframe", "500ms"}, []string{"--timeframe"}},
		{[]string{"data", "synth", "--out", dir, "--start", "yesterday"}, []string{"--start"}},
		{[]string{"data", "synth", "--out", dir, "--correlation", "1.5"}, []string{"--correlation"}},
		{[]string{"data", "synth", "--out", dir, "--vol", "0"}, []string{"--vol"}},
		{[]string{"data", "synth", "--out", dir, "--symbols", "BTC,BTC"}, []string{"--symbols", "duplicate"}},
		{[]string{"demo", "extra"}, []string{`"extra"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := mustRun(t, exitUsage, tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(r.errOut, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.errOut)
				}
			}
			if r.out != "" {
				t.Errorf("usage error wrote to stdout:\n%s", r.out)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a rejected synth wrote %d files", len(entries))
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		json    bool
		tcol    string
		wantErr bool
	}{
		{args: nil, pos: nil},
		{args: []string{"a", "b"}, pos: []string{"a", "b"}},
		{args: []string{"--json", "a", "b"}, pos: []string{"a", "b"}, json: true},
		{args: []string{"a", "b", "--json"}, pos: []string{"a", "b"}, json: true},
		{args: []string{"a", "--json", "b", "--time-column", "ts"}, pos: []string{"a", "b"}, json: true, tcol: "ts"},
		{args: []string{"a", "--time-column=ts", "b"}, pos: []string{"a", "b"}, tcol: "ts"},
		{args: []string{"a", "--", "--json", "b"}, pos: []string{"a", "--json", "b"}},
		{args: []string{"--json", "--", "-"}, pos: []string{"-"}, json: true},
		{args: []string{"-", "--json"}, pos: []string{"-"}, json: true},
		// "--" as a flag's value does not end the flags.
		{args: []string{"a", "--time-column", "--", "--json"}, pos: []string{"a"}, json: true, tcol: "--"},
		{args: []string{"a", "--nope"}, wantErr: true},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		j := fs.Bool("json", false, "")
		tc := fs.String("time-column", "", "")
		pos, err := parseInterspersed(fs, tt.args)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if !slices.Equal(pos, tt.pos) || *j != tt.json || *tc != tt.tcol {
			t.Errorf("%q: positional %q json %v time-column %q; want %q %v %q", tt.args, pos, *j, *tc, tt.pos, tt.json, tt.tcol)
		}
	}
}

// TestCanceled checks that a cancelled context (an interrupt) stops a
// command with exit status 1.
func TestCanceled(t *testing.T) {
	dir := synthDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"data", "inspect", filepath.Join(dir, "BTC-1m-candles.parquet")}, strings.NewReader(""), &out, &errOut)
	if code != exitFailed || !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
