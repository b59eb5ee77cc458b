// The meeting-room page: publishes camera and microphone over WHIP
// (RFC 9725) and marks when each agenda item starts and ends.
"use strict";

const meetingID = Number(location.pathname.split("/").pop());
const $ = (id) => document.getElementById(id);
let token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
let pc = null;
let sessionURL = null;
let stream = null;

function showError(msg) { $("error").textContent = msg || ""; }

async function api(method, path, body) {
  const res = await fetch("/api/v1" + path, {
    method,
    headers: Object.assign({ Authorization: "Bearer " + token },
      body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(await problemText(res));
  return res.status === 204 ? null : res.json();
}

async function problemText(res) {
  try {
    const p = await res.json();
    const fields = (p.errors || []).map((e) => `${e.field}: ${e.reason}`).join("\n");
    return `${p.title || res.status}: ${p.detail || ""}${fields ? "\n" + fields : ""}`;
  } catch (_) {
    return `HTTP ${res.status}`;
  }
}

function waitForIceGathering(conn) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (conn.iceGatheringState === "complete") {
        conn.removeEventListener("icegatheringstatechange", done);
        resolve();
      }
    };
    conn.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 5000); // publish with the candidates found so far
  });
}

async function start() {
  showError("");
  $("start").disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $("preview").srcObject = stream;
    pc = new RTCPeerConnection();
    pc.addEventListener("connectionstatechange", () => {
      $("status-connection").textContent = pc.connectionState;
      $("status-connection").className = pc.connectionState === "connected" ? "live" : "";
    });
    for (const track of stream.getTracks()) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    const res = await fetch(`/whip/${meetingID}`, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", Authorization: "Bearer " + token },
      body: pc.localDescription.sdp,
    });
    if (res.status !== 201) throw new Error(await problemText(res));
    sessionURL = new URL(res.headers.get("Location"), location.href).toString();
    await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
    $("stop").disabled = false;
  } catch (err) {
    showError("Could not start: " + err.message);
    teardown();
    $("start").disabled = false;
  }
}

async function stop() {
  $("stop").disabled = true;
  try {
    if (sessionURL) {
      const res = await fetch(sessionURL, {
        method: "DELETE", headers: { Authorization: "Bearer " + token },
      });
      if (!res.ok) throw new Error(await problemText(res));
    }
  } catch (err) {
    showError("Could not end the session cleanly: " + err.message);
  }
  teardown();
  $("start").disabled = false;
}

function teardown() {
  if (pc) pc.close();
  if (stream) stream.getTracks().forEach((t) => t.stop());
  pc = null;
  stream = null;
  sessionURL = null;
  $("status-connection").textContent = "not connected";
}

async function mark(itemID, action) {
  showError("");
  try {
    await api("POST", `/agenda-items/${itemID}/marks`, { action });
    await refresh();
  } catch (err) {
    showError(`Could not mark item ${itemID} (${action}): ${err.message}`);
  }
}

function renderAgenda(items, marks) {
  const body = $("agenda");
  body.replaceChildren();
  for (const item of items) {
    const tr = document.createElement("tr");
    const cells = [item.seq, item.title, marks[item.id] || ""];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    const td = document.createElement("td");
    for (const [action, label] of [["start", "开始 Start"], ["end", "结束 End"]]) {
      const b = document.createElement("button");
      b.textContent = label;
      b.dataset.item = item.id;
      b.dataset.action = action;
      b.addEventListener("click", () => mark(item.id, action));
      td.appendChild(b);
    }
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

function formatOffset(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

async function refresh() {
  const m = await api("GET", `/meetings/${meetingID}`);
  $("title").textContent = m.title;
  $("meeting-info").textContent = `Meeting ${m.id}` + (m.body ? ` · ${m.body.name}` : "");
  const recs = m.recordings || [];
  const latest = recs[recs.length - 1];
  if (latest) {
    const tracks = latest.tracks || [];
    const stored = tracks.reduce((n, t) => n + (t.segments || 0), 0);
    const last = tracks.filter((t) => t.last_segment_sha256)
      .sort((a, b) => String(a.last_segment_at).localeCompare(String(b.last_segment_at)))
      .pop();
    $("status-recording").textContent = `#${latest.id} ${latest.state}`;
    $("status-segments").textContent = String(stored);
    $("status-hash").textContent = last ? last.last_segment_sha256 : "–";
  }
  const marks = {};
  for (const item of m.agenda_items || []) {
    marks[item.id] = (item.index_points || []).map((p) =>
      `${formatOffset(p.start_ms)}–${p.end_ms == null ? "…" : formatOffset(p.end_ms)}`).join(", ");
  }
  renderAgenda(m.agenda_items || [], marks);
}

async function init() {
  if (!token) {
    $("token-bar").hidden = false;
    $("use-token").addEventListener("click", () => {
      token = $("token").value.trim();
      init();
    });
    return;
  }
  $("token-bar").hidden = true;
  try {
    await refresh();
    $("start").disabled = false;
    setInterval(() => refresh().catch((err) => showError(err.message)), 2000);
  } catch (err) {
    showError("Could not load the meeting: " + err.message);
  }
}

$("start").addEventListener("click", start);
$("stop").addEventListener("click", stop);
window.addEventListener("pagehide", () => {
  if (sessionURL) {
    fetch(sessionURL, { method: "DELETE", keepalive: true,
      headers: { Authorization: "Bearer " + token } });
  }
});
init();
