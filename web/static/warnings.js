// The warnings page: open and acknowledged findings, the last opened
// first, each with how its warnings to the webhooks went, and buttons to
// acknowledge or resolve it.
"use strict";

const pageSize = 50;
let offset = 0;

// byKey keeps the name of the person at this browser, which every change
// records; the admin token alone does not say who it was.
const byKey = "liuhen-by";
$("by").value = localStorage.getItem(byKey) || "";
$("by").addEventListener("change", () => localStorage.setItem(byKey, $("by").value.trim()));

const severityNames = { high: "高 high", medium: "中 medium", low: "低 low" };
const stateNames = { open: "待处理 open", acknowledged: "已确认 acknowledged" };

// deliveryText says how the finding's warnings went.
function deliveryText(d) {
  if (!d || d.queued + d.delivered + d.given_up === 0) return "–";
  const parts = [];
  if (d.delivered) parts.push(`已送达 ${d.delivered} delivered`);
  if (d.queued) parts.push(`发送中 ${d.queued} sending`);
  if (d.given_up) parts.push(`失败 ${d.given_up} given up`);
  return parts.join(" · ");
}

// lastError finds the error of the last warning given up.
async function lastError(f) {
  const d = await api("GET", `/findings/${f.id}`);
  const failed = d.delivery_log.filter((x) => x.state === "given_up");
  return failed.length ? failed[failed.length - 1].last_error : "";
}

function evidence(f) {
  const parts = [`decision ${f.decision_id} ${f.decision_title}`, f.unit_code];
  if (f.meeting_id) parts.push(`meeting ${f.meeting_id}`);
  if (f.agenda_item_id) parts.push(`agenda item ${f.agenda_item_id}`);
  if (f.recording_id) parts.push(`recording ${f.recording_id}`);
  if (f.object_key) parts.push(f.object_key);
  return parts.join(" · ");
}

function button(text, className, onClick) {
  const b = document.createElement("button");
  b.textContent = text;
  b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function row(f) {
  const tr = document.createElement("tr");
  tr.dataset.finding = f.id;
  cell(tr, formatTime(f.opened_at));
  cell(tr, severityNames[f.severity] || f.severity, f.severity === "high" ? "live" : "");
  const state = cell(tr, stateNames[f.state] || f.state, "state");
  if (f.state === "acknowledged") {
    const who = document.createElement("small");
    who.className = "by";
    who.textContent = ` ${f.state_actor}`;
    state.appendChild(who);
  }
  const what = cell(tr, "");
  const code = document.createElement("strong");
  code.textContent = f.code;
  const zh = document.createElement("div");
  zh.textContent = f.message_zh;
  const en = document.createElement("div");
  en.textContent = f.message;
  const ev = document.createElement("small");
  ev.textContent = evidence(f);
  what.append(code, zh, en, ev);
  const warn = cell(tr, deliveryText(f.deliveries), "deliveries");
  if (f.deliveries && f.deliveries.given_up) {
    lastError(f).then((msg) => { if (msg) warn.title = msg; }).catch(() => {});
  }
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.size = 20;
  reason.placeholder = "理由 reason";
  cell(tr, "").appendChild(reason);
  const actions = cell(tr, "");
  if (f.state === "open") {
    actions.appendChild(button("确认 Acknowledge", "acknowledge",
      () => change(f, "acknowledge", reason)));
  }
  actions.appendChild(button("解决 Resolve", "resolve", () => change(f, "resolve", reason)));
  return tr;
}

async function change(f, action, reason) {
  const by = $("by").value.trim();
  const text = reason.value.trim();
  if (!by) {
    showError("Give your name: each change is recorded with who made it 请填写您的姓名");
    $("by").focus();
    return;
  }
  if (action === "resolve" && !text) {
    showError("Give the reason the finding is resolved 请填写解决理由");
    reason.focus();
    return;
  }
  localStorage.setItem(byKey, by);
  await withToken(async () => {
    await api("POST", `/findings/${f.id}/${action}`, { by, reason: text });
    await load();
  });
}

async function load() {
  const q = new URLSearchParams({ state: "open,acknowledged", limit: pageSize, offset });
  const page = await api("GET", `/findings?${q}`);
  $("findings").replaceChildren(...page.items.map(row));
  $("summary").textContent = page.items.length || offset ?
    `${offset + 1}–${offset + page.items.length}` : "没有待处理的预警 Nothing open";
  $("prev").disabled = offset === 0;
  $("next").disabled = !page.next_offset;
  $("next").onclick = () => { offset = page.next_offset; withToken(load); };
}

$("prev").addEventListener("click", () => {
  offset = Math.max(0, offset - pageSize);
  withToken(load);
});
$("refresh").addEventListener("click", () => withToken(load));
withToken(load);
