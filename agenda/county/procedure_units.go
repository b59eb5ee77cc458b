package county

// villageMatters follows the "four deliberations, two disclosures" method
// (四议两公开): a major village matter goes to the two committees first and
// is decided by the villagers' representatives; smaller spending stops at
// the two committees.
var villageMatters = []matterTemplate{
	{"村级年度工作计划和发展规划", catDecision, classMajor, ks(kindTwo, kindReps), 0, "Q", 1,
		basisVillage, []string{"{y}年度村级工作计划", "村集体经济发展规划"}},
	{"村集体经济项目的立项和承包方案", catDecision, classProject, ks(kindTwo, kindReps), 0,
		"RQP", 2, basisVillage, []string{"{p}茶园承包方案", "村级光伏电站项目"}},
	{"村集体资产、资源的发包、租赁和处置", catDecision, classFunds, ks(kindTwo, kindReps), 0,
		"RQY", 2, basisVillage, []string{"{p}山林承包经营权发包", "村集体闲置房屋出租"}},
	{"村级资金使用（3万元及以上）", catDecision, classFunds, ks(kindTwo, kindReps), 30_000,
		"RQY", 4, basisVillage, []string{"{p}道路硬化资金", "村文化礼堂修缮资金"}},
	{"村级一般开支（3000元及以上）", catDecision, classFunds, ks(kindTwo), 3_000, "LRY", 6,
		"村级财务管理制度：3000元及以上开支须两委会议研究",
		[]string{"村部办公设备购置", "{p}路灯维修", "村级水管维修"}},
	{"村公益事业建设项目及一事一议筹资筹劳", catDecision, classProject, ks(kindTwo, kindReps), 0,
		"QP", 2, basisVillage, []string{"{p}饮水工程一事一议", "{p}机耕路修建"}},
	{"宅基地使用方案", catDecision, classMajor, ks(kindTwo, kindReps), 0, "RQ", 2, basisVillage,
		[]string{"{p}村民建房宅基地安排"}},
	{"征地补偿费的使用和分配方案", catDecision, classFunds, ks(kindTwo, kindReps), 0, "RQ", 1,
		basisVillage, []string{"{p}征地补偿款分配方案"}},
	{"低保户、困难户的评议推荐", catDecision, classMajor, ks(kindTwo), 0, "LR", 2,
		"《最低生活保障审核确认办法》：村级评议", []string{"{y}年度低保对象评议", "临时救助对象推荐"}},
	{"村规民约的制定和修改", catDecision, classMajor, ks(kindTwo, kindReps), 0, "Q", 1,
		basisVillage, []string{"村规民约修订", "红白理事会章程"}},
	{"落实上级部署的村级工作", catImpl, classNone, nil, 0, "", 3, "",
		[]string{"防溺水宣传巡查", "森林防火值守"}},
	{"村务日常管理", catExec, classNone, nil, 0, "", 4, "", []string{"村部水电费", "村务公开栏更新"}},
}

const basisGroup = "党组工作规则、部门“三重一大”事项集体决策制度"

