package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/marginlab/marginlab/backtest/runconfig"
)

const defaultConfigFile = "marginlab.yaml"

var initCmd = &command{
	name:    "init",
	args:    "[FILE]",
	summary: "write a commented starter configuration for 'marginlab run'",
	about: `
Init writes a starter configuration to FILE (default marginlab.yaml): every
key of a run configuration, each with its default and allowed values in a
comment. As written it runs on the built-in synthetic market, needing no
data files, in a few seconds; a commented block shows how to point it at
your own candle, mark-price and funding files.

Init refuses to replace an existing file unless --force is given.`,
	examples: []string{
		"marginlab init",
		"marginlab init btc-eth.yaml && marginlab run -c btc-eth.yaml",
		"marginlab init marginlab.yaml --force",
	},
	setup: setupInit,
}

func setupInit(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace FILE if it exists")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 1 {
			return usagef("want at most one FILE, got %d arguments", len(args))
		}
		path := defaultConfigFile
		if len(args) == 1 {
			path = args[0]
		}
		if err := writeStarter(path, *force); err != nil {
			return err
		}
		fmt.Fprintf(sio.out, "Wrote %s: a run on synthetic data, every key explained.\n", path)
		fmt.Fprintf(sio.out, "Next: marginlab run -c %s\n", path)
		fmt.Fprintf(sio.out, "Then edit it: point data.symbols at your files, pick a strategy, modes and leverage.\n")
		return nil
	}
}

// writeStarter writes the starter configuration to path, refusing to
// replace a file unless force.
func writeStarter(path string, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return usagef("%s exists; use --force to replace it", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return writeAtomic(path, []byte(runconfig.Starter()))
}
