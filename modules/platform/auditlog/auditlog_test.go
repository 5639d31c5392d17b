package auditlog

import "testing"

type row struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Hash    string `json:"-"`
	Version int64  `json:"version"`
}

func TestDiffListsChangedFieldsAndHidesSecrets(t *testing.T) {
	before := &row{Name: "Anna", Status: "active", Hash: "secret-1", Version: 1}
	after := &row{Name: "Anna", Status: "disabled", Hash: "secret-2", Version: 2}
	d := Diff(before, after)
	if len(d) != 2 {
		t.Fatalf("want status and version changed, got %v", d)
	}
	if d["status"].Before != "active" || d["status"].After != "disabled" {
		t.Errorf("status change wrong: %+v", d["status"])
	}
	if _, leaked := d["Hash"]; leaked {
		t.Error("a json:\"-\" field must never be audited")
	}
}

func TestDiffOfCreationHasNoBefore(t *testing.T) {
	d := Diff(nil, &row{Name: "Boris", Status: "active", Version: 1})
	if d["name"].Before != nil || d["name"].After != "Boris" || len(d) != 3 {
		t.Fatalf("unexpected creation diff %v", d)
	}
	var nilRow *row
	if len(Diff(nilRow, nilRow)) != 0 {
		t.Fatal("two nil rows differ in nothing")
	}
}