// departmentMatters is a county department's list: its party group
// (党组) decides the 三重一大 matters.
var departmentMatters = []matterTemplate{
	{"贯彻落实上级决策部署的重要举措", catDecision, classMajor, ks(kindGroup), 0, "LQ", 2,
		basisGroup, []string{"全县{y}年重点工作任务分解", "行业领域安全生产专项整治"}},
	{"本部门年度工作计划和发展规划", catDecision, classMajor, ks(kindGroup), 0, "LQ", 1,
		basisGroup, []string{"{y}年度工作要点", "行业发展五年规划"}},
	{"干部任免、调整和推荐", catDecision, classCadre, ks(kindGroup), 0, "LRQ", 3, basisGroup,
		[]string{"内设机构负责人人选", "二级单位负责人人选", "干部交流轮岗"}},
	{"干部奖惩", catDecision, classCadre, ks(kindGroup), 0, "LRQ", 1, basisGroup,
		[]string{"年度考核优秀等次人选", "干部违纪处理意见"}},
	{"重大项目安排（50万元及以上）", catDecision, classProject, ks(kindGroup), 500_000, "LRP", 2,
		basisGroup, []string{"{p}信息化平台建设项目", "{p}业务用房维修改造项目"}},
	{"大额资金使用（5万元及以上）", catDecision, classFunds, ks(kindGroup), 50_000, "LRY", 6,
		basisGroup, []string{"专项业务经费", "设备购置资金", "业务培训经费"}},
	{"政府采购项目（10万元及以上）", catDecision, classFunds, ks(kindGroup), 100_000, "LRY", 3,
		basisGroup, []string{"办公设备政府采购", "业务软件采购服务"}},
	{"重大行政许可和行政处罚案件", catDecision, classMajor, ks(kindGroup), 0, "LR", 2, basisGroup,
		[]string{"重大行政处罚案件集体讨论", "行政许可听证结果审议"}},
	{"内部管理制度制定", catDecision, classMajor, ks(kindGroup), 0, "L", 1, basisGroup,
		[]string{"内部财务管理制度", "公务用车管理办法"}},
	{"落实县委县政府部署的专项工作", catImpl, classNone, nil, 0, "", 3, "",
		[]string{"营商环境专项行动", "文明城市创建任务"}},
	{"日常经费报销（5万元以下）", catExec, classNone, nil, 0, "", 6, "",
		[]string{"差旅费报销", "办公用品采购", "印刷费"}},
	{"业务日常办理", catOther, classNone, nil, 0, "", 2, "", []string{"政务服务窗口日常工作"}},
}

const basisCounty = "县委工作规则、县政府工作规则、县“三重一大”事项集体决策制度"

// countyMatters is the county's own list: its party standing committee and
// government executive meeting.
var countyMatters = []matterTemplate{
	{"全县经济社会发展重大决策", catDecision, classMajor, ks(kindStanding), 0, "LQ", 2,
		basisCounty, []string{"{y}年全县经济工作安排", "县域商业体系建设方案"}},
	{"县管干部任免", catDecision, classCadre, ks(kindStanding), 0, "LRQ", 3, basisCounty,
		[]string{"县管干部任免", "{p}党委书记人选"}},
	{"重大项目安排（1000万元及以上）", catDecision, classProject, ks(kindStanding), 10_000_000,
		"LRQP", 2, basisCounty, []string{"{p}产业园区基础设施项目", "县城污水处理厂扩建项目"}},
	{"大额资金使用（500万元及以上）", catDecision, classFunds, ks(kindStanding), 5_000_000, "LRY",
		2, basisCounty, []string{"县级财政预备费动用", "乡村振兴衔接资金安排"}},
	{"重大突发事件处置", catDecision, classMajor, ks(kindStanding), 0, "LQ", 1, basisCounty,
		[]string{"{p}山洪灾害应急处置"}},
	{"县政府规范性文件", catDecision, classMajor, ks(kindGov), 0, "L", 2, basisCounty,
		[]string{"县城市容管理办法", "农村宅基地管理实施办法"}},
	{"县本级财政预算执行和调整", catDecision, classFunds, ks(kindGov), 0, "L", 1, basisCounty,
		[]string{"{y}年县本级预算调整方案"}},
	{"政府投资项目（500万元及以上）", catDecision, classProject, ks(kindGov), 5_000_000, "LRP", 2,
		basisCounty, []string{"{p}至县城公路改建工程", "县人民医院门诊楼建设项目"}},
	{"国有资产处置（300万元及以上）", catDecision, classFunds, ks(kindGov), 3_000_000, "LRY", 1,
		basisCounty, []string{"县属国有企业股权转让", "闲置国有土地使用权出让"}},
	{"重大行政决策事项", catDecision, classMajor, ks(kindGov), 0, "LR", 2, basisCounty,
		[]string{"城乡居民医保筹资标准调整", "公共交通票价调整"}},
	{"落实上级部署", catImpl, classNone, nil, 0, "", 2, "", []string{"中央环保督察反馈问题整改"}},
	{"日常行政事务", catExec, classNone, nil, 0, "", 3, "", []string{"县政府机关日常运行经费"}},
}
