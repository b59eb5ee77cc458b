// The watch page: plays the viewing copy from the agenda item's index
// point, lists the meeting's items as chapters, and shows the recording's
// segment hashes and the verifier's verdict; its button exports the
// item's evidence bundle, beside the key and command that check it offline.
"use strict";

const itemID = Number(location.pathname.split("/").pop());

async function load() {
  showError("");
  try {
    show(await api("GET", `/agenda-items/${itemID}/watch`));
    showKey(await api("GET", "/signing-key"));
  } catch (e) {
    if (e.status === 401) askToken(load);
    showError(e.message);
  }
}

function show(w) {
  document.title = `${w.agenda_item.title} · 留痕 Liuhen`;
  $("title").textContent = `${w.agenda_item.seq}. ${w.agenda_item.title}`;
  const matter = w.matter ? ` · ${w.matter.name}（${classNames[w.matter.major_class] || ""}）` : "";
  $("meeting").textContent = `${w.unit.name} · ${w.body.name}（${kindNames[w.body.kind] ||
    w.body.kind}） · ${w.meeting.title} · ${day(w.held_at)}${matter}`;
  showPlayer(w.playback);
  showChapters(w.chapters, w.agenda_item.id);
  showVerification(w.verification);
  $("decisions").replaceChildren(...w.decisions.map((d) =>
    el("li", {}, `${d.title}${d.reference ? "（" + d.reference + "）" : ""} · ${day(d.decided_at)}`)));
  showSegments(w.playback);
}

function showPlayer(p) {
  const player = $("player");
  if (!p) {
    player.hidden = true;
    $("copy").textContent = "本次会议没有录像 The meeting has no recording.";
    return;
  }
  const c = p.viewing_copy;
  if (!c || !c.url) {
    player.hidden = true;
    $("copy").textContent = "观看副本尚未生成 The viewing copy is not ready" +
      (c ? ` (${c.state}${c.last_error ? ": " + c.last_error : ""})` : "") + ".";
    return;
  }
  player.addEventListener("loadedmetadata", () => {
    player.currentTime = p.start_ms / 1000;
  }, { once: true });
  player.addEventListener("seeked", () => { player.dataset.seeked = "true"; }, { once: true });
  player.addEventListener("timeupdate", () => markChapter(player.currentTime * 1000));
  player.src = c.url;
  $("copy").textContent = `观看副本 Viewing copy ${c.object_key} · SHA-256 ${c.sha256} · ` +
    `${c.size} bytes; derived from the segments below, which are the evidence.`;
}

let chapterStarts = [];

function showChapters(chapters, current) {
  chapterStarts = [];
  $("chapters").replaceChildren(...chapters.map((c) => {
    const li = el("li", { className: c.agenda_item.id === current ? "current" : "" });
    li.dataset.item = c.agenda_item.id;
    if (c.start_ms !== null && c.start_ms !== undefined) {
      chapterStarts.push({ start: c.start_ms, li });
      const b = el("button", { type: "button", textContent: clock(c.start_ms) });
      b.dataset.startMs = c.start_ms;
      b.onclick = () => { $("player").currentTime = c.start_ms / 1000; $("player").play(); };
      li.append(b);
    } else {
      li.append(el("span", { className: "muted", textContent: "未标记 not marked " }));
    }
    li.append(el("a", { href: `/watch/${c.agenda_item.id}` }, c.agenda_item.title));
    return li;
  }));
}

function markChapter(ms) {
  let at = null;
  for (const c of chapterStarts) if (c.start <= ms) at = c;
  for (const c of chapterStarts) c.li.classList.toggle("playing", c === at);
}

function showVerification(v) {
  $("verdict").textContent = v.status;
  $("verdict").className = "badge " + v.status;
  $("verify-message").textContent = v.message || `${day(v.checked_at)} · ` +
    `${v.decisions.length} decision(s) checked`;
  $("findings").replaceChildren(...v.findings.map((f) =>
    el("li", {}, el("strong", {}, f.code), ` (${f.severity}) ${f.message_zh} — ${f.message}`)));
}

function showSegments(p) {
  const body = $("segments").tBodies[0];
  if (!p) { body.replaceChildren(); return; }
  $("recording").textContent = `recording ${p.id} · ${recordingNames[p.state] || p.state}`;
  const rows = [];
  for (const t of p.tracks) {
    for (const g of t.segments) {
      const gaps = g.gaps.map((x) => `${x.kind} ${clock(x.start_ms)}–${clock(x.end_ms)}`)
        .join(", ");
      rows.push(el("tr", {},
        el("td", {}, `${t.id}/${g.seq}`),
        el("td", {}, `${clock(g.media_start_ms)}–${clock(g.media_end_ms)}`),
        el("td", {}, String(g.size)),
        el("td", { className: "mono" }, g.sha256),
        el("td", {}, gaps)));
    }
  }
  body.replaceChildren(...rows);
}

const bundleName = `evidence-item-${itemID}.zip`;

function showKey(k) {
  $("signing-key").textContent = k.public_key;
  $("verify-command").textContent =
    `liuhen verify-bundle ${bundleName} --public-key ${k.public_key}`;
}

// exportBundle fetches the bundle with the token, which a plain link could
// not send, and saves it through an object URL. A transfer the server cuts
// off (a segment that changed while copied) rejects blob(), so no partial
// bundle is saved.
// TODO(export-stream): the whole ZIP sits in the tab's memory before it is
// saved; a one-time download URL the browser can stream would avoid that.
async function exportBundle() {
  showError("");
  $("export").disabled = true;
  $("export-status").textContent = "导出中 Exporting…";
  try {
    const blob = await (await apiFetch("GET", `/agenda-items/${itemID}/evidence`)).blob();
    saveBlob(blob, bundleName);
    $("export-status").textContent = `已导出 Exported ${bundleName} · ${blob.size} bytes`;
  } catch (e) {
    $("export-status").textContent = "";
    if (e.status === 401) askToken(exportBundle);
    showError(`导出失败 Export failed: ${e.message}`);
  } finally {
    $("export").disabled = false;
  }
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download reads the URL after click() returns; revoke it later.
  setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
}

$("export").onclick = exportBundle;
if (!currentToken()) askToken(load); else load();
