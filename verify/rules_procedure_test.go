package verify

// setPresent marks the world's first n members present and the rest absent.
func setPresent(n int) func(*fixture, world) {
	return func(f *fixture, w world) {
		for i, m := range w.members {
			status := "absent"
			if i < n {
				status = "present"
			}
			f.attend(w.meeting, m, status)
		}
	}
}

func setRules(quorum, vote string) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE matters SET quorum_rule = $2, vote_rule = $3 WHERE id = $1`,
			w.matter, quorum, vote)
	}
}

func both(steps ...func(*fixture, world)) func(*fixture, world) {
	return func(f *fixture, w world) {
		for _, s := range steps {
			s(f, w)
		}
	}
}

func dropAttendance(f *fixture, w world) {
	f.exec(`DELETE FROM meeting_attendance WHERE meeting_id = $1`, w.meeting)
}

func dropSeats(f *fixture, w world) {
	f.exec(`DELETE FROM body_members WHERE body_id = $1`, w.body)
}

func noQuorumCases() []ruleCase {
	high := map[string]string{CodeNoQuorum: SeverityHigh}
	return []ruleCase{
		{name: "fires high for 2 of 5 present", breaks: setPresent(2),
			want: []string{CodeNoQuorum}, sev: high,
			check: wantMsg(CodeNoQuorum, []string{"had 2 of the 5 members", "more than half, " +
				"at least 3", "2024-03-05"}, "实到 2 人")},
		{name: "fires high for 3 of 5 under two thirds",
			breaks: both(setPresent(3), setRules("two_thirds", "more_than_half")),
			want:   []string{CodeNoQuorum}, sev: high,
			check: wantMsg(CodeNoQuorum, []string{"at least two thirds, at least 4"})},
		{name: "fires high when the present are no members of the body",
			breaks: func(f *fixture, w world) {
				setPresent(2)(f, w)
				for range 3 {
					f.attend(w.meeting, f.member(w.unit), "present")
				}
			},
			want: []string{CodeNoQuorum}, sev: high},
		{name: "fires high counting seats that began before the meeting day",
			breaks: func(f *fixture, w world) {
				for range 3 {
					f.seat(w.body, f.member(w.unit), "member", "2024-03-05", "")
				}
			},
			want: []string{CodeNoQuorum, CodeVoteShort}, check: wantMsg(CodeNoQuorum,
				[]string{"4 of the 8 members"})},
		{name: "fires low when attendance is not kept", breaks: dropAttendance,
			want: []string{CodeNoQuorum}, sev: map[string]string{CodeNoQuorum: SeverityLow},
			check: wantMsg(CodeNoQuorum, []string{"no attendance record", "5 members"},
				"没有出席记录")},
		{name: "quiet for 3 of 5 present", breaks: setPresent(3)},
		{name: "quiet for 4 of 5 under two thirds",
			breaks: setRules("two_thirds", "two_thirds")},
		{name: "quiet for seats that ended before or begin after the meeting day",
			breaks: func(f *fixture, w world) {
				for range 3 {
					f.seat(w.body, f.member(w.unit), "member", "2023-01-01", "2024-03-04")
					f.seat(w.body, f.member(w.unit), "member", "2024-03-06", "")
				}
			}},
		{name: "quiet when the body's seats are not known",
			breaks: both(dropAttendance, dropSeats)},
		{name: "quiet for a circulated paper, which WRONG_BODY reports",
			breaks: both(dropAttendance, setMode("circulation")),
			want:   []string{CodeWrongBody}},
		{name: "quiet for a compliant meeting"},
	}
}

func setMode(mode string) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE meetings SET mode = $2 WHERE id = $1`, w.meeting, mode)
	}
}

// setVotes sets the item's votes; a negative count is NULL.
func setVotes(yes, no, abstain int) func(*fixture, world) {
	null := func(n int) *int {
		if n < 0 {
			return nil
		}
		return &n
	}
	return func(f *fixture, w world) {
		f.exec(`UPDATE agenda_items SET votes_for = $2, votes_against = $3,
			votes_abstain = $4 WHERE id = $1`, w.item, null(yes), null(no), null(abstain))
	}
}

