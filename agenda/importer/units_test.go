package importer

import (
	"slices"
	"testing"
)

func TestImportUnits(t *testing.T) {
	pool := newDB(t)
	res := importOK(t, pool, KindUnits, "units.csv")
	wantCount(t, res, "org_units", 5, 0, 0)
	got := query(t, pool, `SELECT u.code, u.name, u.level, coalesce(p.code, '-')
		FROM org_units u LEFT JOIN org_units p ON p.id = u.parent_id ORDER BY u.code`)
	want := []string{
		"QHX|青河县|county|-",
		"QHX-CZJ|青河县财政局|department|QHX",
		"QSZ|青山镇|township|QHX",
		"QSZ-DL|东岭村|village|QSZ",
		"QSZ-XH|西河村|village|QSZ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("units:\ngot  %q\nwant %q", got, want)
	}
	if !slices.Equal(res.Ignored, []string{"units: 序号"}) {
		t.Errorf("ignored columns: got %q, want [units: 序号]", res.Ignored)
	}

	t.Run("again changes nothing", func(t *testing.T) {
		res := importOK(t, pool, KindUnits, "units.csv")
		wantCount(t, res, "org_units", 0, 0, 5)
	})
	t.Run("English headers", func(t *testing.T) {
		res := importOK(t, pool, KindUnits, "units_en.csv")
		wantCount(t, res, "org_units", 0, 0, 5)
	})
}
