//go:build race

package oracle

// raceEnabled cuts the differential test to a few cases under -race.
const raceEnabled = true
