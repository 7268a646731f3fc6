package risk

import (
	"math"
	"strings"
	"testing"
)

// near reports whether got is within tol of want.
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// checkNear fails the test when got is farther than tol from want.
func checkNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.6g, want %.6g ± %g", what, got, want, tol)
	}
}

// isNaNInterval reports whether every field of iv is NaN.
func isNaNInterval(iv Interval) bool {
	return math.IsNaN(iv.Estimate) && math.IsNaN(iv.Lo) && math.IsNaN(iv.Hi)
}

// mustPanic fails the test unless f panics with a message containing want.
func mustPanic(t *testing.T, name, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic, want one mentioning %q", name, want)
			return
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Errorf("%s: panic %v, want one mentioning %q", name, r, want)
		}
	}()
	f()
}
