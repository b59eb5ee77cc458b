package verify

import (
	"strings"
	"testing"
	"time"
)

// setDates sets a date column of the world's decision to its decided_at
// plus shift.
func setDates(column string, shift time.Duration) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE decisions SET `+column+` = decided_at + $2 * interval '1 second'
			WHERE id = $1`, w.decision, int64(shift/time.Second))
	}
}

// The world's decision is taken 90 minutes into the meeting.
const intoMeeting = 90 * time.Minute

func paidBeforeCases() []ruleCase {
	high := map[string]string{CodeDecidedBeforeMeeting: SeverityHigh}
	return []ruleCase{
		{name: "fires high for a contract signed before the meeting",
			breaks: setDates("contract_at", -intoMeeting-24*time.Hour),
			want:   []string{CodeDecidedBeforeMeeting}, sev: high,
			check: wantMsg(CodeDecidedBeforeMeeting, []string{"the contract was signed at",
				"24h0m0s before meeting"}, "合同签订时间")},
		{name: "fires for a payment before the meeting and a decision too",
			breaks: both(setDates("paid_at", -intoMeeting-time.Hour),
				setDates("decided_at", -intoMeeting-time.Minute)),
			want: []string{CodeDecidedBeforeMeeting, CodeDecidedBeforeMeeting},
			check: func(tb testing.TB, rep Report, w world) {
				wantMsg(CodeDecidedBeforeMeeting, []string{"decided at"})(tb, rep, w)
				if got := rep.Findings[1].MessageZH; !strings.Contains(got, "付款时间") {
					tb.Errorf("second finding: got %q, want the payment", got)
				}
			}},
		{name: "quiet for a contract signed at the meeting's start",
			breaks: setDates("contract_at", -intoMeeting)},
		{name: "quiet without contract and payment dates",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE decisions SET contract_at = NULL, paid_at = NULL WHERE id = $1`,
					w.decision)
			}},
	}
}

func setMinutes(after time.Duration) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE meetings SET minutes_written_at = ended_at + $2 * interval '1 second'
			WHERE id = $1`, w.meeting, int64(after/time.Second))
	}
}

const day24 = 24 * time.Hour

func backdatedCases() []ruleCase {
	medium := map[string]string{CodeBackdated: SeverityMedium}
	return []ruleCase{
		{name: "fires for a registration 31 days late",
			breaks: setDates("registered_at", 31*day24), want: []string{CodeBackdated},
			sev: medium, check: wantMsg(CodeBackdated, []string{"31 days later",
				"more than 30"}, "倒签")},
		{name: "fires for minutes written 40 days after the meeting",
			breaks: setMinutes(40 * day24), want: []string{CodeBackdated},
			check: wantMsg(CodeBackdated, []string{"minutes of meeting",
				"40 days after the meeting ended"}, "事后补记")},
		{name: "fires against the planned start of a meeting never held",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE meetings SET started_at = NULL, ended_at = NULL,
					minutes_written_at = planned_start + interval '45 days' WHERE id = $1`,
					w.meeting)
			},
			want: []string{CodeBackdated},
			check: wantMsg(CodeBackdated, []string{"45 days after the meeting's planned " +
				"start"})},
		{name: "fires with a shorter lag", opts: Options{BackdateDays: 1},
			want:  []string{CodeBackdated},
			check: wantMsg(CodeBackdated, []string{"2 days later (more than 1)"})},
		{name: "fires for a decision that needs no meeting",
			breaks: both(setAmount("100"), setDates("registered_at", 60*day24)),
			want:   []string{CodeBackdated}},
		{name: "quiet for a registration exactly 30 days late",
			breaks: setDates("registered_at", 30*day24)},
		{name: "quiet with a longer lag", opts: Options{BackdateDays: 60},
			breaks: both(setDates("registered_at", 59*day24), setMinutes(59*day24))},
		{name: "quiet without registration and minutes dates",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE decisions SET registered_at = NULL WHERE id = $1`, w.decision)
				f.exec(`UPDATE meetings SET minutes_written_at = NULL WHERE id = $1`, w.meeting)
			}},
		{name: "quiet for a registration two days late"},
	}
}

func wrongBodyModelCases() []ruleCase {
	setBody := func(kind string) func(*fixture, world) {
		return func(f *fixture, w world) {
			f.exec(`UPDATE meeting_bodies SET kind = $2 WHERE id = $1`, w.body, kind)
		}
	}
	return []ruleCase{
		{name: "fires for a paper passed round for signature",
			breaks: setMode("circulation"), want: []string{CodeWrongBody},
			check: wantMsg(CodeWrongBody, []string{"passed round for signature"}, "传签")},
		{name: "fires for a joint meeting where the list names the party committee",
			breaks: setBody(jointKind), want: []string{CodeWrongBody},
			check: wantMsg(CodeWrongBody, []string{"joint party and government meeting",
				"does not stand in"}, "党政联席会议不能代替党委会")},
		{name: "fires for a body of an earlier stage",
			breaks: both(setKinds("village_two_committees", "villager_representatives"),
				setBody("village_two_committees")),
			want:  []string{CodeWrongBody},
			check: wantMsg(CodeWrongBody, []string{"earlier stage", "villagers' representative"})},
		{name: "quiet for a joint meeting where the list names one",
			breaks: both(setKinds(jointKind), setBody(jointKind))},
		{name: "quiet for the last body of several, its earlier stage taken up before",
			breaks: both(setKinds("village_two_committees", "villager_representatives"),
				setBody("villager_representatives"),
				staged("village_two_committees", -oneDay))},
	}
}

// splitInWorldCases turn the world's decision into a 30,000 part of project
// 村道A, with a sibling of 25,000 before the reported period.
func splitInWorldCases() []ruleCase {
	sibling := func(before time.Duration) func(*fixture, world) {
		return func(f *fixture, w world) {
			unlink(f, w)
			f.exec(`UPDATE matters SET amount_basis = 'project' WHERE id = $1`, w.matter)
			f.exec(`UPDATE decisions SET amount = 30000, project = '村道A' WHERE id = $1`,
				w.decision)
			id := f.decision(w.unit, w.matter, "25000", meetingStart.Add(-before), nil)
			f.exec(`UPDATE decisions SET project = '村道A' WHERE id = $1`, id)
		}
	}
	inMarch := Options{From: time.Date(2024, 3, 1, 0, 0, 0, 0, cst)}
	return []ruleCase{
		{name: "fires naming a sibling before the period", opts: inMarch,
			breaks: sibling(30 * day24), want: []string{CodeSplitSpending},
			sev: map[string]string{CodeSplitSpending: SeverityHigh},
			check: wantMsg(CodeSplitSpending, []string{"together come to 55000.00",
				"within 90 days", "化整为零", "is 30000.00 of it"}, "村道A")},
		{name: "quiet for a sibling outside the window", opts: inMarch,
			breaks: sibling(100 * day24)},
	}
}
