package county

import "strings"

// Body kinds, as the schema spells them.
const (
	kindParty     = "party_committee"
	kindStanding  = "party_standing_committee"
	kindPresidium = "peoples_congress_presidium"
	kindGov       = "government_executive"
	kindGroup     = "party_group"
	kindTwo       = "village_two_committees"
	kindReps      = "villager_representatives"
	kindJoint     = "joint_party_government"
)

// Categories of the four-way sort (四分法) and classes of 三重一大.
const (
	catDecision = "decision"
	catImpl     = "implementation"
	catExec     = "execution"
	catOther    = "other"

	classMajor   = "major_decision"
	classCadre   = "cadre"
	classProject = "major_project"
	classFunds   = "large_funds"
	classNone    = "none"
)

// A matterTemplate is one line of a unit's procedure list.
type matterTemplate struct {
	name      string
	category  string
	class     string
	kinds     []string // bodies that take the matter up, in order; the last decides
	threshold int64    // yuan; 0 when every decision of the matter needs the meeting
	// flags: L leader speaks last, R recusal applies, Q quorum of two thirds,
	// V vote of two thirds, P amounts summed per project, Y per payee.
	flags    string
	weight   int // how often a decision is of this matter
	legal    string
	subjects []string // what a decision is about; {p} is a place of the unit, {y} the year
}

func (m *matterTemplate) has(flag byte) bool { return strings.IndexByte(m.flags, flag) >= 0 }

func (m *matterTemplate) needsMeeting() bool { return len(m.kinds) > 0 }

// decider is the kind of body whose meeting decides the matter.
func (m *matterTemplate) decider() string { return m.kinds[len(m.kinds)-1] }

func (m *matterTemplate) basis() string {
	switch {
	case m.has('P'):
		return "project"
	case m.has('Y'):
		return "payee"
	}
	return "single"
}

func (m *matterTemplate) quorumRule() string { return rule(m.has('Q')) }
func (m *matterTemplate) voteRule() string   { return rule(m.has('V')) }

func rule(twoThirds bool) string {
	if twoThirds {
		return "two_thirds"
	}
	return "more_than_half"
}

func ks(kinds ...string) []string { return kinds }

const (
	basisMajors   = "镇“三重一大”事项集体决策制度"
	basisFunds    = "镇大额资金管理办法：单笔5万元及以上须集体研究"
	basisAdmin    = "《重大行政决策程序暂行条例》、镇重大行政决策事项目录"
	basisCongress = "《地方各级人民代表大会和地方各级人民政府组织法》"
	basisVillage  = "《中华人民共和国村民委员会组织法》第二十四条、村级“四议两公开”工作法"
)

