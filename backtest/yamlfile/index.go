package yamlfile

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Index records where each key path of a YAML document sits, so that
// problems found while or after decoding can name their line and key.
// Paths join mapping keys with "." and list indexes with "[i]":
// "symbols.BTCUSDT[1].brackets[0].mmr". A nil *Index knows nothing.
type Index struct {
	lines  map[string]int // key path → line of its key (or list item)
	keys   []Node         // every mapping key, in document order
	values []Node         // every scalar, list and mapping, in document order
}

// Node is a key or a value of the document, where Index found it.
type Node struct {
	Path string // key path of the key, or of the key (or list item) holding the value
	// Value is the key's name, the scalar's text, or "!!seq" or "!!map"
	// for a list or mapping.
	Value string
	Tag   string // of a value: the resolved tag, e.g. "!!int", "!!str"; empty for keys
	Line  int    // 1-based
}

// NewIndex indexes the document root, as yaml.Unmarshal into a yaml.Node
// leaves it. Aliases are not followed: what they point to is indexed
// where it is defined (following them could take exponential time).
func NewIndex(root *yaml.Node) *Index {
	idx := &Index{lines: map[string]int{}}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		idx.walk(root.Content[0], "")
	}
	return idx
}

func (idx *Index) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		idx.values = append(idx.values, Node{Path: path, Value: "!!map", Tag: n.Tag, Line: n.Line})
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, dup := idx.lines[p]; !dup {
				idx.lines[p] = k.Line
			}
			idx.keys = append(idx.keys, Node{Path: p, Value: k.Value, Line: k.Line})
			idx.walk(v, p)
		}
	case yaml.SequenceNode:
		idx.values = append(idx.values, Node{Path: path, Value: "!!seq", Tag: n.Tag, Line: n.Line})
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			idx.lines[p] = c.Line
			idx.walk(c, p)
		}
	case yaml.ScalarNode:
		idx.values = append(idx.values, Node{Path: path, Value: n.Value, Tag: n.Tag, Line: n.Line})
	}
}

// Line returns the line of path's key (or list item), or of its nearest
// parent the document has; 0 when there is none. For a repeated key it is
// the first one's line.
func (idx *Index) Line(path string) int {
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

// KeyAt returns the path of the first key named key on line; "" when there
// is none.
func (idx *Index) KeyAt(line int, key string) string {
	if idx == nil {
		return ""
	}
	for _, k := range idx.keys {
		if k.Line == line && k.Value == key {
			return k.Path
		}
	}
	return ""
}

// ValueAt returns the path of the first scalar value on line whose text is
// value, or of the first list or mapping on line when value is "!!seq" or
// "!!map"; "" when there is none. A value ending in "..." (as the yaml
// package shortens long values) matches the values it starts.
func (idx *Index) ValueAt(line int, value string) string {
	if idx == nil {
		return ""
	}
	prefix, cut := strings.CutSuffix(value, "...")
	for _, k := range idx.values {
		if k.Line == line && (k.Value == value || cut && strings.HasPrefix(k.Value, prefix)) {
			return k.Path
		}
	}
	return ""
}

// Values returns every scalar, list and mapping of the document, in
// document order. The caller must not change the slice.
func (idx *Index) Values() []Node {
	if idx == nil {
		return nil
	}
	return idx.values
}

// Parent returns the path of the mapping that holds the key at path: path
// up to its last ".", or "" for a top-level key.
func Parent(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}

// StructKeys returns the keys of the struct type t as yaml decodes them:
// the names of its yaml tags, in field order, leaving out fields without
// a name and those tagged "-".
func StructKeys(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}
