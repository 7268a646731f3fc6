package venue

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bracket snapshots embedded beside the presets: presets/<name>.tiers.json
// holds one dated table per symbol, merged into the preset <name> when it
// is loaded. They are generated from public snapshots with
// 'marginlab venue import-tiers --snapshot' (see the go:generate line
// below), never edited by hand.
//
//go:generate go run ../../cmd/marginlab venue import-tiers ../../../shared/data/venue-tiers/binance_leverage_tiers.json --venue binance-usdm --effective-from 2024-10-24 --snapshot --source-url https://github.com/freqtrade/freqtrade/blob/c9ae5e1e9ff25bb55dd61f5e5519f7c479291edb/freqtrade/exchange/binance_leverage_tiers.json --source "Binance USDⓈ-M brackets of every symbol: freqtrade's binance_leverage_tiers.json (ccxt fetch_leverage_tiers() of GET /fapi/v1/leverageBracket) at commit c9ae5e1e9ff2, 2024-10-24" --out presets/binance-usdm.tiers.json
//go:embed presets/*.tiers.json
var tiersFS embed.FS

// TiersSnapshot is one dated bracket table per symbol, from one source.
type TiersSnapshot struct {
	Venue         string    // the preset or venue it belongs to
	EffectiveFrom time.Time // UTC day the tables took effect (at the latest)
	Source        Source
	Tables        map[string]Brackets // by the venue's symbol key
}

// snapshotFile is the JSON form: each bracket a row of snapshotColumns, a
// null cap meaning none.
type snapshotFile struct {
	Venue         string                   `json:"venue"`
	EffectiveFrom string                   `json:"effective_from"`
	Source        Source                   `json:"source"`
	Columns       []string                 `json:"columns"`
	Symbols       map[string][][5]*jsonNum `json:"symbols"`
}

var snapshotColumns = []string{"floor", "cap", "mmr", "cum", "max_leverage"}

// jsonNum is a float64 that keeps its exact decimal text through JSON.
type jsonNum float64

func (n *jsonNum) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*n = jsonNum(v)
	return nil
}

// Encode writes the snapshot as compact, deterministic JSON: one symbol a
// line, in key order, numbers in their shortest exact decimal form.
func (s *TiersSnapshot) Encode() []byte {
	var b bytes.Buffer
	head := struct {
		Venue         string   `json:"venue"`
		EffectiveFrom string   `json:"effective_from"`
		Source        Source   `json:"source"`
		Columns       []string `json:"columns"`
	}{s.Venue, s.EffectiveFrom.Format(dateLayout), s.Source, snapshotColumns}
	h, _ := json.Marshal(head) // plain strings always marshal
	b.Write(h[:len(h)-1])
	b.WriteString(`,"symbols":{`)
	for i, sym := range sortedKeys(s.Tables) {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(sym)
		b.WriteString("\n")
		b.Write(k)
		b.WriteString(":[")
		for j, br := range s.Tables[sym] {
			if j > 0 {
				b.WriteByte(',')
			}
			capText := "null"
			if !math.IsInf(br.Cap, 1) {
				capText = fnum(br.Cap)
			}
			fmt.Fprintf(&b, "[%s,%s,%s,%s,%s]", fnum(br.Floor), capText, fnum(br.MMR), fnum(br.Cum), fnum(br.MaxLeverage))
		}
		b.WriteString("]")
	}
	b.WriteString("\n}}\n")
	return b.Bytes()
}

