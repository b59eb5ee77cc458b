package verify

import (
	"testing"
	"time"
)

// twoSteps makes the world's matter one the government executive meeting
// takes up before the party committee decides it.
func twoSteps(f *fixture, w world) {
	setKinds("government_executive", "party_committee")(f, w)
}

func setKinds(kinds ...string) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE matters SET (required_body_kinds, required_body_kind) = ($2, $3)
			WHERE id = $1`, w.matter, kinds, kinds[len(kinds)-1])
	}
}

// stage links the decision to an item of a meeting of a body of kind of
// unit (the world's when 0), held at the deciding meeting's start plus
// offset, in mode; it returns the item.
func stage(f *fixture, w world, kind string, unit int64, offset time.Duration,
	mode string) int64 {
	f.tb.Helper()
	if unit == 0 {
		unit = w.unit
	}
	held := meetingStart.Add(offset)
	m := f.meeting(f.body(unit, kind), held.Add(-5*time.Minute), &held)
	f.exec(`UPDATE meetings SET mode = $2 WHERE id = $1`, m, mode)
	item := f.item(m, 1)
	f.exec(`INSERT INTO decision_stages (decision_id, agenda_item_id) VALUES ($1, $2)`,
		w.decision, item)
	return item
}

func staged(kind string, offset time.Duration) func(*fixture, world) {
	return func(f *fixture, w world) { stage(f, w, kind, 0, offset, "meeting") }
}

const oneDay = 24 * time.Hour

func stageSkippedCases() []ruleCase {
	high := map[string]string{CodeStageSkipped: SeverityHigh}
	return []ruleCase{
		{name: "fires when the earlier stage has no linked item", breaks: twoSteps,
			want: []string{CodeStageSkipped}, sev: high,
			check: both2(wantMsg(CodeStageSkipped, []string{"government executive meeting " +
				"(stage 1) before a party committee meeting decides it",
				"linked to no agenda item of a government executive meeting"},
				"未关联", "政府常务会议"), wantEvidence(false))},
		{name: "fires when the linked item is of a body of no earlier kind",
			breaks: both(twoSteps, staged("joint_party_government", -oneDay)),
			want:   []string{CodeStageSkipped},
			check: wantMsg(CodeStageSkipped, []string{"a joint party and government meeting: " +
				"no earlier stage of the matter"}, "不属于该事项的前置程序")},
		{name: "fires when the linked item is of another unit's body",
			breaks: both(twoSteps, func(f *fixture, w world) {
				other := f.unit(f.unique("T"), "township", nil)
				stage(f, w, "government_executive", other, -oneDay, "meeting")
			}),
			want:  []string{CodeStageSkipped},
			check: wantMsg(CodeStageSkipped, []string{"a body of another unit"}, "其他单位")},
		{name: "fires when the earlier stage was passed round for signature",
			breaks: both(twoSteps, func(f *fixture, w world) {
				stage(f, w, "government_executive", 0, -oneDay, "circulation")
			}),
			want: []string{CodeStageSkipped}, check: wantMsg(CodeStageSkipped,
				[]string{"passed round for signature"}, "传签")},
		{name: "fires high when the earlier stage came after the decision",
			breaks: both(twoSteps, staged("government_executive", oneDay)),
			want:   []string{CodeStageSkipped}, sev: high,
			check: both2(wantMsg(CodeStageSkipped, []string{"only at or after the deciding " +
				"meeting", "held 2024-03-0"}, "之后才研究"), wantEvidence(true))},
		{name: "fires high when the earlier stage met with the deciding meeting",
			breaks: both(twoSteps, staged("government_executive", 0)),
			want:   []string{CodeStageSkipped}, sev: high},
		{name: "fires medium when two earlier stages are out of order",
			breaks: both(setKinds("government_executive", "joint_party_government",
				"party_committee"), staged("government_executive", -oneDay),
				staged("joint_party_government", -2*oneDay)),
			want: []string{CodeStageSkipped},
			sev:  map[string]string{CodeStageSkipped: SeverityMedium},
			check: both2(wantMsg(CodeStageSkipped, []string{"(stage 2) took it up at",
				"before the government executive meeting (stage 1)"}, "程序顺序颠倒"),
				wantEvidence(true))},
		{name: "fires for each of two missing stages",
			breaks: setKinds("government_executive", "joint_party_government",
				"party_committee"),
			want: []string{CodeStageSkipped, CodeStageSkipped}},
		{name: "quiet for an earlier stage taken up the day before",
			breaks: both(twoSteps, staged("government_executive", -oneDay))},
		{name: "quiet for two earlier stages in order, one taken up twice",
			breaks: both(setKinds("government_executive", "joint_party_government",
				"party_committee"), staged("government_executive", -3*oneDay),
				staged("joint_party_government", -2*oneDay),
				staged("government_executive", -time.Hour))},
		{name: "quiet for a stage also taken up after the decision",
			breaks: both(twoSteps, staged("government_executive", -oneDay),
				staged("government_executive", oneDay))},
		{name: "quiet for a decision at an earlier stage's body, which WRONG_BODY reports",
			breaks: setKinds("party_committee", "peoples_congress_presidium"),
			want:   []string{CodeWrongBody}},
		{name: "quiet for a matter of one step with a stray stage item",
			breaks: staged("government_executive", -oneDay)},
	}
}

func both2(checks ...func(testing.TB, Report, world)) func(testing.TB, Report, world) {
	return func(tb testing.TB, rep Report, w world) {
		tb.Helper()
		for _, c := range checks {
			c(tb, rep, w)
		}
	}
}

// wantEvidence checks that the first STAGE_SKIPPED finding points at the
// deciding item, or at a stage item when stageItem.
func wantEvidence(stageItem bool) func(testing.TB, Report, world) {
	return func(tb testing.TB, rep Report, w world) {
		tb.Helper()
		for _, fd := range rep.Findings {
			if fd.Code != CodeStageSkipped {
				continue
			}
			if fd.AgendaItemID == nil || fd.MeetingID == nil {
				tb.Fatalf("got finding without item or meeting: %+v", fd)
			}
			if deciding := *fd.AgendaItemID == w.item && *fd.MeetingID == w.meeting; deciding ==
				stageItem {
				tb.Errorf("got evidence item %d of meeting %d, want the deciding item %d: %v",
					*fd.AgendaItemID, *fd.MeetingID, w.item, !stageItem)
			}
			return
		}
	}
}
