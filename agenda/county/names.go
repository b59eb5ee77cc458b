package county

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// Syllables of made-up place names: a first and a second character make
// 600 different names, such as 石门 or 青溪.
var (
	placeFirst = []rune("石青白龙凤桃柳松梅枫金银铜黄红东西南北上下大小新高平安长永清")
	placeLast  = []rune("门山岭溪河湖桥坪坝口塘湾岗源田庄林川峰洲")
)

// placeName is the i-th of the made-up place names, visiting all 600
// before any repeats, in an order that does not follow the syllable lists.
func placeName(i int) string {
	n := len(placeFirst) * len(placeLast)
	j := (i*7919 + 13) % n // 7919 is prime, so j runs through every name
	name := string(placeFirst[j/len(placeLast)]) + string(placeLast[j%len(placeLast)])
	if i >= n {
		name += fmt.Sprintf("%d", i/n+1)
	}
	return name
}

// NameFor is the county name for code when none is given: 临溪县 for linxi,
// the default county's code, and for any other code a made-up name drawn
// from the place-name syllables by the code, so that each county generated
// under its own code gets a name of its own, the same every time.
func NameFor(code string) string {
	if d := DefaultOptions(); code == d.Code {
		return d.Name
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(code))
	n := uint32(len(placeFirst) * len(placeLast))
	return placeName(int(h.Sum32()%n)) + "县"
}

// departmentNames are county departments (县直部门) as counties name them.
var departmentNames = []string{
	"发展和改革局", "财政局", "教育局", "卫生健康局", "自然资源局", "住房和城乡建设局",
	"交通运输局", "水利局", "农业农村局", "民政局", "人力资源和社会保障局", "文化广电旅游体育局",
	"市场监督管理局", "应急管理局", "审计局", "统计局", "司法局", "商务局", "林业局",
	"医疗保障局", "退役军人事务局", "城市管理综合执法局", "生态环境分局", "科学技术局",
}

// departmentName is the name of the i-th department; past the list, the
// names repeat with an ordinal.
func departmentName(i int) string {
	name := departmentNames[i%len(departmentNames)]
	if i >= len(departmentNames) {
		name = fmt.Sprintf("%s（%d）", name, i/len(departmentNames)+1)
	}
	return name
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐" +
		"许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢")
	given = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英" +
		"华玉兰萍红建国文斌波宇浩凯辉鹏飞丹玲雪琳慧志海东")
)

// personName draws a Chinese name of two or three characters.
func personName(r *rand.Rand) string {
	name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.IntN(3) > 0 {
		name += string(given[r.IntN(len(given))])
	}
	return name
}

// Parts of company names: a place, a trade name and a trade make 30,000
// payees, such as 石门宏达建材有限公司.
var (
	tradeNames = []string{
		"宏达", "鑫源", "恒泰", "永安", "华兴", "顺发", "金诚", "利民", "振华", "盛世",
		"天成", "瑞丰", "宏远", "广厦", "兴旺", "德润", "佳美", "泰和", "新宇", "锦程",
		"安泰", "丰收", "嘉禾", "康达", "明辉"}
	trades = []string{
		"建筑工程有限公司", "建材有限公司", "劳务有限公司", "园林绿化有限公司", "物业服务有限公司",
		"办公设备商行", "农业开发有限公司", "水利工程有限公司", "路桥工程有限公司", "电器商行",
		"环境服务有限公司", "信息技术有限公司", "印务有限公司", "汽车维修厂", "餐饮服务部",
		"设计咨询有限公司", "机械租赁有限公司", "钢结构有限公司", "电力安装有限公司", "农资经营部"}
)

// payeeName is the i-th payee name of a unit whose places start at
// placeBase: distinct for every i, so that no two payments of one unit
// share a payee unless a split was planted.
func payeeName(placeBase, i int) string {
	n := len(tradeNames) * len(trades) * 60
	j := (i * 104729) % n // 104729 is prime and does not divide n
	place := placeName(placeBase + j/(len(tradeNames)*len(trades)))
	k := j % (len(tradeNames) * len(trades))
	name := place + tradeNames[k/len(trades)] + trades[k%len(trades)]
	if i >= n {
		name += fmt.Sprintf("第%d分公司", i/n+1)
	}
	return name
}
