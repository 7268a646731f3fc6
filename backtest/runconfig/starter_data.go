package runconfig

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// StarterSymbol is one symbol's files for StarterWithData.
type StarterSymbol struct {
	Name  string
	Files SymbolFiles
}

// starterExample is the commented-out data.symbols block of the starter,
// which StarterWithData replaces with real files.
const starterExample = `  # symbols:
  #   BTCUSDT:
  #     candles: data/BTC_USDT_USDT-5m-futures.feather
  #     mark: data/BTC_USDT_USDT-5m-mark.feather
  #     funding: data/BTC_USDT_USDT-8h-funding_rate.feather
  #   ETHUSDT:
  #     candles: data/ETH_USDT_USDT-5m-*.feather
`

// StarterWithData returns the starter configuration (see Starter) with a
// data.symbols section that reads the given files, in the order given;
// comment is written above it. Paths are written as given: relative ones
// resolve against the configuration file's directory.
func StarterWithData(symbols []StarterSymbol, comment string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		if line != "" {
			fmt.Fprintf(&b, "  # %s\n", line)
		}
	}
	b.WriteString("  symbols:\n")
	for _, s := range symbols {
		fmt.Fprintf(&b, "    %s:\n", yamlString(s.Name))
		for _, kv := range [][2]string{{"candles", s.Files.Candles}, {"mark", s.Files.Mark}, {"funding", s.Files.Funding}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, "      %s: %s\n", kv[0], yamlString(kv[1]))
			}
		}
	}
	if !strings.Contains(starter, starterExample) {
		panic("runconfig: the starter lost its data.symbols example") // caught by the tests
	}
	return strings.Replace(starter, starterExample, b.String(), 1)
}

// plainYAML matches strings YAML reads back as the same string without
// quotes, but for the words ambiguousPlain lists.
var plainYAML = regexp.MustCompile(`^[A-Za-z_./][A-Za-z0-9_./\-]*$`)

// yamlString writes s plain when YAML reads it back as the same string,
// else double-quoted (JSON's escapes are YAML's): a name starting with a
// digit (1000PEPEUSDT), a path with spaces.
func yamlString(s string) string {
	if plainYAML.MatchString(s) && !ambiguousPlain(s) {
		return s
	}
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// ambiguousPlain reports words YAML reads as booleans or null.
func ambiguousPlain(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return true
	}
	return false
}
