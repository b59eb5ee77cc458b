package importer

import (
	"fmt"
	"strings"

	"github.com/liuhen/liuhen/agenda"
)

// choice is a column whose cells name one of a few values, in the words
// offices use or in the value's English name.
type choice struct {
	what  string            // what the value is, for errors: "a level"
	help  string            // the words to write, for errors
	words map[string]string // squeezed word → value
}

// quotes are dropped before a choice is looked up: 村“两委”会议.
var quotes = strings.NewReplacer("“", "", "”", "", "\"", "", "'", "", "‘", "", "’", "",
	"「", "", "」", "", "《", "", "》", "", "(", "", ")", "")

func (c choice) parse(v string) (string, error) {
	w := quotes.Replace(squeeze(v))
	if value, ok := c.words[w]; ok {
		return value, nil
	}
	return "", fmt.Errorf("is not %s: write %s", c.what, c.help)
}

// words builds a choice's table: each value with its English name and the
// words that mean it.
func words(byValue map[string][]string) map[string]string {
	m := map[string]string{}
	for value, ws := range byValue {
		m[value] = value
		m[strings.ReplaceAll(value, "_", "")] = value
		for _, w := range ws {
			m[quotes.Replace(squeeze(w))] = value
		}
	}
	return m
}

var levelChoice = choice{what: "a level", help: "县, 乡镇, 部门 or 村 " +
	"(county, township, department, village)", words: words(map[string][]string{
	string(agenda.LevelCounty):     {"县", "县级", "区", "县区", "县(区)", "县(市、区)", "市"},
	string(agenda.LevelTownship):   {"乡镇", "乡", "镇", "街道", "乡镇街道", "乡镇(街道)", "乡级"},
	string(agenda.LevelDepartment): {"部门", "县直部门", "县直单位", "局", "委办局", "单位"},
	string(agenda.LevelVillage):    {"村", "社区", "村社区", "村(社区)", "行政村", "村级"},
})}

var categoryChoice = choice{what: "a category", help: "决策类, 落实类, 执行类 or 其他类 " +
	"(decision, implementation, execution, other)", words: words(map[string][]string{
	string(agenda.CategoryDecision):       {"决策类", "决策"},
	string(agenda.CategoryImplementation): {"落实类", "落实"},
	string(agenda.CategoryExecution):      {"执行类", "执行"},
	string(agenda.CategoryOther):          {"其他类", "其他", "其它类", "其它"},
})}

var majorChoice = choice{what: "a 三重一大 class", help: "重大决策, 重要干部任免, 重大项目, " +
	"大额资金 or 否 (major_decision, cadre, major_project, large_funds, none)",
	words: words(map[string][]string{
		"major_decision": {"重大决策", "重大事项决策", "重大事项", "重大问题决策"},
		"cadre":          {"重要干部任免", "干部任免", "重要人事任免", "人事任免", "重要人事"},
		"major_project":  {"重大项目", "重大项目安排", "重要项目安排", "重大项目投资"},
		"large_funds": {"大额资金", "大额资金使用", "大额度资金", "大额度资金运作",
			"大额资金运作"},
		"none": {"否", "无", "不属于", "非三重一大", "-", "/"},
	})}

var basisChoice = choice{what: "an amount basis", help: "单笔, 同一项目累计 or " +
	"同一收款人累计 (single, project, payee)", words: words(map[string][]string{
	"single":  {"单笔", "单项", "每笔", "单次", "单笔金额"},
	"project": {"同一项目", "同一项目累计", "项目累计", "按项目累计", "按项目"},
	"payee": {"同一收款人", "同一收款人累计", "收款人累计", "同一收款单位累计",
		"同一供应商累计", "按收款人累计"},
})}

var ruleChoice = choice{what: "a majority rule", help: "过半数 or 三分之二 " +
	"(more_than_half, two_thirds)", words: words(map[string][]string{
	"more_than_half": {"过半数", "半数以上", "超过半数", "超过二分之一", "二分之一以上", "1/2",
		"过半", "应到会人数过半数", "过二分之一"},
	"two_thirds": {"三分之二", "三分之二以上", "2/3", "⅔", "2/3以上", "应到会人数三分之二以上"},
})}

var roleChoice = choice{what: "a role", help: "主要负责人, 副职 or 成员 (leader, deputy, " +
	"member); the leader is the one who states a view last", words: words(map[string][]string{
	"leader": {"主要负责人", "负责人", "主持人", "书记", "主任", "组长", "镇长", "乡长",
		"县长", "主席", "主要领导", "一把手", "党委书记", "党组书记", "村党组织书记"},
	"deputy": {"副职", "副书记", "副主任", "副组长", "副镇长", "副乡长", "副县长", "副主席",
		"班子副职"},
	"member": {"成员", "委员", "组员", "班子成员", "党委委员", "代表", "村民代表"},
})}

