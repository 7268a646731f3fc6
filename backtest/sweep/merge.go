package sweep

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/marginlab/marginlab/data/publish"
)

// Merge checks that the shard directories hold one sweep (the same config
// hash and table options, every shard complete) and together cover every
// cell of its plan exactly once, then writes the merged tables and a
// manifest into out. The tables are the ones an unsharded run writes, byte
// for byte. Problems name the shard directory and the cells.
//
// out is replaced as a whole (publish.Replace): the new directory is
// written beside it and swapped in when complete, so a failure (a full
// disk) leaves out as it was, and a second merge into out while one runs
// fails at once, naming the first. out may hold only what a merge writes
// (MergedEntry).
func Merge(out string, shardDirs []string) error {
	d, err := publish.Replace(out, MergedEntry)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := MergeInto(d.Path(), shardDirs); err != nil {
		return d.Fail(err)
	}
	return d.Commit()
}

// MergedEntry reports whether name is an entry of a merged directory: a
// table, the manifest, or the report directory cmd/marginlab adds.
func MergedEntry(name string) bool {
	return slices.Contains(tableNames, name) || name == manifestName || name == "report"
}

// MergeInto is Merge writing into the existing directory dir as it is,
// for a caller that stages dir itself (cmd/marginlab adds the report
// before it publishes the directory).
func MergeInto(out string, shardDirs []string) error {
	if len(shardDirs) == 0 {
		return errors.New("sweep: merge needs at least one shard directory")
	}
	mans := make([]*Manifest, len(shardDirs))
	for k, d := range shardDirs {
		m, err := readManifest(d)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("sweep: %s has no %s: not a sweep output directory", d, manifestName)
			}
			return err
		}
		mans[k] = m
	}
	first := mans[0]
	var errs []error
	owner := map[string]string{}
	dups := map[string][]string{}
	for k, m := range mans {
		d := shardDirs[k]
		switch {
		case m.Hash != first.Hash:
			errs = append(errs, fmt.Errorf("sweep: %s belongs to another sweep (config hash %.12s…, %s has %.12s…)", d, m.Hash, shardDirs[0], first.Hash))
			continue
		case m.Trades != first.Trades || m.Equity != first.Equity:
			errs = append(errs, fmt.Errorf("sweep: %s was run with other table options (trades=%v equity=%v) than %s", d, m.Trades, m.Equity, shardDirs[0]))
			continue
		case !m.Complete:
			errs = append(errs, fmt.Errorf("sweep: %s is not complete (%d of %d jobs done); rerun that shard first", d, m.JobsDone, m.JobsTotal))
			continue
		}
		for _, c := range m.Cells {
			if prev, ok := owner[c]; ok {
				dups[c] = append(dups[c], prev, d)
				continue
			}
			owner[c] = d
		}
	}
	if len(dups) > 0 {
		cells := mapKeys(dups)
		var lines []string
		for _, c := range cells[:min(len(cells), 10)] {
			lines = append(lines, fmt.Sprintf("%s in %s", c, strings.Join(slices.Compact(dups[c]), " and ")))
		}
		errs = append(errs, fmt.Errorf("sweep: %d cells appear in more than one shard: %s", len(cells), strings.Join(lines, "; ")))
	}
	var missing []string
	for _, c := range first.PlanCells {
		if _, ok := owner[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 && len(errs) == 0 {
		shown := missing[:min(len(missing), 10)]
		errs = append(errs, fmt.Errorf("sweep: %d of %d cells are in no shard given (e.g. %s); add the missing shard directories",
			len(missing), len(first.PlanCells), strings.Join(shown, ", ")))
	}
	if len(owner) > len(first.PlanCells) && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("sweep: the shards hold cells the plan does not list"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	indexes := map[string]map[jobKey]jobRef{}
	for _, d := range shardDirs {
		idx, err := scanJobs(d)
		if err != nil {
			return err
		}
		indexes[d] = idx
	}
	var refs []jobRef
	for _, c := range first.PlanCells {
		for p := range first.Settings.Paths {
			ref, ok := indexes[owner[c]][jobKey{c, p}]
			if !ok {
				return fmt.Errorf("sweep: %s: the record of cell %s path %d is missing; rerun that shard", owner[c], c, p)
			}
			refs = append(refs, ref)
		}
	}
	if err := writeTables(out, first.Axes, refs, first.Trades, first.Equity); err != nil {
		return err
	}
	merged := *first
	merged.Shard = "merged"
	merged.Cells = first.PlanCells
	merged.JobsTotal = len(refs)
	merged.JobsDone = len(refs)
	merged.Complete = true
	return merged.write(out)
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
