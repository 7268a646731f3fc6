package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestWarningsShown: the data's warnings in the manifest (e.g. coverage
// gaps a configuration accepted) appear in every output of the report.
func TestWarningsShown(t *testing.T) {
	res, _ := results(t)
	man := *res.Manifest
	man.Warnings = []string{"BTC funding (/data/f.feather) does not cover the run: 1 funding time has no rate (2024-05-14T08:00:00Z); accepted by data.coverage.funding: accept: no funding is charged at those times"}
	cp := *res
	cp.Manifest = &man
	rep, err := Build(&cp, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var md, js, page bytes.Buffer
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&page, rep, nil); err != nil {
		t.Fatal(err)
	}
	w := man.Warnings[0]
	if !strings.Contains(md.String(), "**Data warnings**") || !strings.Contains(md.String(), "- "+w+"\n") {
		t.Errorf("markdown lacks the warning:\n%s", md.String())
	}
	if !strings.Contains(js.String(), `"warnings": [`) || !strings.Contains(js.String(), "no funding is charged at those times") {
		t.Error("JSON lacks the warning")
	}
	if !strings.Contains(page.String(), "Data warnings") || !strings.Contains(page.String(), "1 funding time has no rate") {
		t.Error("HTML lacks the warning")
	}
	// Without warnings, no section.
	rep0, _ := Build(res, Options{Seed: 1})
	md.Reset()
	WriteMarkdown(&md, rep0)
	if strings.Contains(md.String(), "Data warnings") {
		t.Error("an empty warnings section")
	}
}
