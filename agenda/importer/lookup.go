package importer

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// unitIndex finds org units by code or, failing that, by name, as offices
// write either.
type unitIndex struct {
	byCode map[string]int64
	byName map[string][]string // name → codes
}

func loadUnits(ctx context.Context, j *job) (unitIndex, error) {
	idx := unitIndex{byCode: map[string]int64{}, byName: map[string][]string{}}
	rows, err := j.tx.Query(ctx, `SELECT id, code, name FROM org_units ORDER BY code`)
	if err != nil {
		return idx, fmt.Errorf("load org units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return idx, fmt.Errorf("load org units: %w", err)
		}
		idx.byCode[code] = id
		idx.byName[name] = append(idx.byName[name], code)
	}
	return idx, rows.Err()
}

// resolve returns the id of the unit named in field key of r, reporting
// an empty cell, an unknown unit or a name two units share.
func (idx unitIndex) resolve(r record, key string) (int64, bool) {
	raw := r.value(key)
	if raw == "" {
		r.fail(key, "is empty: name the org unit by its code (单位编码) or name")
		return 0, false
	}
	if id, ok := idx.byCode[fold(raw)]; ok {
		return id, true
	}
	codes := idx.byName[raw]
	switch len(codes) {
	case 1:
		return idx.byCode[codes[0]], true
	case 0:
		r.fail(key, fmt.Sprintf("「%s」 is no org unit's code or name: import the units "+
			"first (liuhen import units) or correct the code", raw))
	default:
		r.fail(key, fmt.Sprintf("「%s」 is the name of %d units (%s): write the unit's code "+
			"instead", raw, len(codes), strings.Join(codes, ", ")))
	}
	return 0, false
}

// codeIDs returns the ids of the rows of table whose code is in codes.
func codeIDs(ctx context.Context, j *job, table string, codes []string) (map[string]int64,
	error) {
	rows, err := j.tx.Query(ctx, `SELECT code, id FROM `+table+` WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("read %s ids: %w", table, err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, fmt.Errorf("read %s ids: %w", table, err)
		}
		ids[code] = id
	}
	return ids, rows.Err()
}

// firstRows remembers where each key was first seen, to report duplicates.
type firstRows map[string]record

// seen reports, and returns true, when key was already on an earlier row;
// what names the thing for the message.
func (f firstRows) seen(r record, field, key, what string) bool {
	if first, ok := f[key]; ok {
		r.fail(field, fmt.Sprintf("%s is also on %s: list each %s once", key, where(first, r),
			what))
		return true
	}
	f[key] = r
	return false
}

// where names the row of first as seen from r: "row 5", or "row 5 of
// sheet 乡镇" when it is on another sheet.
func where(first, r record) string {
	if first.t.sheet != r.t.sheet {
		return fmt.Sprintf("row %d of sheet %s", first.num, first.t.sheet.name)
	}
	return fmt.Sprintf("row %d", first.num)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