func fnum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// DecodeTiersSnapshot reads what Encode writes and checks every table as
// Validate would; source names the input in errors.
func DecodeTiersSnapshot(data []byte, source string) (*TiersSnapshot, error) {
	var f snapshotFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, joinErrors([]*Error{{Source: source, Err: jsonProblem(err)}})
	}
	var errs []*Error
	if !slices.Equal(f.Columns, snapshotColumns) {
		errs = append(errs, &Error{Path: "columns", Err: fmt.Errorf("%q, want %q", f.Columns, snapshotColumns)})
	}
	s := &TiersSnapshot{Venue: f.Venue, Source: f.Source, Tables: make(map[string]Brackets, len(f.Symbols))}
	s.EffectiveFrom = parseDate(f.EffectiveFrom, "effective_from", func(path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Err: fmt.Errorf(format, args...)})
	})
	for _, sym := range sortedKeys(f.Symbols) {
		rows := f.Symbols[sym]
		br := make(Brackets, len(rows))
		for i, r := range rows {
			for k, x := range r {
				switch {
				case x == nil && k == 1 && i == len(rows)-1:
					br[i].Cap = math.Inf(1)
				case x == nil:
					errs = append(errs, &Error{Path: fmt.Sprintf("symbols.%s[%d][%d]", sym, i, k), Err: fmt.Errorf("%s missing", snapshotColumns[k])})
				default:
					*[]*float64{&br[i].Floor, &br[i].Cap, &br[i].MMR, &br[i].Cum, &br[i].MaxLeverage}[k] = float64(*x)
				}
			}
		}
		if len(br) == 0 {
			errs = append(errs, &Error{Path: "symbols." + sym, Err: errors.New("no brackets")})
		}
		errs = append(errs, validateTables("symbols."+sym, []Table{{EffectiveFrom: s.EffectiveFrom, Brackets: br}})...)
		s.Tables[sym] = br
	}
	if len(errs) > 0 {
		for _, e := range errs {
			e.Source = source
		}
		return nil, joinErrors(errs)
	}
	return s, nil
}

// AddTables gives each symbol of tables a table effective from at. A
// symbol that already has a table of that date keeps it (hand-checked
// tables win over imported ones); such symbols whose two tables differ are
// returned. Tables stay sorted by date.
func (v *Venue) AddTables(at time.Time, tables map[string]Brackets) (differ []string) {
	if v.Tables == nil {
		v.Tables = make(map[string][]Table, len(tables))
	}
	for _, sym := range sortedKeys(tables) {
		br := tables[sym]
		list := v.Tables[sym]
		i, found := slices.BinarySearchFunc(list, at, func(t Table, at time.Time) int { return t.EffectiveFrom.Compare(at) })
		if found {
			if !slices.Equal(list[i].Brackets, br) {
				differ = append(differ, sym)
			}
			continue
		}
		v.Tables[sym] = slices.Insert(list, i, Table{EffectiveFrom: at, Brackets: slices.Clone(br)})
	}
	return differ
}

// addSnapshot merges the embedded snapshot of preset name, if any, into v
// and cites its source.
func (v *Venue) addSnapshot(name string) error {
	s, err := PresetSnapshot(name)
	if err != nil || s == nil {
		return err
	}
	if s.Venue != name {
		return fmt.Errorf("venue: the snapshot of preset %s is for %q", name, s.Venue)
	}
	if differ := v.AddTables(s.EffectiveFrom, s.Tables); len(differ) > 0 {
		// Tested never to happen with the shipped files: a hand-checked
		// table and the snapshot disagree about the same date.
		return fmt.Errorf("venue: preset %s and its snapshot disagree about the %s tables of %s", name, s.EffectiveFrom.Format(dateLayout), strings.Join(differ, ", "))
	}
	v.Sources = append(v.Sources, s.Source)
	return nil
}

// cloneTableMap deep-copies a venue's tables. A preset lists hundreds of
// symbols and a sweep asks for a copy per job, so the tables and brackets
// go into two arrays rather than an allocation per table.
func cloneTableMap(m map[string][]Table) map[string][]Table {
	nt, nb := 0, 0
	for _, ts := range m {
		nt += len(ts)
		for _, t := range ts {
			nb += len(t.Brackets)
		}
	}
	tables, brackets := make([]Table, 0, nt), make(Brackets, 0, nb)
	out := make(map[string][]Table, len(m))
	for k, ts := range m {
		start := len(tables)
		for _, t := range ts {
			b := len(brackets)
			brackets = append(brackets, t.Brackets...)
			t.Brackets = brackets[b:len(brackets):len(brackets)]
			tables = append(tables, t)
		}
		out[k] = tables[start:len(tables):len(tables)]
	}
	return out
}
