// Every page but the meeting room calls the JSON API with a token the user
// gives once: from the URL fragment (#token=…) or typed in, and kept for
// the browser tab in sessionStorage.
"use strict";

const $ = (id) => document.getElementById(id);

const tokenKey = "liuhen-token";

function currentToken() {
  const fromURL = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromURL) {
    sessionStorage.setItem(tokenKey, fromURL);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(tokenKey) || "";
}

// APIError carries a problem document (RFC 9457) of a refused request;
// an answer that is not one is told by its status alone.
class APIError extends Error {
  constructor(status, problem) {
    const fields = (problem.errors || []).map((e) => `${e.field}: ${e.reason}`).join("\n");
    super(problem.title || problem.detail || fields
      ? `${problem.title || status}: ${problem.detail || ""}${fields ? "\n" + fields : ""}`
      : `HTTP ${status}`);
    this.status = status;
    this.fields = problem.errors || [];
  }
}

// apiFetch calls the API with the token and returns the answer; one other
// than 2xx throws an APIError.
async function apiFetch(method, path, body) {
  const res = await fetch("/api/v1" + path, {
    method,
    headers: Object.assign({ Authorization: "Bearer " + currentToken() },
      body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch (_) { /* not a problem document */ }
    throw new APIError(res.status, problem);
  }
  return res;
}

async function api(method, path, body) { return (await apiFetch(method, path, body)).json(); }

function showError(msg) { $("error").textContent = msg || ""; }

// askToken shows the token bar and calls then once a token is given.
function askToken(then) {
  $("token-bar").hidden = false;
  $("use-token").onclick = () => {
    sessionStorage.setItem(tokenKey, $("token").value.trim());
    $("token-bar").hidden = true;
    then();
  };
}

// withToken runs load now when a token is known, else after one is given;
// a 401 asks again.
async function withToken(load) {
  if (!currentToken()) {
    askToken(() => withToken(load));
    return;
  }
  try {
    showError("");
    await load();
  } catch (err) {
    showError(err.message);
    if (err.status === 401) askToken(() => withToken(load));
  }
}

function cell(tr, text, className) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (className) td.className = className;
  tr.appendChild(td);
  return td;
}

const timeFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit",
});

function formatTime(s) { return s ? timeFormat.format(new Date(s)) : "–"; }