var modeChoice = choice{what: "a form of meeting", help: "会议 or 传签 (meeting, circulation)",
	words: words(map[string][]string{
		"meeting":     {"会议", "现场会议", "集体会议", "开会", "视频会议"},
		"circulation": {"传签", "书面传签", "传阅", "会签"},
	})}

var outcomeChoice = choice{what: "an outcome", help: "通过, 未通过 or 暂缓 " +
	"(approved, rejected, deferred)", words: words(map[string][]string{
	"approved": {"通过", "同意", "批准", "原则通过", "审议通过", "一致通过"},
	"rejected": {"未通过", "不通过", "否决", "不同意"},
	"deferred": {"暂缓", "缓议", "搁置", "待议", "下次再议", "暂缓审议"},
})}

// bodyKindWords are the names of meeting bodies in procedure lists.
var bodyKindWords = words(map[string][]string{
	string(agenda.BodyPartyCongress):          {"党代会", "党员代表大会", "党代表大会", "党员大会"},
	string(agenda.BodyPartyCommittee):         {"党委会", "党委会议", "党委(扩大)会议", "党委扩大会议"},
	string(agenda.BodyPartyStandingCommittee): {"县委常委会", "常委会", "常委会议", "县委常委会议"},
	string(agenda.BodyPeoplesCongress):        {"人代会", "人民代表大会", "人大会议"},
	string(agenda.BodyPeoplesCongressPresidium): {"人大主席团", "人大主席团会议",
		"主席团会议"},
	string(agenda.BodyGovernmentExecutive): {"政府常务会议", "常务会议", "政府常务会",
		"常务会", "政府常委会"},
	string(agenda.BodyPartyGroup):           {"党组会", "党组会议", "党组(扩大)会议"},
	string(agenda.BodyVillageTwoCommittees): {"村两委会议", "两委会议", "两委会", "村两委会", "村两委联席会议"},
	string(agenda.BodyVillagerRepresentatives): {"村民代表会议", "村民代表大会",
		"村民会议", "村民代表会"},
	string(agenda.BodyJointPartyGovernment): {"党政联席会议", "党政联席会", "党政班子会",
		"党政班子会议", "班子会", "党政领导班子会议"},
})

const bodyKindHelp = "党代会, 党委会, 县委常委会, 人代会, 人大主席团, 政府常务会议, 党组会, " +
	"村两委会议, 村民代表会议 or 党政联席会议 (or party_committee and the other kinds)"

// unitPrefixes may stand before a body's name: 镇党委会, 乡政府常务会议.
var unitPrefixes = []string{"县", "镇", "乡", "街道", "区", "市", "乡镇", "镇政府", "乡政府",
	"县政府", "区政府", "市政府", "政府"}

// parseBodyKind reads one kind of meeting body.
func parseBodyKind(v string) (agenda.BodyKind, error) {
	w := quotes.Replace(squeeze(v))
	if k, ok := bodyKindWords[w]; ok {
		return agenda.BodyKind(k), nil
	}
	for _, p := range unitPrefixes {
		if k, ok := bodyKindWords[strings.TrimPrefix(w, p)]; ok && strings.HasPrefix(w, p) {
			return agenda.BodyKind(k), nil
		}
	}
	return "", fmt.Errorf("「%s」 is not a kind of meeting body: write %s", cleanText(v),
		bodyKindHelp)
}

// bodySeparators split a sequence of bodies: 村两委会议→村民代表会议.
var bodySeparators = strings.NewReplacer("→", "\x00", "->", "\x00", "=>", "\x00", ">", "\x00",
	"、", "\x00", ",", "\x00", ";", "\x00", "+", "\x00", "然后", "\x00", "后报", "\x00",
	"再报", "\x00", "再提交", "\x00", "提交", "\x00")

// noMeeting are the words for a matter that needs no meeting.
var noMeeting = map[string]bool{"": true, "无": true, "否": true, "不需要": true, "-": true,
	"/": true, "none": true, "不需上会": true, "无需上会": true}

// parseBodyKinds reads the kinds that must take a matter up, in order.
// It returns nil for a matter that needs no meeting.
func parseBodyKinds(v string) ([]agenda.BodyKind, []error) {
	if noMeeting[squeeze(v)] {
		return nil, nil
	}
	var kinds []agenda.BodyKind
	var errs []error
	for _, part := range strings.Split(bodySeparators.Replace(fold(v)), "\x00") {
		if cleanText(part) == "" {
			continue
		}
		k, err := parseBodyKind(part)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		kinds = append(kinds, k)
	}
	return kinds, errs
}
