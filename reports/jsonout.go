package reports

import (
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/marginlab/marginlab/backtest/sweep"
)

// WriteJSON writes every number of the report as JSON: field names in
// snake_case, NaN and infinities as null, keys in a fixed order.
func WriteJSON(w io.Writer, r *Report) error {
	b, err := json.MarshalIndent(plain(reflect.ValueOf(r)), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// JSONValue returns v as JSON-safe data in the report's conventions (struct
// fields as snake_case keys in field order, NaN and infinities as null), so
// that every output names a metric as the result tables do: run --json's
// metrics are JSONValue(backtest.Metrics).
func JSONValue(v any) any { return plain(reflect.ValueOf(v)) }

// ordered is a JSON object whose keys keep the struct's field order.
type ordered struct {
	keys []string
	vals []any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for k := range o.keys {
		if k > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(o.keys[k])
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// plain converts a value to JSON-safe data.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Struct:
		o := ordered{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			o.keys = append(o.keys, sweep.SnakeCase(f.Name))
			o.vals = append(o.vals, plain(v.Field(i)))
		}
		return o
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	case reflect.Map:
		keys := v.MapKeys()
		o := ordered{}
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		sortByName(idx, names)
		for _, i := range idx {
			o.keys = append(o.keys, names[i])
			o.vals = append(o.vals, plain(v.MapIndex(keys[i])))
		}
		return o
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	}
	return v.Interface()
}

func sortByName(idx []int, names []string) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && names[idx[j]] < names[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}