func voteShortCases() []ruleCase {
	return []ruleCase{
		{name: "fires for 2 of 5 for", breaks: setVotes(2, 0, 2),
			want: []string{CodeVoteShort},
			check: wantMsg(CodeVoteShort, []string{"2 votes for, 0 against and 2 abstaining",
				"more than half of the 5 members", "at least 3"}, "赞成 2 票")},
		{name: "fires for 3 of 5 under two thirds",
			breaks: both(setVotes(3, 1, 0), setRules("more_than_half", "two_thirds")),
			want:   []string{CodeVoteShort},
			check:  wantMsg(CodeVoteShort, []string{"at least two thirds", "at least 4"})},
		{name: "fires without seats for half the votes cast",
			breaks: both(dropAttendance, dropSeats, setVotes(2, 2, 0)),
			want:   []string{CodeVoteShort},
			check:  wantMsg(CodeVoteShort, []string{"not recorded", "4 votes cast"})},
		{name: "quiet for 3 of 5 for", breaks: setVotes(3, 2, 0)},
		{name: "quiet without seats for a majority of the votes cast",
			breaks: both(dropAttendance, dropSeats, setVotes(3, 2, 0))},
		{name: "quiet when votes are not kept", breaks: setVotes(-1, -1, -1)},
		{name: "quiet for a compliant vote"},
	}
}

func recusalCases() []ruleCase {
	tookPart := func(f *fixture, w world) { f.recusal(w.item, w.members[4], true) }
	spoke := func(f *fixture, w world) {
		f.exec(`UPDATE statements SET seq = seq + 1 WHERE agenda_item_id = $1 AND seq = 4`,
			w.item)
		f.statement(w.item, 4, w.members[4])
	}
	return []ruleCase{
		{name: "fires when the recused member took part", breaks: tookPart,
			want: []string{CodeRecusalMissed},
			check: wantMsg(CodeRecusalMissed, []string{"had to leave the room",
				"took part", "近亲属承包该工程"}, "应回避")},
		{name: "fires when the recused member stated a view", breaks: spoke,
			want:  []string{CodeRecusalMissed},
			check: wantMsg(CodeRecusalMissed, []string{"statement no. 4"})},
		{name: "quiet when the matter asks no recusal",
			breaks: both(tookPart, spoke, func(f *fixture, w world) {
				f.exec(`UPDATE matters SET recusal_applies = false WHERE id = $1`, w.matter)
			})},
		{name: "quiet when the recused member stayed out"},
	}
}

func leaderCases() []ruleCase {
	speaksAfter := func(f *fixture, w world) { f.statement(w.item, 5, w.members[1]) }
	leaderSilent := func(f *fixture, w world) {
		f.exec(`DELETE FROM statements WHERE agenda_item_id = $1 AND member_id = $2`,
			w.item, w.members[0])
	}
	return []ruleCase{
		{name: "fires when a member speaks after the leader", breaks: speaksAfter,
			want: []string{CodeLeaderNotLast},
			sev:  map[string]string{CodeLeaderNotLast: SeverityMedium},
			check: wantMsg(CodeLeaderNotLast, []string{"statement no. 5",
				"who spoke at no. 4"}, "末位表态")},
		{name: "fires when the leader states no view", breaks: leaderSilent,
			want:  []string{CodeLeaderNotLast},
			check: wantMsg(CodeLeaderNotLast, []string{"who stated no view"})},
		{name: "fires for the leader seated on the meeting day",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE body_members SET served_to = '2024-02-29'
					WHERE body_id = $1 AND member_id = $2`, w.body, w.members[0])
				f.seat(w.body, w.members[3], "leader", "2024-03-01", "")
				f.exec(`UPDATE agenda_items SET votes_for = 3 WHERE id = $1`, w.item)
			},
			want: []string{CodeLeaderNotLast}, check: wantMsg(CodeLeaderNotLast,
				[]string{"who spoke at no. 3"})},
		{name: "quiet when the matter does not ask it",
			breaks: both(speaksAfter, func(f *fixture, w world) {
				f.exec(`UPDATE matters SET leader_speaks_last = false WHERE id = $1`, w.matter)
			})},
		{name: "quiet when statements are not kept",
			breaks: func(f *fixture, w world) {
				f.exec(`DELETE FROM statements WHERE agenda_item_id = $1`, w.item)
			}},
		{name: "quiet when the leader was absent",
			breaks: both(leaderSilent, func(f *fixture, w world) {
				f.attend(w.meeting, w.members[0], "absent")
				f.attend(w.meeting, w.members[4], "present")
			})},
		{name: "quiet when no leader seat is known",
			breaks: both(speaksAfter, func(f *fixture, w world) {
				f.exec(`UPDATE body_members SET role = 'deputy' WHERE body_id = $1`, w.body)
			})},
		{name: "quiet when the leader speaks last"},
	}
}
