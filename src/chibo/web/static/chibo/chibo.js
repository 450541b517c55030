/* chibo — the little behaviour every page shares. The Content-Security-Policy allows scripts
   from the app only (no inline script, no event-handler attributes, no hx-on): what templates
   used to say inline is said here, by data attributes. Plain JavaScript, no build step. */
(function () {
  "use strict";

  // The organisation tree: a [data-tree-toggle] button opens its sub-organisations (htmx fetches
  // them into the element it names) and closes them again without asking the server.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var button = e.detail && e.detail.elt;
    if (!button || !button.hasAttribute || !button.hasAttribute("data-tree-toggle")) return;
    if (button.getAttribute("aria-expanded") !== "true") return;
    e.preventDefault();
    var kids = document.getElementById(button.getAttribute("aria-controls"));
    if (kids) kids.textContent = "";
    button.setAttribute("aria-expanded", "false");
    button.textContent = "+";
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var button = e.detail && e.detail.elt;
    if (!button || !button.hasAttribute || !button.hasAttribute("data-tree-toggle")) return;
    if (!e.detail.successful) return;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "\u2212";
  });

  // A <button data-print> prints the page (CSP: no inline handler).
  document.addEventListener("click", function (e) {
    var el = e.target && e.target.closest ? e.target.closest("[data-print]") : null;
    if (el) window.print();
  });

  // A <select data-autosubmit> sends its form as soon as it changes (the form's <noscript>
  // button does it without JavaScript).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });
})();

/* Sign-out empties what this phone keeps for chibo: the offline attendance queue and other
   chibo keys in localStorage, the service worker's copies of pages, and the worker itself.
   The server's answer says the same (Clear-Site-Data), but not every browser obeys it.
   While the attendance queue holds changes not yet sent (or a conflict not yet chosen), the
   sign-out is refused with a message saying how to send them; a second button signs out anyway
   and throws them away (docs/decisions.md, "Sign-out empties the phone"). */
(function () {
  "use strict";
  var QUEUE = /^chibo:attendance:/;

  function storage(name) {
    try { return window[name || "localStorage"]; } catch (e) { return null; }
  }

  // The attendance pages (their addresses, "" when unknown) whose queue on this phone holds
  // unsent changes or an open conflict.
  function unsent() {
    var store = storage(), pages = [];
    if (!store) return pages;
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (!key || !QUEUE.test(key)) continue;
      try {
        var s = JSON.parse(store.getItem(key)) || {};
        if (Object.keys(s.pending || {}).length || Object.keys(s.conflicts || {}).length) {
          pages.push(typeof s.url === "string" && /^\/[^\/\\]/.test(s.url) ? s.url : "");  // this site only
        }
      } catch (e) { pages.push(""); }  // unreadable: do not assume it is empty
    }
    return pages;
  }

  function emptyThePhone() {
    window.dispatchEvent(new CustomEvent("chibo:signout"));  // the attendance page stops saving
    [storage(), storage("sessionStorage")].forEach(function (store) {
      if (!store) return;
      var keys = [];
      for (var i = 0; i < store.length; i += 1) keys.push(store.key(i));
      keys.forEach(function (k) { if (k && (k.indexOf("chibo:") === 0 || k.indexOf("htmx-") === 0)) store.removeItem(k); });
    });
    var done = [];
    if (window.caches && caches.keys) {
      done.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("chibo-") === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      done.push(navigator.serviceWorker.getRegistrations().then(function (list) {
        return Promise.all(list.map(function (r) { return r.unregister(); }));
      }));
    }
    var wait = new Promise(function (resolve) { setTimeout(resolve, 1500); });  // never hang the sign-out
    return Promise.race([Promise.all(done).catch(function () { return null; }), wait]);
  }

  function refuse(pages) {
    var box = document.getElementById("signout-refused");
    if (!box) return false;
    var list = document.getElementById("signout-pages");
    list.textContent = "";
    pages.forEach(function (url) {
      if (!url) return;
      var a = document.createElement("a");
      a.href = url;
      a.textContent = box.dataset.openText;
      var li = document.createElement("li");
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = false;
    box.scrollIntoView({block: "start"});
    box.focus();
    return true;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute) return;
    var discard = form.hasAttribute("data-signout-discard");
    if (!discard && !form.hasAttribute("data-signout")) return;
    e.preventDefault();
    if (!discard) {
      var pages = unsent();
      if (pages.length && refuse(pages)) return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    emptyThePhone().then(function () { form.submit(); });
  });
})();

/* The main menu is a <details data-menu>: it opens and closes without JavaScript. This only helps:
   Escape or a tap elsewhere closes it, and from 1024px (where the items stand in one row and the
   "Menu" button is hidden) it is held open, for browsers whose CSS cannot show a closed <details>. */
(function () {
  "use strict";
  var menu = document.querySelector("details[data-menu]");
  if (!menu) return;
  var wide = window.matchMedia ? window.matchMedia("(min-width: 1024px)") : null;

  function fit() { menu.open = !!(wide && wide.matches); }
  fit();
  if (wide && wide.addEventListener) wide.addEventListener("change", fit);

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || !menu.open || (wide && wide.matches)) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    if (!menu.open || (wide && wide.matches) || menu.contains(e.target)) return;
    menu.open = false;
  });
})();
