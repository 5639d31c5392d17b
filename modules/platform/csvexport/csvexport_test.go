package csvexport

import (
	"strings"
	"testing"
)

func TestFormulaCellsAreNeutralised(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out, ',')
	cells := []string{"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "Анна", "-12.5", "+3", "", "a=b"}
	if err := w.Write(cells...); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `'=cmd|' /C calc'!A0,'+1+1,'-2+3,'@SUM(A1),'` + "\tx" + `,"'` + "\rx" + `",Анна,-12.5,+3,,a=b` + "\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}
