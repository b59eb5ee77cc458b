// Shared by the search and watch pages, after api.js: elements, times and
// the names of the catalogue's codes.
"use strict";

// el makes an element with text, or with children.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs || {});
  for (const c of children) e.append(c);
  return e;
}

function clock(ms) {
  if (ms === null || ms === undefined) return "…";
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return (h ? h + ":" + two(m) : String(m)) + ":" + two(r);
}

function day(iso) { return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : ""; }

const kindNames = {
  party_congress: "党代会", party_committee: "党委会", party_standing_committee: "常委会",
  peoples_congress: "人代会", peoples_congress_presidium: "人大主席团",
  government_executive: "政府常务会议", party_group: "党组会",
  village_two_committees: "村两委会议", villager_representatives: "村民代表会议",
  joint_party_government: "党政联席会议",
};
const categoryNames = { decision: "决策类", implementation: "落实类", execution: "执行类",
  other: "其他类" };
const classNames = { major_decision: "重大决策", cadre: "重要干部任免", major_project: "重大项目",
  large_funds: "大额资金", none: "非三重一大" };
const recordingNames = { finished: "完整 finished", interrupted: "中断 interrupted",
  recording: "录制中 recording", none: "无录像 none", not_indexed: "未标记 not indexed" };
