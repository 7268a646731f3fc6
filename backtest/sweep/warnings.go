package sweep

import (
	"slices"

	"github.com/marginlab/marginlab/data"
)

// VenueWarnings returns the bracket-table warnings (runconfig's
// VenueWarnings) of every venue the plan's cells use on market m, each
// once, in cell order. Run records them in the manifest.
func (p *Plan) VenueWarnings(m *data.Market) ([]string, error) {
	var out []string
	done := map[string]bool{}
	for _, c := range p.Cells {
		if done[c.Config.VenueName] {
			continue
		}
		done[c.Config.VenueName] = true
		v, err := c.Config.Venue()
		if err != nil {
			return nil, err
		}
		for _, w := range c.Config.VenueWarnings(v, m) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out, nil
}
