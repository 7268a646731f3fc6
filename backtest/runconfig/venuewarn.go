package runconfig

import (
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// VenueWarnings names the market's symbols whose bracket tables are
// stand-ins (venue.Fallbacks): those on the venue's default table, and for
// real data those whose first table is dated after the data starts. A
// synthetic market's dates are made up, so only the first check applies
// to it. Callers show them with the run's other warnings.
func (f *File) VenueWarnings(v *venue.Venue, m *data.Market) []string {
	names := make([]string, len(m.Symbols))
	for i := range m.Symbols {
		names[i] = m.Symbols[i].Name
	}
	var from time.Time
	if !f.Synthetic() && len(m.Time) > 0 {
		from = time.Unix(0, m.Time[0]).UTC()
	}
	return v.Fallbacks(names, from)
}
