{% autoescape off %}/* chibo service worker, version __VERSION__. Scope: /hop/ (the meeting pages).

   It keeps on the phone what the attendance and notes screen needs without a connection:
   - the attendance page of each meeting opened on this phone: network first (a fresh copy is
     kept every time), the kept copy when there is no connection or it takes too long;
   - the page's static assets (style sheet, script, htmx): answered from the phone at once and
     refreshed in the background.
   Changes are not sent by the worker: the page keeps them in localStorage and sends them. */
"use strict";

const CONFIG = {{ config }};
const ASSETS = "chibo-assets-__VERSION__";
const PAGES = "chibo-pages-v1";  // kept across versions: a new worker must not forget the pages
const PAGE = new RegExp(CONFIG.page);
const WAIT_MS = 6000;  // on a slow village connection, show the kept copy after this long

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(ASSETS).then((cache) => cache.addAll(CONFIG.assets)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("chibo-assets-") && k !== ASSETS)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function keep(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

async function refreshPage(cache, request, key) {
  const response = await fetch(request);
  if (keep(response)) {
    await cache.put(key, response.clone());
  } else if (response.redirected || response.type === "opaqueredirect" || response.status === 403 ||
             response.status === 404) {
    await cache.delete(key);  // signed out, or no longer allowed: do not keep showing it
  }
  return response;
}

function offlinePage() {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const html = `<!doctype html><html lang="${CONFIG.lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(CONFIG.offline_title)}</title>` +
    `<link rel="stylesheet" href="${CONFIG.assets[0]}"></head>` +  // the style sheet, kept on the phone
    `<body><main id="main"><div class="card"><h1>${esc(CONFIG.offline_title)}</h1><p>${esc(CONFIG.offline_text)}</p>` +
    `</div></main></body></html>`;
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONFIG.csp, "Cache-Control": "private, no-store"}});
}

function fromPhone(cached) {
  const headers = new Headers(cached.headers);
  headers.set("X-Chibo-Copy", "phone");
  return new Response(cached.body, {status: cached.status, statusText: cached.statusText, headers});
}

function page(event, key) {
  const opened = caches.open(PAGES);
  const network = opened.then((cache) => refreshPage(cache, event.request, key));
  event.waitUntil(network.catch(() => null));  // the fresh copy is kept even when the phone's was shown
  return opened.then((cache) => new Promise((resolve) => {
    let answered = false;
    const answer = (response) => { if (!answered) { answered = true; resolve(response); } };
    const kept = () => cache.match(key, {ignoreVary: true});
    const timer = setTimeout(() => { kept().then((hit) => { if (hit) answer(fromPhone(hit)); }); }, WAIT_MS);
    network.then((response) => { clearTimeout(timer); answer(response); }, () => {
      clearTimeout(timer);
      kept().then((hit) => answer(hit ? fromPhone(hit) : offlinePage()));
    });
  }));
}

function asset(event, key) {
  const opened = caches.open(ASSETS);
  const network = opened.then((cache) => fetch(event.request).then((response) => {
    if (response.ok) return cache.put(key, response.clone()).then(() => response);
    return response;
  }));
  event.waitUntil(network.catch(() => null));
  return opened.then((cache) => cache.match(key)).then((hit) => hit || network);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGE.test(url.pathname)) {
    event.respondWith(page(event, url.pathname));
  } else if (CONFIG.assets.includes(url.pathname)) {
    event.respondWith(asset(event, url.pathname));
  } else if (request.mode === "navigate" && url.pathname.startsWith(CONFIG.scope)) {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  }
});

/* The page asks to be kept (its first visit is not yet under the worker) and is told when it is. */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-page" || !PAGE.test(data.url || "")) return;
  event.waitUntil(caches.open(PAGES).then(async (cache) => {
    if (data.refresh || !(await cache.match(data.url, {ignoreVary: true}))) {
      try { await refreshPage(cache, new Request(data.url, {credentials: "same-origin"}), data.url); } catch (e) { /* offline */ }
    }
    const kept = Boolean(await cache.match(data.url, {ignoreVary: true}));
    if (event.source) event.source.postMessage({type: "page-kept", url: data.url, kept});
  }));
});
{% endautoescape %}
