package strategy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	want := []string{"breakout", "funding_carry", "hold", "mean_revert", "random", "sma_cross"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got, want := SizerNames(), []string{"equity_fraction", "fixed_notional", "risk"}; !slices.Equal(got, want) {
		t.Errorf("SizerNames() = %v, want %v", got, want)
	}
}

func TestNewDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		want fmt.Stringer
	}{
		{"hold", &Hold{cfg: DefaultHoldConfig()}},
		{"sma_cross", &SMACross{cfg: DefaultSMACrossConfig()}},
		{"breakout", &Breakout{cfg: DefaultBreakoutConfig()}},
		{"mean_revert", &MeanRevert{cfg: DefaultMeanRevertConfig()}},
		{"random", &Random{cfg: RandomConfig{EntryProb: 0.01, ExitProb: 0.01, Seed: 5}}},
		{"funding_carry", &FundingCarry{cfg: DefaultFundingCarryConfig()}},
	} {
		st := mustNew(t, tc.name, nil, 5)
		if got := st.(fmt.Stringer).String(); got != tc.want.String() {
			t.Errorf("New(%q, nil) = %s, want %s", tc.name, got, tc.want)
		}
		if !strings.HasPrefix(tc.want.String(), tc.name+"(") {
			t.Errorf("%s: String does not start with the registry name", tc.want)
		}
	}
	if err := errors.Join(DefaultHoldConfig().Validate(), DefaultSMACrossConfig().Validate(), DefaultBreakoutConfig().Validate(),
		DefaultMeanRevertConfig().Validate(), DefaultRandomConfig().Validate(), DefaultFundingCarryConfig().Validate()); err != nil {
		t.Errorf("a default config is invalid: %v", err)
	}
}

func TestNewAcceptsNumberTypes(t *testing.T) {
	for _, v := range []any{30, int8(30), int32(30), int64(30), uint(30), uint64(30), 30.0, float32(30)} {
		st, err := New("sma_cross", map[string]any{"fast": v, "slow": 40.0, "stop": 0}, 0)
		if err != nil {
			t.Errorf("fast = %T %v: %v", v, v, err)
			continue
		}
		if got := st.(*SMACross).cfg; got.Fast != 30 || got.Slow != 40 || got.Stop != 0 {
			t.Errorf("fast = %T %v: config %+v", v, v, got)
		}
	}
	st, err := New("mean_revert", map[string]any{"entry_z": 3, "exit_z": int64(1)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.(*MeanRevert).cfg; got.EntryZ != 3 || got.ExitZ != 1 {
		t.Errorf("integers for float parameters: config %+v", got)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]any
		is     []error
		want   []string // substrings of the message
	}{
		{"nope", nil, []error{ErrUnknownName},
			[]string{`unknown strategy "nope"`, "breakout, funding_carry, hold, mean_revert, random, sma_cross"}},
		{"sma_cross", map[string]any{"fsat": 3}, []error{ErrUnknownParam},
			[]string{`sma_cross: unknown parameter "fsat"`, "allowed: allow_short, fast, slow, stop"}},
		{"sma_cross", map[string]any{"fast": "20"}, []error{ErrParamType},
			[]string{`sma_cross: parameter "fast": got string "20", want an integer`}},
		{"sma_cross", map[string]any{"fast": 20.5}, []error{ErrParamType},
			[]string{`parameter "fast": got number 20.5, want an integer`}},
		{"sma_cross", map[string]any{"allow_short": "yes"}, []error{ErrParamType},
			[]string{`parameter "allow_short": got string "yes", want true or false`}},
		{"sma_cross", map[string]any{"fast": 60}, []error{ErrParamRange},
			[]string{`parameter "fast" = 60: must be an integer in [1, slow−1] = [1, 49]`}},
		{"sma_cross", map[string]any{"slow": 1}, []error{ErrParamRange},
			[]string{`parameter "slow" = 1: must be an integer in [2, 1000000]`}},
		{"hold", map[string]any{"side": "up"}, []error{ErrParamRange},
			[]string{`hold: parameter "side" = "up": must be "long" or "short"`}},
		{"hold", map[string]any{"side": 1}, []error{ErrParamType},
			[]string{`parameter "side": got number 1, want a string`}},
		{"breakout", map[string]any{"window": 0, "exit_window": -3}, []error{ErrParamRange},
			[]string{`"window" = 0: must be an integer in [1, 1000000]`, `"exit_window" = -3`}},
		{"mean_revert", map[string]any{"entry_z": 1, "exit_z": 1.5}, []error{ErrParamRange},
			[]string{`"exit_z" = 1.5: must be a number in [0, entry_z] = [0, 1]`}},
		{"mean_revert", map[string]any{"entry_z": 0}, []error{ErrParamRange},
			[]string{`"entry_z" = 0: must be a number in (0, 1000]`}},
		{"random", map[string]any{"entry_prob": 1.5, "stop": 1}, []error{ErrParamRange},
			[]string{`"entry_prob" = 1.5: must be a probability in [0, 1]`, `"stop" = 1: must be a fraction in [0, 1)`}},
		{"funding_carry", map[string]any{"threshold": -0.1}, []error{ErrParamRange},
			[]string{`"threshold" = -0.1: must be a number ≥ 0`}},
		// Every problem at once, and no complaint about a default that
		// stood in for an unparsable value.
		{"sma_cross", map[string]any{"fast": "x", "slow": 10, "bogus": true, "stop": -1}, []error{ErrUnknownParam, ErrParamType, ErrParamRange},
			[]string{`unknown parameter "bogus"`, `"fast": got string "x"`, `"stop" = -1`}},
	} {
		_, err := New(tc.name, tc.params, 0)
		if err == nil {
			t.Errorf("New(%q, %v): no error", tc.name, tc.params)
			continue
		}
		for _, target := range tc.is {
			if !errors.Is(err, target) {
				t.Errorf("New(%q, %v): %v: not %v", tc.name, tc.params, err, target)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%q, %v): %q does not contain %q", tc.name, tc.params, err, w)
			}
		}
		if strings.Contains(err.Error(), `"fast" = 20`) {
			t.Errorf("New(%q, %v): %q complains about the default", tc.name, tc.params, err)
		}
	}
}

