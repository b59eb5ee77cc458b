package importer

import (
	"context"
	"fmt"
	"regexp"
)

// memberIndex finds the members a meetings file names, by code or by
// name: first among those who hold a seat on the meeting's body, then
// among the members of the body's unit.
type memberIndex struct {
	byCode     map[string]int64
	byUnitName map[unitName][]int64
	byBodyName map[bodyName][]int64
}

type unitName struct {
	unit int64
	name string
}

type bodyName struct {
	body int64
	name string
}

func loadMembers(ctx context.Context, j *job) (memberIndex, error) {
	idx := memberIndex{byCode: map[string]int64{}, byUnitName: map[unitName][]int64{},
		byBodyName: map[bodyName][]int64{}}
	rows, err := j.tx.Query(ctx, `SELECT id, code, org_unit_id, name FROM members ORDER BY id`)
	if err != nil {
		return idx, fmt.Errorf("load members: %w", err)
	}
	for rows.Next() {
		var id, unit int64
		var code, name string
		if err := rows.Scan(&id, &code, &unit, &name); err != nil {
			rows.Close()
			return idx, fmt.Errorf("load members: %w", err)
		}
		idx.byCode[code] = id
		idx.byUnitName[unitName{unit, name}] = append(idx.byUnitName[unitName{unit, name}], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return idx, fmt.Errorf("load members: %w", err)
	}
	rows, err = j.tx.Query(ctx, `SELECT DISTINCT bm.body_id, m.name, m.id FROM body_members bm
		JOIN members m ON m.id = bm.member_id ORDER BY m.id`)
	if err != nil {
		return idx, fmt.Errorf("load seats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var body, id int64
		var name string
		if err := rows.Scan(&body, &name, &id); err != nil {
			return idx, fmt.Errorf("load seats: %w", err)
		}
		idx.byBodyName[bodyName{body, name}] = append(idx.byBodyName[bodyName{body, name}], id)
	}
	return idx, rows.Err()
}

// find returns the member that word (a code or a name) names at a meeting
// of body, or an error saying why none or several fit.
func (idx memberIndex) find(word string, body, unit int64) (int64, error) {
	if id, ok := idx.byCode[fold(word)]; ok {
		return id, nil
	}
	ids := idx.byBodyName[bodyName{body, word}]
	if len(ids) == 0 {
		ids = idx.byUnitName[unitName{unit, word}]
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, fmt.Errorf("「%s」 is no member of the meeting's body or its unit: import "+
			"the body's members first (liuhen import bodies), or write the member's code", word)
	default:
		return 0, fmt.Errorf("「%s」 is the name of %d members: write the member's code "+
			"(成员编码) instead", word, len(ids))
	}
}

// attendee is a member named in a list, with the note beside the name.
type attendee struct {
	member int64
	note   string
}

// listItem reads one entry of a list of people: 张三, 李四（出差）, 王五:病假.
var listItem = regexp.MustCompile(`([^、,，;；\s\x{3000}（(：:]+)[\s\x{3000}]*` +
	`(?:[（(]([^）)]*)[）)]|[:：]([^、,，;；\s\x{3000}]*))?`)

// people reads a list of members from field key of r, reporting every
// name that fits no one or several.
func (idx memberIndex) people(r record, key string, body, unit int64) []attendee {
	var out []attendee
	seen := map[int64]bool{}
	for _, m := range listItem.FindAllStringSubmatch(r.value(key), -1) {
		word := cleanText(m[1])
		if word == "" || noMeeting[squeeze(word)] {
			continue
		}
		id, err := idx.find(word, body, unit)
		if err != nil {
			r.fail(key, err.Error())
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, attendee{member: id, note: cleanText(m[2] + m[3])})
		}
	}
	return out
}
