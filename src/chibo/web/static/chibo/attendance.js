/* chibo — the attendance and notes screen that keeps working without a connection.

   Plain JavaScript, no framework, no build step. Without it the page is a set of ordinary
   forms (one POST per row). With it:
   - every change goes first to localStorage (one key per user and meeting): a queue holding,
     for each row, the latest change and the revision of the row it was made on (its base);
   - the queue is POSTed as JSON to the sync address whenever there may be a connection (on a
     change, on the "online" event, on page load, and every 20 s while something waits);
   - applied changes leave the queue and move the row's revision on; a change whose base is
     stale comes back as a conflict and is kept, with both values, until the person chooses
     one; a refused change shows the server's message. Nothing is dropped silently.
   The service worker (/hop/sw.js) keeps the page and this script on the phone. */
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  if (!root) return;
  document.documentElement.classList.add("js");

  var T = JSON.parse(document.getElementById("att-strings").textContent);
  var KEY = "chibo:attendance:" + root.dataset.user + ":" + root.dataset.meeting;
  var PRESENT = {present: true, late: true};
  var RETRY_MS = 20000;
  var NOTES_WAIT_MS = 1500;
  var rows = {};
  var syncing = false, again = false, timer = null, retry = null, lastSummary = null, synced = false;

  Array.prototype.forEach.call(root.querySelectorAll("[data-key]"), function (el) { rows[el.dataset.key] = el; });

  // --- The store in localStorage -------------------------------------------------------------

  function blank() { return {v: 1, pending: {}, known: {}, conflicts: {}, refused: {}}; }

  function load() {
    try {
      var s = JSON.parse(window.localStorage.getItem(KEY));
      if (s && s.v === 1) {
        ["pending", "known", "conflicts", "refused"].forEach(function (k) { s[k] = s[k] || {}; });
        return s;
      }
    } catch (e) { /* unreadable or unavailable: start empty */ }
    return blank();
  }

  var store = load();
  var storageOk = true;
  var signingOut = false;  // the sign-out empties localStorage: nothing may write it back
  window.addEventListener("chibo:signout", function () { signingOut = true; });

  function save() {
    if (signingOut) return;
    store.url = location.pathname;  // so that a refused sign-out can link back here (chibo.js)
    try {
      window.localStorage.setItem(KEY, JSON.stringify(store));
      storageOk = true;
    } catch (e) {
      storageOk = false;
    }
    summary();
  }

  function size(obj) { return Object.keys(obj).length; }

  // --- Rows: read and show ----------------------------------------------------------------------

  function isNotes(el) { return el.dataset.type === "notes"; }
  function revision(el) { return parseInt(el.dataset.revision, 10) || 0; }
  function field(el, name) { return el.querySelector("[name=" + name + "]"); }

  function valuesOf(change) {
    return change.type === "notes" ? {notes: change.notes || "", conclusion: change.conclusion || ""}
      : {status: change.status || "", reason: change.reason || ""};
  }

  function current(el) {
    if (isNotes(el)) return {notes: field(el, "notes").value, conclusion: field(el, "conclusion").value};
    return {status: el.dataset.status, reason: el.dataset.reason || ""};
  }

  function same(a, b) {
    return Object.keys(a).every(function (k) { return (a[k] || "").trim() === (b[k] || "").trim(); });
  }

  function statusText(v) {
    var label = T.statuses[v.status] || v.status || "—";
    label = label.charAt(0).toUpperCase() + label.slice(1);
    return v.reason ? label + " (" + v.reason + ")" : label;
  }

  function show(el, v, force) {
    if (isNotes(el)) {
      var focused = el.contains(document.activeElement);
      if (!focused || force) {
        field(el, "notes").value = v.notes;
        field(el, "conclusion").value = v.conclusion;
      }
      return;
    }
    el.dataset.status = v.status;
    el.dataset.reason = v.reason || "";
    Array.prototype.forEach.call(el.querySelectorAll(".att-buttons button"), function (b) {
      b.setAttribute("aria-pressed", b.value === v.status ? "true" : "false");
    });
    el.querySelector(".att-current").textContent = statusText({status: v.status});
    el.querySelector(".att-current-reason").textContent = v.reason ? " (" + v.reason + ")" : "";
    var reason = field(el, "reason");
    if (document.activeElement !== reason) reason.value = v.reason || "";
    openReason(el, v.status === "excused");
  }

  function openReason(el, open) {
    var box = el.querySelector(".att-reason");
    if (!box) return;
    if (open) box.setAttribute("data-open", "1"); else box.removeAttribute("data-open");
  }

  function label(el, state, text) {
    var p = el.querySelector(".att-sync");
    p.dataset.state = state;
    p.textContent = text === undefined ? (T[state] || "") : text;
  }

  function clearBox(el, cls) {
    Array.prototype.forEach.call(el.querySelectorAll("." + cls), function (n) { n.parentNode.removeChild(n); });
  }

  function element(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function versionText(el, v) {
    if (!isNotes(el)) return statusText(v);
    return T.notes + ": " + (v.notes || T.empty) + "\n" + T.conclusion + ": " + (v.conclusion || T.empty);
  }

  function renderConflict(el) {
    clearBox(el, "att-js-conflict");
    var c = store.conflicts[el.dataset.key];
    if (!c) return;
    var box = element("div", {"class": "alert warning att-js-conflict", role: "alert"});
    box.appendChild(element("p", {}, c.message));
    var dl = element("dl", {"class": "att-versions"});
    dl.appendChild(element("dt", {}, T.yours));
    dl.appendChild(element("dd", {"class": "pre", "data-version": "mine"}, versionText(el, c.mine)));
    dl.appendChild(element("dt", {}, T.theirs));
    dl.appendChild(element("dd", {"class": "pre", "data-version": "theirs"}, versionText(el, c.server)));
    box.appendChild(dl);
    var actions = element("div", {"class": "actions"});
    var mine = element("button", {type: "button", "class": "btn", "data-keep": "mine"}, T.keep_mine);
    var theirs = element("button", {type: "button", "class": "btn secondary", "data-keep": "theirs"}, T.keep_theirs);
    mine.addEventListener("click", function () { keepMine(el); });
    theirs.addEventListener("click", function () { keepTheirs(el); });
    actions.appendChild(mine);
    actions.appendChild(theirs);
    box.appendChild(actions);
    el.querySelector("form").appendChild(box);
    label(el, "conflict");
  }

  function renderRefused(el) {
    clearBox(el, "att-js-error");
    var r = store.refused[el.dataset.key];
    if (!r) return;
    el.querySelector("form").appendChild(element("p", {"class": "att-error att-js-error", role: "alert"},
      r.message + " (" + versionText(el, r.tried) + ")"));
    label(el, "refused");
  }

  // --- Counts and the quorum, live ---------------------------------------------------------------

  function recount() {
    var called = 0, present = 0, unrecorded = 0;
    Object.keys(rows).forEach(function (k) {
      var el = rows[k];
      if (isNotes(el)) return;
      if (el.dataset.status === "invited") unrecorded += 1;
      if (el.dataset.role !== "member") return;
      called += 1;
      if (PRESENT[el.dataset.status]) present += 1;
    });
    var moreThan = parseInt(root.dataset.moreThan, 10);
    var valid = called > 0 && present * 100 > called * moreThan;
    var put = function (name, text) {
      var n = root.querySelector("[data-count=" + name + "]");
      if (n) n.textContent = text;
    };
    put("called", String(called));
    put("present", String(present));
    put("pct", called ? Math.floor(100 * present / called + 0.5) + "%" : "—");
    put("unrecorded", String(unrecorded));
    put("verdict", valid ? T.valid : T.invalid);
    root.querySelector(".att-quorum").dataset.valid = valid ? "1" : "0";
  }

  // --- Connection and the status line ------------------------------------------------------------

  var banner = document.getElementById("att-offline");
  var status = document.getElementById("att-status");
  var problem = "";

  function setOnline(online) {
    banner.hidden = online;
    summary();
  }

  function summary() {
    var n = size(store.pending), c = size(store.conflicts), parts = [];
    if (!storageOk) parts.push(T.storage_failed);
    if (problem) parts.push(problem);
    if (n) parts.push(n === 1 ? T.pending_one : T.pending_many.replace("%(n)s", n));
    if (c) parts.push(c === 1 ? T.conflicts_one : T.conflicts_many.replace("%(n)s", c));
    if (!n && !c && synced && !problem) parts.push(T.all_sent);
    var text = parts.join(" ");
    if (text !== lastSummary) {
      status.textContent = text;
      lastSummary = text;
      if (problem === T.signed_out) {  // a way back in; the queue waits in localStorage meanwhile
        status.appendChild(document.createTextNode(" "));
        status.appendChild(element("a", {href: root.dataset.loginUrl}, T.sign_in));
      }
    }
    status.dataset.pending = String(n);
    status.dataset.conflicts = String(c);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = root.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Changes ----------------------------------------------------------------------------------

  var counter = 0;

  function change(el, v) {
    var key = el.dataset.key;
    counter += 1;
    var c = {id: key + ":" + Date.now().toString(36) + counter, type: el.dataset.type, base: revision(el)};
    if (isNotes(el)) {
      c.item = parseInt(el.dataset.item, 10);
      c.notes = v.notes;
      c.conclusion = v.conclusion;
    } else {
      c.person = parseInt(el.dataset.person, 10);
      c.status = v.status;
      c.reason = v.status === "excused" ? v.reason : "";
    }
    store.pending[key] = c;
    delete store.conflicts[key];
    delete store.refused[key];
    clearBox(el, "att-js-conflict");
    clearBox(el, "att-js-error");
    clearBox(el, "att-conflict");
    clearBox(el, "att-error");
    save();
    if (!isNotes(el)) show(el, valuesOf(c));
    label(el, "queued");
    recount();
  }

  function keepMine(el) {
    var c = store.conflicts[el.dataset.key];
    if (!c) return;
    change(el, c.mine);  // on the revision the other person saved: it applies now
    if (isNotes(el)) show(el, c.mine, true);
    schedule(0);
  }

  function keepTheirs(el) {
    var c = store.conflicts[el.dataset.key];
    if (!c) return;
    delete store.conflicts[el.dataset.key];
    clearBox(el, "att-js-conflict");
    show(el, c.server, true);
    save();
    label(el, "kept_theirs");
    recount();
  }

  // --- Sending -----------------------------------------------------------------------------------

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(sync, ms || 0);
  }

  function keyOf(c) { return c.type === "notes" ? "n:" + c.item : "a:" + c.person; }

  function remember(key, el, server) {
    el.dataset.revision = String(server.revision);
    store.known[key] = server;
  }

  function applied(a) {
    var key = keyOf(a), el = rows[key];
    if (!el) return;
    var p = store.pending[key];
    remember(key, el, Object.assign({revision: a.revision}, valuesOf(a)));
    if (p && p.id === a.id) {
      delete store.pending[key];
      label(el, "sent");
    } else if (p) {
      p.base = a.revision;  // made on top of our own change while it travelled
    }
  }

  function conflicted(c) {
    var key = keyOf(c), el = rows[key];
    if (!el) return;
    var p = store.pending[key];
    var mine = valuesOf(p && p.id !== c.id ? p : c);  // the latest this phone has
    delete store.pending[key];
    remember(key, el, c.server);
    if (same(mine, valuesOf(Object.assign({type: c.type}, c.server)))) {  // both wrote the same: nothing to choose
      show(el, c.server, true);
      label(el, "sent");
      return;
    }
    store.conflicts[key] = {mine: mine, server: c.server, message: c.message};
    show(el, c.server, true);
    if (isNotes(el)) {  // keep the person's text in view, not only in the box
      field(el, "notes").value = mine.notes;
      field(el, "conclusion").value = mine.conclusion;
    }
    renderConflict(el);
  }

  function refused(r) {
    var key = keyOf(r), el = rows[key];
    var p = store.pending[key];
    if (p && p.id === r.id) delete store.pending[key];
    if (!el) { problem = r.message; return; }
    store.refused[key] = {message: r.message, tried: valuesOf(r)};
    renderRefused(el);
  }

  function refresh(state) {
    var list = (state.attendance || []).map(function (s) { return Object.assign({type: "attendance"}, s); })
      .concat((state.notes || []).map(function (s) { return Object.assign({type: "notes"}, s); }));
    list.forEach(function (s) {
      var key = keyOf(s), el = rows[key];
      if (!el) return;
      var server = Object.assign({revision: s.revision}, valuesOf(s));
      var conflict = store.conflicts[key];
      if (conflict) {  // someone changed it again: "keep mine" must build on the newest
        if (s.revision !== conflict.server.revision) {
          conflict.server = server;
          remember(key, el, server);
          renderConflict(el);
        }
        return;
      }
      if (store.pending[key]) return;
      if (s.revision !== revision(el) || !same(current(el), valuesOf(s))) {
        remember(key, el, server);
        show(el, server);
      }
    });
  }

  function sync() {
    if (syncing) { again = true; return; }
    syncing = true;
    clearTimeout(retry);
    var sent = Object.keys(store.pending).map(function (k) { return store.pending[k]; });
    if (sent.length) sent.forEach(function (c) { var el = rows[keyOf(c)]; if (el) label(el, "sending"); });
    fetch(root.dataset.syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify({changes: sent})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") !== 0) {
        throw {answered: true, message: response.redirected || response.status === 200 ? T.signed_out
          : response.status === 403 || response.status === 404 ? T.not_allowed : T.server_problem};
      }
      return response.json().then(function (data) {
        if (!response.ok) throw {answered: true, message: (data.error && data.error.message) || T.server_problem};
        return data;
      });
    }).then(function (data) {
      problem = "";
      synced = true;
      setOnline(true);
      (data.applied || []).forEach(applied);
      (data.conflicts || []).forEach(conflicted);
      (data.refused || []).forEach(refused);
      refresh(data.state || {});
      save();
      recount();
    }, function (err) {
      if (err && err.answered) {
        problem = err.message;
        setOnline(true);
      } else {
        setOnline(false);  // no connection (or it dropped): everything stays queued
      }
      Object.keys(store.pending).forEach(function (k) { if (rows[k]) label(rows[k], "queued"); });
    }).then(function () {
      syncing = false;
      if (again) { again = false; schedule(0); return; }
      if (size(store.pending) || !banner.hidden) retry = setTimeout(sync, RETRY_MS);
    });
  }

  // --- Events ------------------------------------------------------------------------------------

  function dayReached() {
    var d = new Date();
    var today = d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
    return today >= root.dataset.date;
  }

  function unlock() {
    // A page kept on the phone since the day before still works on the meeting's day.
    if (root.dataset.cancelled || !dayReached()) return;
    Array.prototype.forEach.call(root.querySelectorAll(".att-form button[disabled]"), function (b) {
      b.disabled = false;
    });
    var notice = document.getElementById("att-locked");
    if (notice) notice.hidden = true;
  }

  Object.keys(rows).forEach(function (key) {
    var el = rows[key];
    var form = el.querySelector("form");
    if (isNotes(el)) {
      var wait = null;
      var typed = function () {
        var conflict = store.conflicts[key];
        if (conflict) {  // still to choose: the new text becomes "yours" in the choice, nothing is sent
          conflict.mine = current(el);
          save();
          renderConflict(el);
          return;
        }
        change(el, current(el));  // kept on the phone at every keystroke
        clearTimeout(wait);
        wait = setTimeout(function () { schedule(0); }, NOTES_WAIT_MS);
      };
      field(el, "notes").addEventListener("input", typed);
      field(el, "conclusion").addEventListener("input", typed);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        change(el, current(el));
        schedule(0);
      });
      return;
    }
    var clicked = null;  // for browsers without SubmitEvent.submitter
    form.addEventListener("click", function (e) {
      var b = e.target.closest ? e.target.closest("button[type=submit]") : null;
      if (b) clicked = b;
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = e.submitter || clicked;
      clicked = null;
      if (!button || !button.value) return;
      var value = button.value;
      var reason = field(el, "reason");
      if (value === "excused" && !button.classList.contains("att-save-reason")) {
        openReason(el, true);  // ask the reason first
        label(el, "ask", T.ask_reason);
        reason.focus();
        return;
      }
      if (value === "excused" && !reason.value.trim()) {
        label(el, "ask", T.ask_reason);
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      reason.removeAttribute("aria-invalid");
      change(el, {status: value, reason: value === "excused" ? reason.value.trim() : ""});
      schedule(0);
    });
  });

  window.addEventListener("online", function () { setOnline(true); schedule(0); });
  window.addEventListener("offline", function () { setOnline(false); });

  // --- Start: what this phone kept overrides the page it was given ------------------------------

  Object.keys(store.known).forEach(function (key) {
    var el = rows[key], k = store.known[key];
    if (!el) { delete store.known[key]; return; }
    if (k.revision > revision(el)) {
      el.dataset.revision = String(k.revision);
      show(el, k, true);
    } else {
      delete store.known[key];  // the page is as new
    }
  });
  Object.keys(store.pending).forEach(function (key) {
    var el = rows[key];
    if (!el) return;
    show(el, valuesOf(store.pending[key]), true);
    label(el, "queued");
  });
  Object.keys(store.conflicts).forEach(function (key) { if (rows[key]) renderConflict(rows[key]); });
  Object.keys(store.refused).forEach(function (key) { if (rows[key]) renderRefused(rows[key]); });
  unlock();
  recount();
  setOnline(navigator.onLine !== false);
  schedule(0);

  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    var page = location.pathname;
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "page-kept" && e.data.url === page && e.data.kept) {
        root.dataset.offlineReady = "1";
        document.getElementById("att-ready").hidden = false;
      }
    });
    navigator.serviceWorker.register(root.dataset.swUrl, {scope: root.dataset.swScope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      registration.active.postMessage({type: "keep-page", url: page, refresh: !navigator.serviceWorker.controller});
    }).catch(function () { /* no worker (private mode, old phone): the page still works online */ });
  }
})();
