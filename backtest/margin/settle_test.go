package margin

import "testing"

func TestSettlePrice(t *testing.T) {
	for _, tc := range []struct {
		name           string
		side           int
		lp, open, want float64
	}{
		{"long, reached inside the bar", 1, 28643, 29000, 28643},
		{"long, gapped below", 1, 28643, 28000, 28000},
		{"short, reached inside the bar", -1, 31500, 31000, 31500},
		{"short, gapped above", -1, 31500, 32000, 32000},
	} {
		if got := SettlePrice(tc.side, tc.lp, tc.open); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
