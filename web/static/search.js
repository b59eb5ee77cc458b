// The search page: a text and filters, results linking to the watch page.
"use strict";

const fields = ["q", "unit", "body_kind", "category", "major_class", "from", "to",
  "has_findings"];
const pageSize = 20;
let offset = 0;

function fillSelect(id, names) {
  const s = $(id);
  s.append(el("option", { value: "", textContent: "全部 all" }));
  for (const [value, name] of Object.entries(names)) {
    s.append(el("option", { value, textContent: `${name} ${value}` }));
  }
}

async function loadUnits() {
  const units = await api("GET", "/org-units?limit=500");
  for (const u of units.items || units) {
    $("unit").append(el("option", { value: u.code, textContent: `${u.name} ${u.code}` }));
  }
}

function params() {
  const p = new URLSearchParams();
  for (const f of fields) {
    const v = $(f).value.trim();
    if (v) p.set(f, v);
  }
  return p;
}

async function search() {
  showError("");
  const p = params();
  history.replaceState(null, "", "/search?" + p.toString());
  p.set("limit", pageSize);
  p.set("offset", offset);
  try {
    show(await api("GET", "/search?" + p.toString()));
  } catch (e) {
    if (e.status === 401) askToken(search);
    showError(e.message);
  }
}

function show(res) {
  const n = res.total_exact ? `${res.total}` : `${res.total}+`;
  const how = res.match === "similar" ? "（无完全匹配，以下为相近结果 nothing contains the " +
    "text; these are the most similar）" : "";
  $("summary").textContent = `共 ${n} 条 results${how}${findingsBasis(res.findings)}`;
  const body = $("results").tBodies[0];
  body.replaceChildren(...res.items.map(row));
  $("results").hidden = res.items.length === 0;
  $("prev").disabled = offset === 0;
  $("next").disabled = offset + res.items.length >= res.total && res.total_exact;
}

// findingsBasis tells what a has_findings search was answered from: the
// open and acknowledged findings as of the last completed sweep.
function findingsBasis(f) {
  if (!f) return "";
  let s = `；问题按 ${day(f.as_of)} 开始的核查为准，计未处理与已确认的问题 ` +
    `(findings open or acknowledged as of the sweep of ${day(f.as_of)}`;
  if (!f.objects_as_of) {
    s += "; segment objects not yet checked by any sweep";
  } else if (f.objects_as_of !== f.as_of) {
    s += `; segment objects as of ${day(f.objects_as_of)}`;
  }
  return s + ")";
}

// unchecked marks an item with a decision changed since the sweep its
// findings are as of, naming the decisions.
function unchecked(it) {
  const changed = it.decisions.filter((d) => d.not_yet_checked)
    .map((d) => `${d.title} (${day(d.changed_at)})`);
  return el("span", { className: "badge unchecked",
    title: "changed after the sweep; the next sweep judges it 核查后有改动: " + changed.join("; "),
    textContent: "尚未核查 not yet checked" });
}

function row(it) {
  const link = el("a", { href: it.watch_url, className: "watch" },
    `${it.agenda_item.seq}. ${it.agenda_item.title}`);
  const matter = it.matter ? `${it.matter.name}（${classNames[it.matter.major_class] || ""}）` : "";
  const stretch = it.index_points.map((p) => `${clock(p.start_ms)}–${clock(p.end_ms)}`)
    .join(", ");
  const state = el("span", { className: "badge " + it.recording_state,
    textContent: recordingNames[it.recording_state] || it.recording_state });
  const item = el("td", {}, link);
  if (it.not_yet_checked) item.append(" ", unchecked(it));
  return el("tr", {},
    el("td", {}, day(it.held_at)),
    el("td", {}, `${it.unit.name} · ${it.meeting.title}`),
    item,
    el("td", {}, matter),
    el("td", {}, state),
    el("td", { className: "mono" }, stretch));
}

function init() {
  fillSelect("body_kind", kindNames);
  fillSelect("category", categoryNames);
  fillSelect("major_class", classNames);
  const given = new URLSearchParams(location.search);
  for (const f of fields) if (given.has(f)) $(f).value = given.get(f);
  $("search").addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; search(); });
  $("prev").onclick = () => { offset = Math.max(0, offset - pageSize); search(); };
  $("next").onclick = () => { offset += pageSize; search(); };
  const start = () => loadUnits().then(() => {
    if (given.has("unit")) $("unit").value = given.get("unit");
    if (given.toString()) search();
  }).catch((e) => {
    if (e.status === 401) askToken(start);
    showError(e.message);
  });
  if (!currentToken()) askToken(start); else start();
}

init();
