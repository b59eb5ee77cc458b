package importer

import (
	"context"
	"fmt"
	"strings"
)

var unitsLayout = layout{
	{key: "code", required: true, names: []string{"单位编码", "单位代码", "机构编码", "组织编码",
		"编码", "代码", "code", "unit code"}},
	{key: "name", required: true, names: []string{"单位名称", "机构名称", "组织名称", "名称",
		"单位", "name", "unit name"}},
	{key: "level", required: true, names: []string{"层级", "级别", "单位层级", "单位级别",
		"单位类型", "类型", "level", "type"}},
	{key: "parent", names: []string{"上级单位编码", "上级单位代码", "上级编码", "上级单位",
		"上级", "所属单位", "所属上级", "parent", "parent code", "parent unit"}},
}

// unitRow is one unit of a units file.
type unitRow struct {
	rec          record
	code, name   string
	level        string
	parent       string // code of the parent, "" for none
	parentGiven  bool
	parentInFile bool
}

func importUnits(ctx context.Context, j *job, tables []*table) error {
	recs := j.records(tables)
	rows := make([]*unitRow, 0, len(recs))
	first := firstRows{}
	for i, r := range recs {
		j.reading(i, len(recs))
		u := &unitRow{rec: r, code: r.code("code", true), name: r.text("name", true, maxName),
			level: r.choose("level", levelChoice, "")}
		if u.level == "" && r.value("level") == "" {
			r.fail("level", "is empty: write 县, 乡镇, 部门 or 村")
		}
		if u.code != "" && first.seen(r, "code", u.code, "unit") {
			continue
		}
		rows = append(rows, u)
	}
	known, err := loadUnits(ctx, j)
	if err != nil {
		return err
	}
	parents, err := loadParents(ctx, j)
	if err != nil {
		return err
	}
	resolveParents(rows, known, parents)
	if !j.p.empty() {
		return nil
	}
	return writeUnits(ctx, j, tables, rows, known.byCode)
}

// loadParents returns the parent code of every unit in the database.
func loadParents(ctx context.Context, j *job) (map[string]string, error) {
	rows, err := j.tx.Query(ctx, `SELECT u.code, coalesce(p.code, '') FROM org_units u
		LEFT JOIN org_units p ON p.id = u.parent_id`)
	if err != nil {
		return nil, fmt.Errorf("load org unit parents: %w", err)
	}
	defer rows.Close()
	parents := map[string]string{}
	for rows.Next() {
		var code, parent string
		if err := rows.Scan(&code, &parent); err != nil {
			return nil, fmt.Errorf("load org unit parents: %w", err)
		}
		parents[code] = parent
	}
	return parents, rows.Err()
}

// resolveParents finds each parent, by code or name, in the file or the
// database, and refuses a unit that would end up above itself.
func resolveParents(rows []*unitRow, known unitIndex, parents map[string]string) {
	inFile := map[string]*unitRow{}
	byName := map[string][]string{}
	for _, u := range rows {
		inFile[u.code] = u
		byName[u.name] = append(byName[u.name], u.code)
	}
	for _, u := range rows {
		raw := u.rec.value("parent")
		if !u.rec.has("parent") || raw == "" {
			u.parentGiven = u.rec.has("parent")
			continue
		}
		u.parentGiven = true
		code := fold(raw)
		_, fileHas := inFile[code]
		_, dbHas := known.byCode[code]
		switch names := byName[raw]; {
		case fileHas || dbHas:
		case len(names) == 1:
			code = names[0]
		case len(names) == 0 && len(known.byName[raw]) == 1:
			code = known.byName[raw][0]
		default:
			u.rec.fail("parent", fmt.Sprintf("「%s」 is no unit of this file or the database: "+
				"write the parent's code, and list the parent in the file or import it first", raw))
			continue
		}
		u.parent, u.parentInFile = code, inFile[code] != nil
		if code == u.code {
			u.rec.fail("parent", "is the unit itself: a unit cannot be its own parent")
		}
	}
	for _, u := range rows {
		graph := func(code string) string {
			if f, ok := inFile[code]; ok && f.parentGiven {
				return f.parent
			}
			return parents[code]
		}
		if loop := loopFrom(u.code, graph); loop != nil && u.parent != u.code {
			u.rec.fail("parent", "makes a loop of parents ("+strings.Join(loop, " → ")+
				"): a unit cannot be above itself")
		}
	}
}

// loopFrom follows parents up from code and returns the path when it comes
// back to code.
func loopFrom(code string, parent func(string) string) []string {
	path := []string{code}
	for c := parent(code); c != ""; c = parent(c) {
		path = append(path, c)
		if c == code {
			return path
		}
		if len(path) > 10_000 {
			return nil // a loop above code, reported at its own units
		}
	}
	return nil
}

// writeUnits writes units parents first, one generation at a time, so that
// each knows its parent's id.
func writeUnits(ctx context.Context, j *job, tables []*table, rows []*unitRow,
	ids map[string]int64) error {
	u := upsert{table: "org_units", key: []string{"code"},
		cols:   []string{"code", "name", "level", "parent_id"},
		types:  []string{"text", "text", "text", "bigint"},
		update: updatable(tables, []string{"name", "level"}, field{"parent", []string{"parent_id"}})}
	total := Count{Table: "org_units"}
	j.writeTotal = len(rows) // one count over the generations
	for pending := rows; len(pending) > 0; {
		var now, later []*unitRow
		inPending := map[string]bool{}
		for _, r := range pending {
			inPending[r.code] = true
		}
		for _, r := range pending {
			if r.parentInFile && inPending[r.parent] {
				later = append(later, r)
			} else {
				now = append(now, r)
			}
		}
		if len(now) == 0 {
			return fmt.Errorf("write org units: a loop of parents among %d units", len(later))
		}
		values := make([][]any, len(now))
		codes := make([]string, len(now))
		for i, r := range now {
			var parent *int64
			if id, ok := ids[r.parent]; ok && r.parent != "" {
				parent = &id
			}
			values[i] = []any{r.code, r.name, r.level, parent}
			codes[i] = r.code
		}
		c, _, err := u.run(ctx, j, values)
		if err != nil {
			return err
		}
		total.Created, total.Updated = total.Created+c.Created, total.Updated+c.Updated
		total.Unchanged += c.Unchanged
		written, err := codeIDs(ctx, j, "org_units", codes)
		if err != nil {
			return err
		}
		for code, id := range written {
			ids[code] = id
		}
		pending = later
	}
	j.counted(total)
	return nil
}