// townshipMatters is a township's procedure list of 35 matters, after the
// categories and thresholds of published township lists (三重一大 with a
// 5万元 funds line and a 100万元 project and asset line; a government
// executive list of major administrative decisions; the presidium's
// matters between congress sessions; and matters that need no meeting).
var townshipMatters = []matterTemplate{
	{"贯彻落实上级重大决策部署的实施意见", catDecision, classMajor, ks(kindParty), 0, "LQ", 2,
		basisMajors, []string{"乡村振兴重点任务", "耕地保护专项整治", "基层治理能力提升"}},
	{"镇年度工作计划和五年以上发展规划", catDecision, classMajor, ks(kindParty), 0, "LQ", 1,
		basisMajors, []string{"{y}年度工作要点", "集镇发展五年规划"}},
	{"镇党委重要工作制度的制定和修改", catDecision, classMajor, ks(kindParty), 0, "LQ", 1,
		basisMajors, []string{"党委议事规则修订", "机关干部考勤管理办法"}},
	{"重大突发事件应急处置方案", catDecision, classMajor, ks(kindParty), 0, "LQ", 1,
		basisMajors, []string{"防汛抗旱应急预案", "{p}地质灾害隐患点处置方案"}},
	{"镇村规划编制和调整", catDecision, classMajor, ks(kindParty), 0, "LQ", 1,
		basisMajors, []string{"{p}村庄规划", "{p}集中居住点选址"}},
	{"重大招商引资项目落地", catDecision, classProject, ks(kindParty), 0, "LQ", 1,
		basisMajors, []string{"{p}农产品加工园项目", "{p}光伏发电项目"}},
	{"推荐、提名、任免镇管干部", catDecision, classCadre, ks(kindParty), 0, "LRQ", 3,
		basisMajors, []string{"镇农业综合服务中心主任人选", "镇财政所所长人选"}},
	{"镇机关干部调整交流和岗位安排", catDecision, classCadre, ks(kindParty), 0, "LRQ", 2,
		basisMajors, []string{"机关干部岗位调整", "驻村工作队人员调整"}},
	{"村（社区）党组织书记的任免和调整", catDecision, classCadre, ks(kindParty), 0, "LRQ", 2,
		basisMajors, []string{"{p}村党组织书记人选", "{p}村党组织书记调整"}},
	{"干部的奖励、处分和问责意见", catDecision, classCadre, ks(kindParty), 0, "LRQ", 1,
		basisMajors, []string{"年度考核优秀等次人选", "{p}村干部问责处理意见"}},
	{"推荐上级后备干部和各类先进人选", catDecision, classCadre, ks(kindParty), 0, "LRQ", 1,
		basisMajors, []string{"优秀共产党员推荐人选", "县级后备干部推荐人选"}},
	{"重大建设项目的立项和安排（投资100万元及以上）", catDecision, classProject, ks(kindParty),
		1_000_000, "LRQP", 3, "镇重大行政决策事项目录：财政投入100万元及以上",
		[]string{"{p}污水管网建设项目", "{p}道路提升改造工程", "{p}山塘综合整治工程"}},
	{"使用大额资金（单笔5万元及以上）", catDecision, classFunds, ks(kindParty), 50_000, "LRY", 8,
		basisFunds, []string{"敬老院改造资金", "防汛物资储备资金", "{p}村级活动场所修缮资金",
			"农村公路养护资金", "党群服务中心设备购置资金"}},
	{"预算外追加支出（5万元及以上）", catDecision, classFunds, ks(kindParty), 50_000, "L", 3,
		basisFunds, []string{"{p}饮水工程应急抢修经费", "动物疫病防控追加经费"}},
	{"专项资金的分配和使用", catDecision, classFunds, ks(kindParty), 0, "L", 2, basisFunds,
		[]string{"{y}年度乡村振兴补助资金分配", "农田水利建设专项资金分配"}},
	{"对外担保、借款和举债", catDecision, classFunds, ks(kindParty), 0, "LQ", 1, basisMajors,
		[]string{"{p}项目建设短期借款"}},
	{"政府投资项目施工单位确定（50万元及以上）", catDecision, classProject, ks(kindGov),
		500_000, "LRP", 3, basisAdmin, []string{"{p}桥梁维修工程", "{p}河道清淤工程"}},
	{"镇村道路、水利等基础设施维修工程（10万元及以上）", catDecision, classProject, ks(kindGov),
		100_000, "LP", 4, basisAdmin, []string{"{p}村道修复工程", "{p}灌溉渠道维修工程"}},
	{"处置镇属国有资产（价值100万元及以上）", catDecision, classFunds, ks(kindGov), 1_000_000,
		"LRY", 1, "镇国有资产管理办法", []string{"原{p}小学校舍处置", "闲置办公用房拍卖"}},
	{"大宗物资和设备采购（5万元及以上）", catDecision, classFunds, ks(kindGov), 50_000, "LRY", 5,
		basisFunds, []string{"环卫保洁设备采购", "机关办公设备采购", "应急救援物资采购"}},
	{"签订合同（金额1万元及以上，期限一年以上）", catDecision, classFunds, ks(kindGov), 10_000,
		"LRY", 6, "镇合同管理办法：短期合同金额累计计算", []string{"{p}保洁服务合同",
			"镇区绿化养护合同", "法律顾问服务合同"}},
	{"以镇政府名义出台的规范性文件和重要政策", catDecision, classMajor, ks(kindGov), 0, "L", 2,
		basisAdmin, []string{"农村建房管理实施细则", "集镇市容管理办法"}},
	{"安全生产、防灾减灾专项工作方案", catDecision, classMajor, ks(kindGov), 0, "L", 2,
		basisAdmin, []string{"安全生产大检查方案", "自建房安全专项整治方案"}},
	{"乡村振兴重点工作方案", catDecision, classMajor, ks(kindGov), 0, "L", 2, basisAdmin,
		[]string{"{p}和美乡村建设方案", "农村人居环境整治提升方案"}},
	{"征地拆迁补偿安置方案", catDecision, classMajor, ks(kindGov), 0, "LR", 1, basisAdmin,
		[]string{"{p}地块征收补偿安置方案"}},
	{"民生保障政策的实施办法", catDecision, classMajor, ks(kindGov), 0, "L", 1, basisAdmin,
		[]string{"城乡低保动态管理办法", "困难群众临时救助实施办法"}},
	{"重大行政执法决定", catDecision, classMajor, ks(kindGov), 0, "LR", 1, basisAdmin,
		[]string{"{p}违法建筑拆除决定", "非法采砂案件处理决定"}},
	{"镇本级预算调整方案", catDecision, classFunds, ks(kindGov, kindPresidium), 0, "Q", 1,
		basisCongress, []string{"{y}年镇本级预算调整方案"}},
	{"民生实事项目票决", catDecision, classProject, ks(kindPresidium), 0, "QV", 1,
		basisCongress, []string{"{y}年度民生实事项目"}},
	{"听取审议镇政府专项工作报告", catDecision, classMajor, ks(kindPresidium), 0, "Q", 1,
		basisCongress, []string{"镇政府生态环境保护工作报告", "镇政府预算执行情况报告"}},
	{"落实上级部署的专项工作任务", catImpl, classNone, nil, 0, "", 3, "",
		[]string{"秸秆禁烧工作任务落实", "防返贫动态监测工作"}},
	{"镇村环境整治日常工作", catImpl, classNone, nil, 0, "", 2, "",
		[]string{"{p}垃圾清运日常巡查", "河长制日常巡河"}},
	{"日常办公用品和小额采购", catExec, classNone, nil, 0, "", 6, "",
		[]string{"办公用品采购", "会议室维修", "公务用车维修"}},
	{"公务接待和车辆日常运行", catExec, classNone, nil, 0, "", 3, "",
		[]string{"公务车辆燃油费", "上级检查接待"}},
	{"信访事项的日常办理", catOther, classNone, nil, 0, "", 1, "",
		[]string{"{p}群众来信办理", "信访积案化解"}},
}