func TestParamErrorAs(t *testing.T) {
	_, err := New("breakout", map[string]any{"window": 0}, 0)
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Name != "breakout" || pe.Key != "window" || pe.Err != ErrParamRange {
		t.Fatalf("errors.As: %#v", pe)
	}
}

func TestConstructorsValidate(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := NewHold(HoldConfig{}); return err }(), `hold: parameter "side" = 0`},
		{func() error { _, err := NewSMACross(SMACrossConfig{}); return err }(), `sma_cross: parameter "slow" = 0`},
		{func() error { _, err := NewBreakout(BreakoutConfig{Window: 5}); return err }(), `breakout: parameter "exit_window" = 0`},
		{func() error { _, err := NewMeanRevert(MeanRevertConfig{Window: 1, EntryZ: 2}); return err }(), `mean_revert: parameter "window" = 1`},
		{func() error { _, err := NewRandom(RandomConfig{EntryProb: -1}); return err }(), `random: parameter "entry_prob" = -1`},
		{func() error { _, err := NewFundingCarry(FundingCarryConfig{Stop: 0.5, Threshold: 1}); return err }(), ""},
	} {
		if tc.want == "" {
			if tc.err != nil {
				t.Errorf("unexpected error %v", tc.err)
			}
			continue
		}
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) || !errors.Is(tc.err, ErrParamRange) {
			t.Errorf("error %v, want one containing %q", tc.err, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, name := range Names() {
		d := Describe(name)
		if !strings.HasPrefix(d, name+": ") {
			t.Errorf("Describe(%q) does not start with the name: %q", name, d)
		}
		params := Params(name)
		if len(params) == 0 || params[len(params)-1].Key != "stop" {
			t.Errorf("Params(%q) = %v: every strategy takes stop", name, params)
		}
		for _, p := range params {
			if line := "  " + p.Key + ": " + formatValue(p.Default); !strings.Contains(d, line) {
				t.Errorf("Describe(%q) lacks %q:\n%s", name, line, d)
			}
		}
		// Every default is accepted back.
		vals := map[string]any{}
		for _, p := range params {
			vals[p.Key] = p.Default
		}
		if _, err := New(name, vals, 0); err != nil {
			t.Errorf("New(%q) with Params' defaults: %v", name, err)
		}
	}
	for _, kind := range SizerNames() {
		d := DescribeSizer(kind)
		for _, p := range SizerParams(kind) {
			if !strings.Contains(d, "  "+p.Key+": ") {
				t.Errorf("DescribeSizer(%q) lacks %s", kind, p.Key)
			}
		}
	}
	if Describe("nope") != "" || DescribeSizer("nope") != "" || Params("nope") != nil || SizerParams("nope") != nil {
		t.Error("unknown names must describe to nothing")
	}
}
