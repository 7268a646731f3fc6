package runconfig_test

import (
	"errors"
	"testing"

	"github.com/marginlab/marginlab/backtest/runconfig"
)

// FuzzParse: any bytes give a configuration or an error made of *Error
// values (naming line and key), never a panic; and a configuration Parse
// accepts validates.
//
//	go test ./backtest/runconfig -run '^$' -fuzz FuzzParse -fuzzminimizetime 100x
func FuzzParse(f *testing.F) {
	f.Add([]byte(runconfig.Starter()))
	f.Add([]byte("leverage: [5, 10]\n"))
	f.Add([]byte("data: {symbols: {BTC: {candles: x.parquet}}, start: 2024-01-01}\ncapital: 1e-300\n"))
	f.Add([]byte("strategy: {name: sma_cross, params: {fast: 5, slow: 3}}\nmodes: [hybrid]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := runconfig.Parse(b, "fuzz.yaml")
		if err != nil {
			var e *runconfig.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not a *runconfig.Error: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate rejects: %v", err)
		}
	})
}
