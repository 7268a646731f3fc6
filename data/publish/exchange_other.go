//go:build !linux

package publish

// exchange is not available: Commit renames the target aside instead.
func exchange(a, b string) error { return errNoExchange }
