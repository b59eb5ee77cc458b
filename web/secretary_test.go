package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/web"
)

const adminToken = "web-test-admin-token"

// site is the pages and the API over a fresh database holding one meeting
// of a party committee with three seated members.
type site struct {
	store   *agenda.Store
	url     string
	meeting agenda.Meeting
	members []agenda.Member
}

func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	s := &site{store: agenda.NewStore(testenv.Database(t))}
	unit, err := s.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "t", Name: "测试镇",
		Level: agenda.LevelTownship})
	must(t, err)
	body, err := s.store.CreateBody(ctx, agenda.BodyInput{OrgUnitID: unit.ID, Code: "t-pc",
		Name: "测试镇党委", Kind: agenda.BodyPartyCommittee})
	must(t, err)
	s.meeting, err = s.store.CreateMeeting(ctx, agenda.MeetingInput{BodyID: body.ID,
		Title: "党委会第1次", Code: "PC-1",
		PlannedStart: time.Date(2026, 3, 2, 9, 0, 0, 0, agenda.MeetingZone)})
	must(t, err)
	_, err = s.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: s.meeting.ID,
		Title: "关于敬老院改造资金的议题"})
	must(t, err)
	for i, role := range []agenda.SeatRole{agenda.RoleLeader, agenda.RoleDeputy,
		agenda.RoleMember} {
		m, err := s.store.CreateMember(ctx, agenda.MemberInput{OrgUnitID: unit.ID,
			Code: fmt.Sprintf("m%d", i), Name: fmt.Sprintf("委员%d", i)})
		must(t, err)
		_, err = s.store.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: body.ID,
			MemberID: m.ID, Role: role, ServedFrom: agenda.NewDate(2025, 1, 1)})
		must(t, err)
		s.members = append(s.members, m)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := chi.NewRouter()
	r.Mount("/api/v1", agenda.NewAPI(s.store, access.NewGuard(adminToken, s.store),
		logger).Routes())
	r.Mount("/", web.Handler())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// chromium starts a headless Chromium tab for the test.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := browser.FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.UserDataDir(profile), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true))
	tab, cancelTab := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(func() {
		cancel()
		cancelTab()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	return ctx
}

func TestSecretaryPages(t *testing.T) {
	s := newSite(t)
	ctx := chromium(t)
	page := fmt.Sprintf("%s/secretary/meetings/%d", s.url, s.meeting.ID)
	absent := s.members[1]
	row := func(m agenda.Member, sel string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`tr[data-member="%d"] %s`, m.ID, sel))
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must(t, err)
		return v
	}

	t.Run("attendance is recorded", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(page+"#token="+adminToken),
			chromedp.WaitEnabled(chromedp.CSS("#save")),
			chromedp.Click(row(s.members[0], "input[value=present]")),
			chromedp.Click(row(absent, "input[value=absent]")),
			chromedp.SendKeys(row(absent, ".reason"), "出差"),
			chromedp.Click(chromedp.CSS("#save")),
			chromedp.WaitVisible(chromedp.Search(
				`//span[@id="saved"][contains(., "Saved 2")]`))))
		rows, err := chromedp.Run(ctx,
			chromedp.Evaluate[int](`document.querySelectorAll("#members tr").length`))
		must(t, err)
		summary := text(t, "#summary")
		if rows != 3 || !strings.HasPrefix(summary, "1 present of 3 expected") {
			t.Errorf("got %d rows and summary %q, want 3 seated members, 1 present", rows,
				summary)
		}
		got, err := s.store.Attendance(context.Background(), s.meeting.ID)
		must(t, err)
		want := map[int64]agenda.Attendance{
			s.members[0].ID: {MeetingID: s.meeting.ID, MemberID: s.members[0].ID,
				Status: agenda.Present},
			absent.ID: {MeetingID: s.meeting.ID, MemberID: absent.ID, Status: agenda.Absent,
				AbsenceReason: "出差"},
		}
		if len(got) != len(want) {
			t.Fatalf("got attendance %+v, want %+v", got, want)
		}
		for _, a := range got {
			if a != want[a.MemberID] {
				t.Errorf("got %+v, want %+v", a, want[a.MemberID])
			}
		}
	})
	t.Run("the recorded attendance is shown again", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(page),
			chromedp.WaitEnabled(chromedp.CSS("#save"))))
		reason, err := chromedp.Run(ctx, chromedp.Value(row(absent, ".reason")))
		must(t, err)
		checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`document.querySelector('tr[data-member="%d"] input[value=absent]').checked`,
			absent.ID)))
		must(t, err)
		if reason != "出差" || !checked {
			t.Errorf("got reason %q and absent %v, want 出差 and true", reason, checked)
		}
	})
	t.Run("the meetings list shows the agenda", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/secretary"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-meeting="%d"]`,
				s.meeting.ID)))))
		got := text(t, "#meetings")
		for _, want := range []string{"党委会第1次 · PC-1", "测试镇党委", "关于敬老院改造资金的议题",
			"2026/03/02 09:00"} {
			if !strings.Contains(got, want) {
				t.Errorf("got %q, want %q in it", got, want)
			}
		}
	})
	t.Run("a wrong token is asked again", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(page+"#token=wrong"),
			chromedp.WaitVisible(chromedp.CSS("#token-bar"))))
		if got := text(t, "#error"); !strings.Contains(got, "Unauthorized") {
			t.Errorf("got error %q, want it to say Unauthorized", got)
		}
	})
}

func TestPagesOfBadMeetingIDs(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	t.Cleanup(srv.Close)
	for _, path := range []string{"/secretary/meetings/0", "/secretary/meetings/x",
		"/room/-1"} {
		t.Run(path, func(t *testing.T) {
			res, err := http.Get(srv.URL + path)
			must(t, err)
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("got status %d, want 404", res.StatusCode)
			}
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
