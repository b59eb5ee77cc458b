// Records who attended a meeting: the members whose seat on the meeting's
// body holds its day, and any member already recorded, each present or
// absent with a reason.
"use strict";

const meetingID = Number(location.pathname.split("/").pop());
let rows = []; // {member, role, tr} in the order shown

function choice(tr, name, value, checked) {
  const input = document.createElement("input");
  input.type = "radio";
  input.name = name;
  input.value = value;
  input.checked = checked;
  input.addEventListener("change", summarize);
  cell(tr, "").appendChild(input);
  return input;
}

function memberRow(member, role, recorded) {
  const tr = document.createElement("tr");
  tr.dataset.member = member.id;
  cell(tr, member.name + (member.title ? ` · ${member.title}` : ""));
  cell(tr, role || "not seated on the meeting's day");
  const name = `status-${member.id}`;
  choice(tr, name, "present", recorded && recorded.status === "present");
  choice(tr, name, "absent", recorded && recorded.status === "absent");
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.size = 30;
  reason.value = recorded ? recorded.absence_reason : "";
  cell(tr, "").appendChild(reason);
  return { member, role, tr };
}

function statusOf(r) {
  const checked = r.tr.querySelector("input[type=radio]:checked");
  return checked ? checked.value : "";
}

function summarize() {
  const expected = rows.filter((r) => r.role).length;
  const present = rows.filter((r) => statusOf(r) === "present").length;
  const open = rows.filter((r) => !statusOf(r)).length;
  $("summary").textContent = `${present} present of ${expected} expected` +
    (open ? `; ${open} not recorded yet` : "");
  $("saved").textContent = "";
}

// entries are the rows with a status, as the API takes them; index maps
// each entry back to its row.
function entries() {
  const items = [];
  const index = [];
  rows.forEach((r, i) => {
    const status = statusOf(r);
    if (!status) return;
    const reason = r.tr.querySelector(".reason").value.trim();
    items.push({ member_id: r.member.id, status,
      absence_reason: status === "absent" ? reason : "" });
    index.push(i);
  });
  return { items, index };
}

async function save() {
  showError("");
  rows.forEach((r) => r.tr.classList.remove("error"));
  const { items, index } = entries();
  try {
    const res = await api("PUT", `/meetings/${meetingID}/attendance`, { items });
    $("saved").textContent = `Saved ${res.items.length} entries.`;
  } catch (err) {
    const names = [];
    for (const f of err.fields || []) {
      const m = /^items\[(\d+)\]/.exec(f.field);
      const r = m && rows[index[Number(m[1])]];
      if (r) {
        r.tr.classList.add("error");
        names.push(`${r.member.name}: ${f.reason}`);
      }
    }
    showError("Could not save: " + (names.length ? names.join("\n") : err.message));
  }
}

async function load() {
  const [m, expected, recorded] = await Promise.all([
    api("GET", `/meetings/${meetingID}`),
    api("GET", `/meetings/${meetingID}/expected-attendees`),
    api("GET", `/meetings/${meetingID}/attendance`),
  ]);
  $("title").textContent = `出席 ${m.title}`;
  $("meeting-info").textContent = `${m.body.name} · planned ${formatTime(m.planned_start)}` +
    (m.started_at ? ` · held from ${formatTime(m.started_at)}` : "");
  const byMember = new Map(recorded.items.map((a) => [a.member_id, a]));
  rows = expected.items.map((e) => memberRow(e.member, e.seat.role, byMember.get(e.member.id)));
  const seated = new Set(expected.items.map((e) => e.member.id));
  const others = recorded.items.filter((a) => !seated.has(a.member_id));
  const members = await Promise.all(others.map((a) => api("GET", `/members/${a.member_id}`)));
  members.forEach((mb, i) => rows.push(memberRow(mb, "", others[i])));
  $("members").replaceChildren(...rows.map((r) => r.tr));
  const agenda = m.agenda_items.map((it) => {
    const li = document.createElement("li");
    li.value = it.seq;
    li.textContent = it.title;
    return li;
  });
  $("agenda").replaceChildren(...agenda);
  $("save").disabled = false;
  summarize();
}

$("save").addEventListener("click", () => withToken(save));
withToken(load);
