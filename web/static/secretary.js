// The secretary's list of meetings, each with its agenda, and links to
// record who attended.
"use strict";

const pageSize = 20;
let offset = 0;
const bodies = new Map(); // body id → promise of the body

function bodyOf(id) {
  if (!bodies.has(id)) bodies.set(id, api("GET", `/bodies/${id}`).catch(() => null));
  return bodies.get(id);
}

// dayStart is midnight in China Standard Time of a yyyy-mm-dd input.
function dayStart(value) { return value ? `${value}T00:00:00+08:00` : ""; }

function query() {
  const q = new URLSearchParams({ limit: pageSize, offset });
  if ($("from").value) q.set("planned_from", dayStart($("from").value));
  if ($("to").value) {
    const next = new Date(`${$("to").value}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    q.set("planned_to", dayStart(next.toISOString().slice(0, 10)));
  }
  return q.toString();
}

function agendaList(items) {
  const ol = document.createElement("ol");
  for (const it of items) {
    const li = document.createElement("li");
    li.value = it.seq;
    li.textContent = it.title + (it.outcome ? ` (${it.outcome})` : "");
    ol.appendChild(li);
  }
  return ol;
}

async function row(m) {
  const [body, agenda] = await Promise.all([bodyOf(m.body_id),
    api("GET", `/meetings/${m.id}/agenda-items`)]);
  const tr = document.createElement("tr");
  tr.dataset.meeting = m.id;
  cell(tr, formatTime(m.planned_start));
  cell(tr, m.title + (m.code ? ` · ${m.code}` : "") +
    (m.mode === "circulation" ? " · 传签 circulation" : ""));
  cell(tr, body ? body.name : `#${m.body_id}`);
  cell(tr, m.started_at ? `${formatTime(m.started_at)} – ${formatTime(m.ended_at)}` : "–");
  cell(tr, "").appendChild(agendaList(agenda.items));
  const a = document.createElement("a");
  a.href = `/secretary/meetings/${m.id}`;
  a.textContent = "出席 Attendance";
  cell(tr, "").appendChild(a);
  return tr;
}

async function load() {
  const page = await api("GET", `/meetings?${query()}`);
  const rows = await Promise.all(page.items.map(row));
  $("meetings").replaceChildren(...rows);
  $("prev").disabled = offset === 0;
  $("next").disabled = !page.next_offset;
  $("next").onclick = () => { offset = page.next_offset; withToken(load); };
}

$("prev").addEventListener("click", () => {
  offset = Math.max(0, offset - pageSize);
  withToken(load);
});
$("filter").addEventListener("submit", (ev) => {
  ev.preventDefault();
  offset = 0;
  withToken(load);
});
withToken(load);
