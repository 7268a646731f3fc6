package runconfig

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/marginlab/marginlab/backtest/yamlfile"
	"gopkg.in/yaml.v3"
)

// schema gives decoding errors the keys allowed beside an unknown key and
// the ones it may have meant, and puts a mismatched value after its key.
var schema = yamlfile.Schema{
	UnknownKey: func(e *Error, key string) {
		if e.Path == "" {
			e.Path = key
		}
		e.Err = fmt.Errorf("unknown key; allowed: %s%s", allowedKeys(yamlfile.Parent(e.Path)), suggest(e.Path))
	},
	ValueInPath: true,
	Mismatch: func(e *Error, tag string) {
		if e.Path == "leverage" && tag == "seq" {
			e.Err = fmt.Errorf("%w (a list of leverages is a sweep: run it with 'marginlab sweep -c FILE --out DIR')", e.Err)
		}
	},
}

// yamlErrors turns an error of the yaml package into Errors with lines
// and, when idx is known, key paths.
func yamlErrors(err error, idx *lineIndex) []*Error {
	var yi *yamlfile.Index
	if idx != nil {
		yi = idx.Index
	}
	return yamlfile.Translate(err, yi, schema)
}

// lineIndex is the yamlfile.Index of a parsed file, with the values listed
// for the check of integer keys.
type lineIndex struct {
	*yamlfile.Index
	values []nodePos // every scalar, list and mapping, in document order
}

type nodePos struct {
	path, value, tag string
	line             int
}

func newLineIndex(root *yaml.Node) *lineIndex {
	idx := &lineIndex{Index: yamlfile.NewIndex(root)}
	for _, n := range idx.Values() {
		idx.values = append(idx.values, nodePos{path: n.Path, value: n.Value, tag: n.Tag, line: n.Line})
	}
	return idx
}

// line returns the line of path, or of its nearest listed parent; 0 when
// idx is nil or knows none.
func (idx *lineIndex) line(path string) int {
	if idx == nil {
		return 0
	}
	return idx.Line(path)
}

// has reports whether the file gives the key at path (null included).
func (idx *lineIndex) has(path string) bool {
	if idx == nil {
		return false
	}
	for _, v := range idx.values {
		if v.path == path {
			return true
		}
	}
	return false
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
	case path == "data.coverage":
		t = reflect.TypeFor[Coverage]()
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
	return strings.Join(yamlfile.StructKeys(t), ", ")
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
