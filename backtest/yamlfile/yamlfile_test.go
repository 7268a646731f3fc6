package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const indexDoc = `name: demo
point: {x: 1, y: two}
items:
  - a
  - {k: v}
long: abcdefghijklmnop
nested:
  inner:
    deep: [1, 2]
`

func index(t *testing.T, doc string) *Index {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	return NewIndex(&root)
}

func TestIndexLine(t *testing.T) {
	idx := index(t, indexDoc)
	for path, want := range map[string]int{
		"name":               1,
		"point":              2,
		"point.y":            2,
		"items":              3,
		"items[0]":           4,
		"items[1]":           5,
		"items[1].k":         5,
		"nested.inner.deep":  9,
		"nested.inner":       8,
		"nested.inner.gone":  8, // nearest parent
		"items[7]":           3,
		"items[1].k.more[2]": 5,
		"nosuch":             0,
		"":                   0,
	} {
		if got := idx.Line(path); got != want {
			t.Errorf("Line(%q) = %d, want %d", path, got, want)
		}
	}
	var none *Index
	if none.Line("name") != 0 || none.KeyAt(1, "name") != "" || none.ValueAt(1, "demo") != "" || none.Values() != nil {
		t.Error("a nil Index knows something")
	}
}

func TestIndexKeyAtValueAt(t *testing.T) {
	idx := index(t, indexDoc)
	keys := []struct {
		line      int
		key, want string
	}{
		{2, "y", "point.y"},
		{5, "k", "items[1].k"},
		{9, "deep", "nested.inner.deep"},
		{1, "y", ""}, // not on that line
	}
	for _, k := range keys {
		if got := idx.KeyAt(k.line, k.key); got != k.want {
			t.Errorf("KeyAt(%d, %q) = %q, want %q", k.line, k.key, got, k.want)
		}
	}
	values := []struct {
		line        int
		value, want string
	}{
		{2, "two", "point.y"},
		{4, "a", "items[0]"},
		{6, "abcdefg...", "long"}, // shortened as the yaml package does
		{6, "abcdefg", ""},        // a prefix without "..." is not a match
		{9, "!!seq", "nested.inner.deep"},
		{9, "2", "nested.inner.deep[1]"},
		{2, "!!map", "point"},
		{3, "!!seq", ""}, // the list starts on line 4
	}
	for _, v := range values {
		if got := idx.ValueAt(v.line, v.value); got != v.want {
			t.Errorf("ValueAt(%d, %q) = %q, want %q", v.line, v.value, got, v.want)
		}
	}
	var ints []string
	for _, n := range idx.Values() {
		if n.Tag == "!!int" {
			ints = append(ints, fmt.Sprintf("%s@%d=%s", n.Path, n.Line, n.Value))
		}
	}
	if want := []string{"point.x@2=1", "nested.inner.deep[0]@9=1", "nested.inner.deep[1]@9=2"}; !slices.Equal(ints, want) {
		t.Errorf("integer values %q, want %q", ints, want)
	}
}

// tiny is the schema of the Translate tests.
type tiny struct {
	Name  string   `yaml:"name"`
	Count int      `yaml:"count"`
	Tags  []string `yaml:"tags"`
	Sub   tinySub  `yaml:"sub"`
	Skip  string   `yaml:"-"`
}

// tinySub is a named type: the yaml package names the type of an unknown
// key, and Translate reads only names without spaces.
type tinySub struct {
	Rate float64 `yaml:"rate"`
	On   bool    `yaml:"on"`
}

// translate decodes doc strictly into a tiny and returns the messages of
// the Errors Translate makes of the failure.
func translate(t *testing.T, doc string, s Schema) []*Error {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		return Translate(err, nil, s)
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.KnownFields(true)
	var v tiny
	err := dec.Decode(&v)
	if err == nil {
		t.Fatalf("%q decoded", doc)
	}
	return Translate(err, NewIndex(&root), s)
}

