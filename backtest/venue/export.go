package venue

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// AddTablesToFile returns the venue file src (YAML or JSON, as Parse
// reads it) with a table effective from at added for each symbol of
// tables, and source appended to its sources. Everything else in src is
// kept as it is, comments and keys this version does not know included,
// so a venue file can be extended without being rewritten. A symbol that
// already has a table of that date keeps it; those whose two tables
// differ are returned. The result is checked with Parse (source names it
// in errors).
func AddTablesToFile(src []byte, at time.Time, tables map[string]Brackets, cite Source, source string) (out []byte, differ []string, err error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, nil, fmt.Errorf("venue: %s: %w", source, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("venue: %s: want a mapping of venue keys", source)
	}
	top := root.Content[0]
	symbols := mappingValue(top, "symbols", yaml.MappingNode)
	day := at.Format(dateLayout)
	for _, sym := range sortedKeys(tables) {
		list := mappingValue(symbols, sym, yaml.SequenceNode)
		pos := len(list.Content)
		exists := false
		for i, t := range list.Content {
			d := scalarValue(t, "effective_from")
			if d == day {
				exists = true
				if !slices.Equal(tableOf(t), tables[sym]) {
					differ = append(differ, sym)
				}
				break
			}
			if d > day && pos == len(list.Content) {
				pos = i
			}
		}
		if !exists {
			list.Content = slices.Insert(list.Content, pos, tableNode(day, tables[sym]))
		}
	}
	sortMapping(symbols)
	sources := mappingValue(top, "sources", yaml.SequenceNode)
	cited := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range [][2]string{{"what", cite.What}, {"url", cite.URL}, {"date", cite.Date}} {
		cited.Content = append(cited.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[0]},
			&yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: kv[1]})
	}
	sources.Content = append(sources.Content, cited)

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	if _, err := Parse(b.Bytes(), source); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), differ, nil
}

// mappingValue returns the value of key in mapping m, adding key with an
// empty value of the given kind when absent.
func mappingValue(m *yaml.Node, key string, kind yaml.Kind) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				*v = yaml.Node{Kind: kind}
			}
			return v
		}
	}
	v := &yaml.Node{Kind: kind}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	return v
}

// scalarValue returns the scalar under key in mapping m, "" if none.
func scalarValue(m *yaml.Node, key string) string {
	if m.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// tableOf decodes a table node's brackets as Parse would, for comparison.
func tableOf(t *yaml.Node) Brackets {
	var ft fileTable
	if err := t.Decode(&ft); err != nil {
		return nil
	}
	br := make(Brackets, len(ft.Brackets))
	for j, b := range ft.Brackets {
		for _, f := range []struct {
			dst *float64
			src *float64
		}{{&br[j].Floor, b.Floor}, {&br[j].MMR, b.MMR}, {&br[j].MaxLeverage, b.MaxLeverage}, {&br[j].Cap, b.Cap}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if b.Cap == nil {
			br[j].Cap = math.Inf(1)
		}
	}
	rec := slices.Clone(br)
	rec.Cumulate()
	for j, b := range ft.Brackets {
		br[j].Cum = rec[j].Cum
		if b.Cum != nil {
			br[j].Cum = *b.Cum
		}
	}
	return br
}

// tableNode is a table as the presets write one: a bracket a line.
func tableNode(day string, br Brackets) *yaml.Node {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, b := range br {
		kv := []string{"floor", fnum(b.Floor)}
		if !math.IsInf(b.Cap, 1) {
			kv = append(kv, "cap", fnum(b.Cap))
		}
		kv = append(kv, "mmr", fnum(b.MMR), "cum", fnum(b.Cum), "max_leverage", fnum(b.MaxLeverage))
		list.Content = append(list.Content, flowMap(kv...))
	}
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "effective_from"}, {Kind: yaml.ScalarNode, Value: day},
		{Kind: yaml.ScalarNode, Value: "brackets"}, list,
	}}
}

// flowMap builds {k1: v1, k2: v2, ...} on one line.
func flowMap(kv ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, s := range kv {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: s})
	}
	return n
}

// sortMapping orders a mapping's entries by key; each key keeps its value
// and comments.
func sortMapping(m *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return strings.Compare(a.k.Value, b.k.Value) })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// PresetSource returns the embedded venue file of preset name, as
// written (without its bracket snapshot: see AddTablesToFile and
// PresetSnapshot to merge it).
func PresetSource(name string) ([]byte, error) {
	if !slices.Contains(PresetNames(), name) {
		return nil, fmt.Errorf("%w: unknown preset %q (presets: %s)", ErrNotFound, name, strings.Join(PresetNames(), ", "))
	}
	return presetFS.ReadFile("presets/" + name + ".yaml")
}

// PresetSnapshot returns the bracket snapshot embedded for preset name,
// nil when it has none.
func PresetSnapshot(name string) (*TiersSnapshot, error) {
	file := "presets/" + name + ".tiers.json"
	data, err := tiersFS.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodeTiersSnapshot(data, file)
}
