package strategy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors. Every error New, NewSizer, the constructors and the
// Validate methods return wraps one of them (through errors.Join when
// several problems are reported at once), so callers can branch with
// errors.Is.
var (
	// ErrUnknownName: no strategy or sizer of that name.
	ErrUnknownName = errors.New("strategy: unknown name")
	// ErrUnknownParam: a parameter key the strategy or sizer does not take.
	ErrUnknownParam = errors.New("strategy: unknown parameter")
	// ErrParamType: a parameter value of the wrong type (a string for a
	// number, 2.5 for an integer, …).
	ErrParamType = errors.New("strategy: parameter of the wrong type")
	// ErrParamRange: a parameter value outside its allowed range.
	ErrParamRange = errors.New("strategy: parameter out of range")
)

// ParamError reports one bad parameter of a strategy or sizer. Its message
// names the strategy or sizer, the parameter key (as written in a config
// file) and what is allowed, e.g.
//
//	strategy: sma_cross: parameter "fast" = 60: must be an integer in [1, slow−1] = [1, 49]
type ParamError struct {
	Name string // strategy or sizer name: "sma_cross", "risk"
	Key  string // parameter key: "fast"
	Msg  string // the message after "strategy: Name: "
	Err  error  // ErrUnknownParam, ErrParamType or ErrParamRange
}

// Error returns "strategy: Name: Msg".
func (e *ParamError) Error() string { return "strategy: " + e.Name + ": " + e.Msg }

// Unwrap returns the sentinel (ErrUnknownParam, ErrParamType or
// ErrParamRange).
func (e *ParamError) Unwrap() error { return e.Err }

// rangeError reports key = value outside the range described by want
// ("an integer in [1, 1000000]").
func rangeError(name, key string, value any, want string) error {
	return &ParamError{Name: name, Key: key, Err: ErrParamRange,
		Msg: fmt.Sprintf("parameter %q = %s: must be %s", key, formatValue(value), want)}
}

// Param describes one parameter of a strategy or sizer, for help texts and
// generated config files.
type Param struct {
	Key     string // as written in a config file: "fast"
	Default any    // the default: an int, float64, bool or string
	Doc     string // meaning, unit and allowed range, one line
}

// paramKind is the Go type a parameter's value converts to.
type paramKind int

const (
	kindInt    paramKind = iota // int; any integral number is accepted
	kindFloat                   // float64; any number is accepted
	kindBool                    // bool
	kindString                  // string
)

// want returns the phrase used in type errors.
func (k paramKind) want() string {
	switch k {
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindBool:
		return "true or false"
	}
	return "a string"
}

// paramSpec is one parameter in the registry tables.
type paramSpec struct {
	key  string
	kind paramKind
	def  any // int, float64, bool or string, matching kind
	doc  string
}

// paramValues holds a parsed parameter map: every key of the spec, with
// its default where the input had none. Values have the spec's Go type.
type paramValues map[string]any

func (p paramValues) int(key string) int       { return p[key].(int) }
func (p paramValues) float(key string) float64 { return p[key].(float64) }
func (p paramValues) bool(key string) bool     { return p[key].(bool) }
func (p paramValues) string(key string) string { return p[key].(string) }

// parseParams checks raw against specs: unknown keys and values of the
// wrong type are reported (every one, in key order) as *ParamError joined
// with errors.Join. The returned values hold every spec key, with the
// default for keys that were missing or bad.
func parseParams(name string, specs []paramSpec, raw map[string]any) (paramValues, error) {
	vals := make(paramValues, len(specs))
	for _, s := range specs {
		vals[s.key] = s.def
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var errs []error
	for _, k := range keys {
		i := slices.IndexFunc(specs, func(s paramSpec) bool { return s.key == k })
		if i < 0 {
			errs = append(errs, &ParamError{Name: name, Key: k, Err: ErrUnknownParam,
				Msg: fmt.Sprintf("unknown parameter %q (allowed: %s)", k, allowedKeys(specs))})
			continue
		}
		v, err := convertParam(specs[i].kind, raw[k])
		if err != nil {
			errs = append(errs, &ParamError{Name: name, Key: k, Err: ErrParamType,
				Msg: fmt.Sprintf("parameter %q: got %s, want %s", k, describeValue(raw[k]), err.Error())})
			continue
		}
		vals[k] = v
	}
	return vals, errors.Join(errs...)
}

// allowedKeys lists the spec keys in alphabetical order.
func allowedKeys(specs []paramSpec) string {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.key
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// convertParam converts a decoded config value (YAML gives int, JSON gives
// float64, Go callers may give any numeric type) to kind's Go type. The
// error text is what was wanted.
func convertParam(kind paramKind, v any) (any, error) {
	switch kind {
	case kindInt:
		switch x := v.(type) { // integer types convert exactly
		case int:
			return x, nil
		case int8, int16, int32, int64:
			return int(signedValue(x)), nil
		case uint, uint8, uint16, uint32, uint64, uintptr:
			u := unsignedValue(x)
			if u > math.MaxInt {
				return math.MaxInt, nil // out of every range; the range check reports it
			}
			return int(u), nil
		}
		f, ok := number(v)
		if !ok {
			return nil, errors.New(kind.want())
		}
		if f != math.Trunc(f) {
			return nil, errors.New("an integer")
		}
		if math.Abs(f) >= 1<<62 {
			return int(math.Copysign(1<<62, f)), nil // out of every range
		}
		return int(f), nil
	case kindFloat:
		f, ok := number(v)
		if !ok {
			return nil, errors.New(kind.want())
		}
		return f, nil
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, errors.New(kind.want())
	default:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, errors.New(kind.want())
	}
}

// signedValue returns a signed integer value as int64.
func signedValue(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

// unsignedValue returns an unsigned integer value as uint64.
func unsignedValue(v any) uint64 {
	switch x := v.(type) {
	case uint:
		return uint64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case uintptr:
		return uint64(x)
	}
	return 0
}

// number returns v as a float64 when v is a Go number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// describeValue names a value's type and shows it: `string "20"`,
// `bool true`, `nil`.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return "string " + strconv.Quote(x)
	case bool:
		return "bool " + strconv.FormatBool(x)
	}
	if f, ok := number(v); ok {
		return "number " + formatValue(f)
	}
	return fmt.Sprintf("%T %v", v, v)
}

// formatValue shows a parameter value the way a config file would hold it.
func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// Checks shared by the Validate methods. Each returns nil or a
// *ParamError wrapping ErrParamRange.

// maxWindow bounds every window length: a million bars is more history
// than any strategy here needs, and it keeps per-symbol buffers bounded.
const maxWindow = 1_000_000

// checkInt reports key = v outside [lo, hi]; want describes the range.
func checkInt(name, key string, v, lo, hi int, want string) error {
	if v < lo || v > hi {
		return rangeError(name, key, v, want)
	}
	return nil
}

// checkFloat reports key = v that is not finite or outside [lo, hi]
// (open at lo when loOpen, at hi when hiOpen).
func checkFloat(name, key string, v, lo, hi float64, loOpen, hiOpen bool, want string) error {
	bad := math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi || (loOpen && v == lo) || (hiOpen && v == hi)
	if bad {
		return rangeError(name, key, v, want)
	}
	return nil
}

// checkStop validates the stop parameter every strategy takes.
func checkStop(name string, stop float64) error {
	return checkFloat(name, "stop", stop, 0, 1, false, true, "a fraction in [0, 1) (0: no stop)")
}

// maxFloat is the largest finite float64, for checks without an upper
// bound.
const maxFloat = math.MaxFloat64
