package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// stageItems are agenda items linked as earlier stages, with their
// meetings, bodies and when the meetings were held.
type stageItems struct {
	Items, Meetings []int64
	Bodies          []string
	Held            []time.Time
}

// stageGap is one earlier stage of a decision that stageSkippedSQL found
// wanting.
type stageGap struct {
	Meeting, Item int64      // the deciding meeting and item
	Decided       time.Time  // when the deciding meeting was held
	Pos           int        // the stage's place in required_body_kinds, from 1
	Kind, Problem string     // Problem: "missing", "late" or "order"
	Took          stageItems // the items that count for the stage
	PrevKind      *string    // the stage before; nil for the first
	Prev          stageItems // the items that count for the stage before
	// Misfits are the linked items that count for no earlier stage
	// ("missing" only), with their body kinds and why.
	Misfits                 stageItems
	MisfitKinds, MisfitWhys []string
}

func checkStageSkipped(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, stageSkippedSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id int64
		var g stageGap
		if err := rows.Scan(&id, &g.Meeting, &g.Item, &g.Decided, &g.Pos, &g.Kind,
			&g.Problem, &g.Took.Items, &g.Took.Meetings, &g.Took.Bodies, &g.Took.Held,
			&g.PrevKind, &g.Prev.Items, &g.Prev.Meetings, &g.Prev.Bodies, &g.Prev.Held,
			&g.Misfits.Items, &g.Misfits.Meetings, &g.Misfits.Bodies, &g.MisfitKinds,
			&g.MisfitWhys); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeStageSkipped, SeverityHigh)
		f.MeetingID, f.AgendaItemID = &g.Meeting, &g.Item
		if g.Problem != "missing" && len(g.Took.Items) > 0 {
			// The evidence is the stage item taken up too late, or out of turn.
			f.MeetingID, f.AgendaItemID = &g.Took.Meetings[0], &g.Took.Items[0]
		}
		if g.Problem == "order" {
			f.Severity = SeverityMedium
		}
		f.Message, f.MessageZH = msgStageSkipped(c.decisions[id], g)
		return f, nil
	})
}

func msgStageSkipped(d *decisionRow, g stageGap) (en, zh string) {
	kindEN, kindZH := kindName(g.Kind)
	wantEN, wantZH := kindName(requiredKind(d))
	en = fmt.Sprintf("matter %s (%s) must be taken up by a %s (stage %d) before a %s decides "+
		"it at meeting %d (held %s); ", d.MatterCode, d.MatterName, kindEN, g.Pos, wantEN,
		g.Meeting, stamp(g.Decided))
	zh = fmt.Sprintf("事项 %s（%s）须先经%s（第 %d 道程序），再由%s决定（会议 %d，%s）；",
		d.MatterCode, d.MatterName, kindZH, g.Pos, wantZH, g.Meeting, stamp(g.Decided))
	switch g.Problem {
	case "missing":
		en += fmt.Sprintf("the decision is linked to no agenda item of a %s of unit %s",
			kindEN, d.UnitCode)
		zh += fmt.Sprintf("但该决策未关联单位 %s 的%s议题", d.UnitCode, kindZH)
		if m, mz := misfitsText(g); m != "" {
			en += "; linked but counting for no earlier stage: " + m
			zh += "；已关联但不属于前置程序的议题：" + mz
		}
		en += fmt.Sprintf("; missing evidence: the agenda item of a %s that took the "+
			"matter up before meeting %d", kindEN, g.Meeting)
		zh += fmt.Sprintf("；缺少证据：会议 %d 之前%s研究该事项的议题", g.Meeting, kindZH)
	case "late":
		en += fmt.Sprintf("but the %s took it up only at or after the deciding meeting: "+
			"%s; missing evidence: the agenda item of a %s held before meeting %d",
			kindEN, itemsText(g.Took, false), kindEN, g.Meeting)
		zh += fmt.Sprintf("但%s在决策会议当时或之后才研究该事项：%s；缺少证据：会议 %d 之前"+
			"召开的%s的议题", kindZH, itemsText(g.Took, true), g.Meeting, kindZH)
	case "order":
		prevEN, prevZH := kindName(*g.PrevKind)
		en += fmt.Sprintf("but the %s (stage %d) took it up at %s, before the %s "+
			"(stage %d) did at %s; missing evidence: a %s that took the matter up after "+
			"the %s", kindEN, g.Pos, itemsText(g.Took, false), prevEN, g.Pos-1,
			itemsText(g.Prev, false), kindEN, prevEN)
		zh += fmt.Sprintf("但%s（第 %d 道）于%s研究，早于%s（第 %d 道）于%s的研究，程序顺序颠倒；"+
			"缺少证据：%s之后%s研究该事项的议题", kindZH, g.Pos, itemsText(g.Took, true),
			prevZH, g.Pos-1, itemsText(g.Prev, true), prevZH, kindZH)
	}
	return en, zh
}

// itemsText lists stage items as "agenda item 7 of meeting 3 (body B,
// held …)", in Chinese when zh.
func itemsText(s stageItems, zh bool) string {
	parts := make([]string, len(s.Items))
	for i := range s.Items {
		if zh {
			parts[i] = fmt.Sprintf("会议 %d 议题 %d（%s，%s）", s.Meetings[i], s.Items[i],
				s.Bodies[i], stamp(s.Held[i]))
		} else {
			parts[i] = fmt.Sprintf("agenda item %d of meeting %d (body %s, held %s)",
				s.Items[i], s.Meetings[i], s.Bodies[i], stamp(s.Held[i]))
		}
	}
	sep := ", "
	if zh {
		sep = "、"
	}
	return strings.Join(parts, sep)
}

// misfitWhy says why a linked item counts for no earlier stage.
var misfitWhy = map[string][2]string{
	"unit":        {"a body of another unit", "其他单位的机构"},
	"circulation": {"passed round for signature (传签), which is no meeting", "传签，不是会议"},
	"kind":        {"no earlier stage of the matter", "不属于该事项的前置程序"},
}

func misfitsText(g stageGap) (en, zh string) {
	var partsEN, partsZH []string
	for i, item := range g.Misfits.Items {
		kEN, kZH := kindName(g.MisfitKinds[i])
		why := misfitWhy[g.MisfitWhys[i]]
		partsEN = append(partsEN, fmt.Sprintf("agenda item %d of meeting %d (body %s, a %s: %s)",
			item, g.Misfits.Meetings[i], g.Misfits.Bodies[i], kEN, why[0]))
		partsZH = append(partsZH, fmt.Sprintf("会议 %d 议题 %d（%s，%s：%s）",
			g.Misfits.Meetings[i], item, g.Misfits.Bodies[i], kZH, why[1]))
	}
	return strings.Join(partsEN, ", "), strings.Join(partsZH, "、")
}