func messages(errs []*Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

const badDoc = `name: x
count: many
sub:
  rat: 0.5
  on: 3
tags: {a: 1}
`

func TestTranslateDefault(t *testing.T) {
	errs := translate(t, badDoc, Schema{})
	got := messages(errs)
	want := []string{
		`line 2: count: want an integer, got "many"`,
		`line 4: sub.rat: unknown key "rat"`,
		`line 5: sub.on: want true or false, got "3"`,
		`line 6: tags: want a list, got a mapping`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if errs[0].Line != 2 || errs[0].Path != "count" || errs[0].Value != "" {
		t.Errorf("first error %+v", errs[0])
	}
}

func TestTranslateSchema(t *testing.T) {
	var mismatched []string
	s := Schema{
		UnknownKey: func(e *Error, key string) {
			var allowed []string
			if Parent(e.Path) == "sub" {
				allowed = StructKeys(reflect.TypeFor[tinySub]())
			}
			e.Err = fmt.Errorf("unknown key; allowed: %s", strings.Join(allowed, ", "))
		},
		ValueInPath: true,
		Mismatch: func(e *Error, tag string) {
			mismatched = append(mismatched, e.Path+" "+tag)
			if tag == "map" {
				e.Err = fmt.Errorf("%w (write a list)", e.Err)
			}
		},
	}
	got := messages(translate(t, badDoc, s))
	want := []string{
		`line 2: count = "many": want an integer`,
		`line 4: sub.rat: unknown key; allowed: rate, on`,
		`line 5: sub.on = 3: want true or false`,
		`line 6: tags: want a list, got a mapping (write a list)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if want := []string{"count str", "sub.on int", "tags map"}; !slices.Equal(mismatched, want) {
		t.Errorf("Mismatch called for %q, want %q", mismatched, want)
	}
}

func TestTranslateOther(t *testing.T) {
	// A syntax error has a line but no path.
	errs := translate(t, "name: x\n  bad: 1\n", Schema{})
	if len(errs) != 1 || errs[0].Line != 2 || errs[0].Path != "" || !strings.Contains(errs[0].Error(), "line 2: mapping values are not allowed") {
		t.Errorf("syntax error: %q", messages(errs))
	}
	// A long value is found by the start the yaml package keeps.
	errs = translate(t, "count: abcdefghijklmnop\n", Schema{})
	if got := messages(errs); len(got) != 1 || got[0] != `line 1: count: want an integer, got "abcdefg..."` {
		t.Errorf("long value: %q", got)
	}
	// A message Translate does not know stays as it is, without "yaml: ".
	errs = Translate(errors.New("yaml: control characters are not allowed"), nil, Schema{})
	if len(errs) != 1 || errs[0].Error() != "control characters are not allowed" || errs[0].Line != 0 {
		t.Errorf("unknown message: %q", messages(errs))
	}
}

func TestJoin(t *testing.T) {
	if Join(nil) != nil {
		t.Error("Join(nil) is not nil")
	}
	list := []*Error{
		{Source: "f.yaml", Line: 7, Path: "b", Err: errors.New("second")},
		{Source: "f.yaml", Err: errors.New("whole file")},
		{Source: "f.yaml", Line: 3, Path: "a", Value: "0.5", Err: errors.New("first")},
		{Source: "f.yaml", Line: 7, Path: "c", Err: errors.New("third")},
	}
	err := Join(list)
	want := strings.Join([]string{
		"f.yaml: whole file",
		"f.yaml:3: a = 0.5: first",
		"f.yaml:7: b: second",
		"f.yaml:7: c: third",
	}, "\n")
	if err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 0 {
		t.Errorf("errors.As found %+v", e)
	}
}

func TestErrorFormat(t *testing.T) {
	problem := errors.New("bad")
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Err: problem}, "bad"},
		{Error{Line: 4, Path: "a.b", Err: problem}, "line 4: a.b: bad"},
		{Error{Source: "s", Path: "p", Value: `"v"`, Err: problem}, `s: p = "v": bad`},
		{Error{Source: "s", Line: 2, Value: "ignored without a path", Err: problem}, "s:2: bad"},
		{Error{Prefix: "venue", Source: "s", Line: 2, Path: "p", Err: problem}, "venue: s:2: p: bad"},
		{Error{Prefix: "venue", Path: "p", Err: problem}, "venue: p: bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.e, got, tt.want)
		}
		if !errors.Is(&tt.e, problem) {
			t.Errorf("%+v does not unwrap to its problem", tt.e)
		}
	}
}

func TestStructKeysParent(t *testing.T) {
	if got, want := StructKeys(reflect.TypeFor[tiny]()), []string{"name", "count", "tags", "sub"}; !slices.Equal(got, want) {
		t.Errorf("StructKeys = %q, want %q", got, want)
	}
	for path, want := range map[string]string{"a": "", "a.b": "a", "a[1].b.c": "a[1].b", "": ""} {
		if got := Parent(path); got != want {
			t.Errorf("Parent(%q) = %q, want %q", path, got, want)
		}
	}
}
