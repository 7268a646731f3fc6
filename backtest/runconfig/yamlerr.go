package runconfig

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Messages of the yaml package, rewritten to name the key path and to
// speak of keys rather than Go types.
var (
	reLine       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	reUnknownKey = regexp.MustCompile("^field (\\S+) not found in type \\S+$")
	reBadType    = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// yamlErrors turns an error of the yaml package into Errors with lines
// and, when idx is known, key paths.
func yamlErrors(err error, idx *lineIndex) []*Error {
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
				e.Path = idx.keyAt(e.Line, k[1])
				if e.Path == "" {
					e.Path = k[1]
				}
				e.Err = fmt.Errorf("unknown key; allowed: %s%s", allowedKeys(parentPath(e.Path)), suggest(e.Path))
			} else if bt := reBadType.FindStringSubmatch(msg); bt != nil {
				if bt[2] == "" {
					e.Path = idx.valueAt(e.Line, "!!"+bt[1]) // a list or mapping
				} else {
					e.Path = idx.valueAt(e.Line, bt[2])
					e.Value = describeYAML(bt[1], bt[2])
				}
				want := describeGoType(bt[3])
				if e.Value == "" {
					e.Err = fmt.Errorf("want %s, got %s", want, describeYAML(bt[1], bt[2]))
				} else {
					e.Err = fmt.Errorf("want %s", want)
				}
				if e.Path == "leverage" && bt[1] == "seq" {
					e.Err = fmt.Errorf("%w (lists of leverages are for sweeps, which are not built yet)", e.Err)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// parentPath returns the path of the mapping that holds path.
func parentPath(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}

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

// allowedKeys lists the keys allowed in the mapping at path, as the
// struct tags of the type that decodes it.
func allowedKeys(path string) string {
	var t reflect.Type
	switch {
	case path == "":
		t = reflect.TypeFor[File]()
	case path == "data":
		t = reflect.TypeFor[Data]()
	case path == "data.synthetic":
		t = reflect.TypeFor[Synthetic]()
	case strings.HasPrefix(path, "data.symbols."):
		t = reflect.TypeFor[SymbolFiles]()
	case path == "fees":
		t = reflect.TypeFor[Fees]()
	case path == "strategy":
		t = reflect.TypeFor[StrategySpec]()
	case path == "sizing":
		t = reflect.TypeFor[SizingSpec]()
	case path == "margin_policy":
		t = reflect.TypeFor[MarginPolicy]()
	default:
		return "(any)"
	}
	var names []string
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return strings.Join(names, ", ")
}

// lineIndex records where each key path of a YAML document sits, so that
// problems found after decoding can name their line.
type lineIndex struct {
	lines  map[string]int // key path → line of its key (or list item)
	keys   []nodePos      // every mapping key, in document order
	values []nodePos      // every scalar value, and every list (!!seq) and mapping (!!map), in document order
}

type nodePos struct {
	path, value, tag string
	line             int
}

func newLineIndex(root *yaml.Node) *lineIndex {
	idx := &lineIndex{lines: map[string]int{}}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		idx.walk(root.Content[0], "")
	}
	return idx
}

func (idx *lineIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		idx.values = append(idx.values, nodePos{path: path, value: "!!map", tag: n.Tag, line: n.Line})
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, dup := idx.lines[p]; !dup {
				idx.lines[p] = k.Line
			}
			idx.keys = append(idx.keys, nodePos{path: p, value: k.Value, line: k.Line})
			idx.walk(v, p)
		}
	case yaml.SequenceNode:
		idx.values = append(idx.values, nodePos{path: path, value: "!!seq", tag: n.Tag, line: n.Line})
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			idx.lines[p] = c.Line
			idx.walk(c, p)
		}
	case yaml.ScalarNode:
		idx.values = append(idx.values, nodePos{path: path, value: n.Value, tag: n.Tag, line: n.Line})
	}
	// Aliases are not followed: what they point to is indexed where it is
	// defined, and following them could take exponential time.
}

// line returns the line of path, or of its nearest listed parent; 0 when
// idx is nil or knows none.
func (idx *lineIndex) line(path string) int {
	if idx == nil {
		return 0
	}
	for path != "" {
		if l, ok := idx.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// keyAt returns the path of the key named key on line.
func (idx *lineIndex) keyAt(line int, key string) string {
	if idx == nil {
		return ""
	}
	for _, k := range idx.keys {
		if k.line == line && k.value == key {
			return k.path
		}
	}
	return ""
}

// valueAt returns the path of the scalar value on line whose text is value
// (the yaml package shortens long values to their start and "..."), or of
// the list or mapping on line when value is !!seq or !!map.
func (idx *lineIndex) valueAt(line int, value string) string {
	if idx == nil {
		return ""
	}
	prefix, cut := strings.CutSuffix(value, "...")
	for _, k := range idx.values {
		if k.line == line && (k.value == value || cut && strings.HasPrefix(k.value, prefix)) {
			return k.path
		}
	}
	return ""
}

// suggest returns " (did you mean X?)" when the last part of an unknown
// key's path is a key elsewhere in the file.
func suggest(path string) string {
	leaf := path[strings.LastIndex(path, ".")+1:]
	var found []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			p := prefix + tag
			if tag == leaf && p != path {
				found = append(found, p)
			}
			switch ft := t.Field(i).Type; {
			case ft.Kind() == reflect.Struct:
				walk(ft, p+".")
			case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), p+".<name>.")
			}
		}
	}
	walk(reflect.TypeFor[File](), "")
	if len(found) == 0 {
		return ""
	}
	return " (did you mean " + orList(found) + "?)"
}
