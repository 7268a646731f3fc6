package strategy

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/marginlab/marginlab/backtest"
)

// RandomConfig configures Random. Registry name "random".
type RandomConfig struct {
	// EntryProb is the probability that a flat symbol opens a position at
	// a bar's close. Default 0.01; parameter entry_prob, in [0, 1].
	EntryProb float64
	// ExitProb is the probability that an open position goes flat at a
	// bar's close. Default 0.01; parameter exit_prob, in [0, 1].
	ExitProb float64
	// Seed selects the random streams; every value is valid. Through the
	// registry it is New's seed argument, not a parameter.
	Seed uint64
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price; 0 (the default) means none. Parameter stop, in [0, 1).
	Stop float64
}

// DefaultRandomConfig returns the defaults: entry_prob 0.01, exit_prob
// 0.01, seed 0, no stop.
func DefaultRandomConfig() RandomConfig { return RandomConfig{EntryProb: 0.01, ExitProb: 0.01} }

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c RandomConfig) Validate() error {
	var errs []error
	if err := checkFloat("random", "entry_prob", c.EntryProb, 0, 1, false, false, "a probability in [0, 1]"); err != nil {
		errs = append(errs, err)
	}
	if err := checkFloat("random", "exit_prob", c.ExitProb, 0, 1, false, false, "a probability in [0, 1]"); err != nil {
		errs = append(errs, err)
	}
	if err := checkStop("random", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// randomStreamKey separates this package's streams from other users of
// the same seed (data.Synthesize among them).
const randomStreamKey = 0x72616e646f6d5f73 // "random_s"

// Random enters and exits at random: the neutral baseline for liquidation
// hazard, whose positions owe nothing to the price path. Symbol s draws
// from its own math/rand/v2 PCG stream seeded with (Seed,
// splitmix64(key + s)), so its intents depend only on Seed, s and the bar
// index: not on the prices, the other symbols or their number. At every
// bar each symbol draws, in this order and whatever its state, u (uniform
// in [0, 1)), a side bit and e (uniform in [0, 1)); then
//
//	a flat symbol enters when u < EntryProb, long if the bit is 0, short if 1;
//	an open one exits to flat when e < ExitProb.
//
// A position therefore lasts 1/ExitProb bars on average and a flat spell
// 1/EntryProb bars. The first decision is at bar 0.
type Random struct {
	cfg RandomConfig
	cur cursor
	sym []randomState
}

type randomState struct {
	pcg  *rand.PCG
	side int
}

// NewRandom returns a Random strategy, or the error of cfg.Validate.
func NewRandom(cfg RandomConfig) (*Random, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Random{cfg: cfg}, nil
}

// Decide draws each symbol's numbers for the bars up to the view's bar and
// sets its intent.
func (x *Random) Decide(v *backtest.View, intents []backtest.Intent) {
	from, reset := x.cur.advance(v)
	if reset {
		n := v.Symbols()
		if len(x.sym) != n {
			x.sym = make([]randomState, n)
			for s := range x.sym {
				x.sym[s].pcg = new(rand.PCG)
			}
		}
		for s := range x.sym {
			x.sym[s].pcg.Seed(x.cfg.Seed, splitmix64(randomStreamKey+uint64(s)))
			x.sym[s].side = 0
		}
	}
	i := v.Bar()
	for s := range x.sym {
		st := &x.sym[s]
		for b := from; b <= i; b++ {
			u := unitFloat(st.pcg.Uint64())
			short := st.pcg.Uint64()>>63 == 1
			e := unitFloat(st.pcg.Uint64())
			switch {
			case st.side == 0 && u < x.cfg.EntryProb:
				st.side = 1
				if short {
					st.side = -1
				}
			case st.side != 0 && e < x.cfg.ExitProb:
				st.side = 0
			}
		}
		intents[s] = intent(st.side, x.cfg.Stop)
	}
}

// unitFloat maps 64 random bits to [0, 1) as math/rand/v2's Float64 does.
func unitFloat(u uint64) float64 { return float64(u<<11>>11) / (1 << 53) }

// splitmix64 is the SplitMix64 finaliser: it spreads consecutive inputs
// over the whole 64-bit range.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// String returns the registry name with the parameters:
// "random(entry_prob=0.01 exit_prob=0.01 seed=0 stop=0)".
func (x *Random) String() string {
	c := x.cfg
	return fmt.Sprintf("random(entry_prob=%s exit_prob=%s seed=%d stop=%s)",
		formatValue(c.EntryProb), formatValue(c.ExitProb), c.Seed, formatValue(c.Stop))
}
