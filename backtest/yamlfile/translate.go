package yamlfile

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Schema says what Translate cannot learn from the yaml package's
// messages: how to explain an unknown key, where a mismatched value goes
// in the message, and any hint to add. The zero Schema gives plain
// messages.
type Schema struct {
	// UnknownKey explains key, which stands in a mapping whose Go type has
	// no such key. It gets e with Line and Path set (Path is the key's
	// path; "" when the Index does not know it), sets e.Err, typically
	// naming the keys allowed there and the ones meant, and may change
	// e.Path. Nil: e.Err reads `unknown key "key"`.
	UnknownKey func(e *Error, key string)
	// ValueInPath says where a value of the wrong type is named. False: in
	// the message, quoted: `want a number, got "cheap"`. True: in
	// Error.Value, as written and quoted only when a string, so the
	// message reads `path = cheap: want a number`; a list or mapping is
	// still named in the message: "want a number, got a list".
	ValueInPath bool
	// Mismatch, when set, is called after a value of the wrong type, with
	// e complete and the tag of what was found, without "!!" ("str",
	// "int", "seq", "map", ...); it may amend e, e.g. add a hint to e.Err.
	Mismatch func(e *Error, tag string)
}

// Messages of the yaml package, rewritten to name the key path and to
// speak of keys rather than Go types.
var (
	reLine       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	reUnknownKey = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	reBadType    = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// Translate turns an error of the yaml package (from yaml.Unmarshal, or
// from the Decode of a Decoder with KnownFields set) into Errors with
// lines and, when idx is not nil, key paths: one for each problem a
// *yaml.TypeError lists, else one. Source and Prefix are left for the
// caller to set.
func Translate(err error, idx *Index, s Schema) []*Error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]*Error, 0, len(msgs))
	for _, m := range msgs {
		e := &Error{Err: errors.New(strings.TrimPrefix(m, "yaml: "))}
		if lm := reLine.FindStringSubmatch(m); lm != nil {
			e.Line, _ = strconv.Atoi(lm[1])
			msg := lm[2]
			e.Err = errors.New(msg)
			if k := reUnknownKey.FindStringSubmatch(msg); k != nil {
				e.Path = idx.KeyAt(e.Line, k[1])
				if s.UnknownKey != nil {
					s.UnknownKey(e, k[1])
				} else {
					e.Err = fmt.Errorf("unknown key %q", k[1])
				}
			} else if bt := reBadType.FindStringSubmatch(msg); bt != nil {
				s.mismatch(e, idx, bt[1], bt[2], bt[3])
			}
		}
		out = append(out, e)
	}
	return out
}

// mismatch fills e for a value of the wrong type: tag is what was found
// (without "!!"), value its text as the yaml package quotes it (empty for
// a list or mapping), goType the Go type it could not be decoded into.
func (s Schema) mismatch(e *Error, idx *Index, tag, value, goType string) {
	if value == "" {
		e.Path = idx.ValueAt(e.Line, "!!"+tag) // a list or mapping
	} else {
		e.Path = idx.ValueAt(e.Line, value)
	}
	want := describeGoType(goType)
	switch {
	case s.ValueInPath && value != "":
		e.Value = describeYAML(tag, value)
		e.Err = fmt.Errorf("want %s", want)
	case s.ValueInPath:
		e.Err = fmt.Errorf("want %s, got %s", want, describeYAML(tag, value))
	default:
		got := strconv.Quote(value)
		if tag == "map" || tag == "seq" {
			got = describeYAML(tag, value)
		}
		e.Err = fmt.Errorf("want %s, got %s", want, got)
	}
	if s.Mismatch != nil {
		s.Mismatch(e, tag)
	}
}

// describeGoType names a Go type, as the yaml package prints it, in terms
// of YAML.
func describeGoType(t string) string {
	switch {
	case t == "float64":
		return "a number"
	case t == "int":
		return "an integer"
	case t == "uint64":
		return "an integer ≥ 0"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	default:
		return "a mapping of keys"
	}
}

// describeYAML names a YAML value of the tag (without "!!"): a list or a
// mapping by its kind, a string quoted, another scalar as written.
func describeYAML(tag, value string) string {
	switch tag {
	case "map":
		return "a mapping"
	case "seq":
		return "a list"
	case "str":
		return strconv.Quote(value)
	}
	return value
}
