/* affogato t.js: keeps the referral a visitor arrived with in a first-party
   cookie (affogato_ref; the tracker's own HttpOnly cookie is aff_ref) and
   exposes it on window.affogato:
     referral  the click id: pass it to your server with the order (for
               example as Stripe client_reference_id); null when unknown
     ref       the partner's referral code, or null
     expires   when the referral stops attributing (ISO 8601), or null
     ready     a Promise resolved with window.affogato once a direct link
               (?via=CODE) has been registered with the tracker (a new
               one while a later navigation's registration runs)
   <script src="https://TRACKER/t.js"></script>
   A referral link's redirect brings ref, aff_click and aff_exp (and
   aff_first=1 for first-click programs); a direct link ?via=CODE (or
   ?ref=CODE, with an optional campaign &sub=NAME) is registered with the
   tracker as a click. A referral is only replaced by another tracked one,
   and never under first-click. Without cookies the referral still comes
   from the page's own URL. A single-page shop's navigations
   (history.pushState, replaceState, popstate) are read as page loads are;
   a URL already read on the page is not read again. */
(function (w) {
  "use strict";
  var NAME = "affogato_ref";
  var VISIT = "__affogatoVisit"; /* hidden window key: the visits registered on this page, by tracker, code, campaign and URL */
  var CODE = /^[A-Za-z0-9_-]{1,64}$/;
  var ID = /^[0-9]{1,20}$/;
  var PAID = ["gclid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id"];
  var SUB = 64; /* the tracker keeps at most 64 characters of a campaign */
  var a = null, done = null, cur = null;
  var pending = 0; /* registrations (and the first read) ready waits for */
  var read = {};   /* the URLs (path and query) this copy has read */
  var home = "";   /* the tracker's origin, from this script's src */

  /* own returns o with the three keys set to null, or, when o cannot take
     them (frozen, sealed), a copy of its own keys that can. */
  function own(o) {
    try {
      o.referral = null; o.ref = null; o.expires = null;
      if (o.referral === null && o.ref === null && o.expires === null) return o;
    } catch (e) { /* read-only: copy it */ }
    var c = {};
    try {
      for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) c[k] = o[k];
    } catch (e) { /* keep what was copied */ }
    c.referral = null; c.ref = null; c.expires = null;
    return c;
  }

  try { a = w.affogato; } catch (e) { a = null; }
  if (!a || (typeof a !== "object" && typeof a !== "function")) a = {};
  a = own(a);
  try { w.affogato = a; } catch (e) { /* a read-only window.affogato: nothing to do */ }

  /* arm counts one more thing ready waits for, and gives window.affogato
     a new ready Promise when the last one was resolved. */
  function arm() {
    pending++;
    if (done) return;
    try {
      if (typeof Promise === "function") a.ready = new Promise(function (res) { done = res; });
    } catch (e) { done = null; }
  }
  arm();

  function now() { return Math.floor(new Date().getTime() / 1000); }

  function param(name) {
    var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(w.location.search);
    if (!m) return "";
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }

  /* A referral is {ref, click, exp}: click "" when untracked; exp in Unix seconds. */
  function valid(r) {
    return !!r && CODE.test(r.ref) && (r.click === "" || ID.test(r.click)) && r.exp > now();
  }

  function load() {
    var raw = "";
    try {
      var m = new RegExp("(?:^|;\\s*)" + NAME + "=([^;]*)").exec(w.document.cookie);
      raw = m ? decodeURIComponent(m[1]) : "";
    } catch (e) { return null; } /* sandboxed frame or cookies blocked */
    var p = raw.split(".");
    if (p.length !== 3) return null;
    var r = { ref: p[0], click: p[1], exp: parseInt(p[2], 10) };
    return valid(r) ? r : null;
  }

  function save(r) {
    try {
      w.document.cookie = NAME + "=" + encodeURIComponent(r.ref + "." + r.click + "." + r.exp) +
        "; Max-Age=" + Math.max(0, r.exp - now()) + "; Path=/; SameSite=Lax" +
        (w.location.protocol === "https:" ? "; Secure" : "");
    } catch (e) { /* no cookie: the page keeps it in memory */ }
  }

  /* offer considers a new referral: it replaces the current one unless the
     current one is tracked (has a click id) and the new one is not, or the
     program attributes to the first click. */
  function offer(r, firstClick) {
    if (!valid(r)) return;
    if (cur && cur.click && (cur.click === r.click || !r.click || firstClick)) return;
    cur = r;
    save(r);
  }

  function publish() {
    a.referral = cur && cur.click ? cur.click : null;
    a.ref = cur ? cur.ref : null;
    a.expires = cur ? new Date(cur.exp * 1000).toISOString() : null;
  }

  function finish() {
    if (pending > 0) pending--;
    if (pending === 0 && done) { done(a); done = null; }
  }

  function tracker() {
    var me = null;
    try { me = w.document.currentScript; } catch (e) { me = null; }
    if (!me) {
      var all = w.document.getElementsByTagName("script");
      for (var i = all.length - 1; i >= 0; i--) {
        if (/\/t\.js(\?|#|$)/.test(all[i].src || "")) { me = all[i]; break; }
      }
    }
    var m = me && /^(https?:\/\/[^\/?#]+)/.exec(me.src || "");
    return m ? m[1] : "";
  }

  /* campaign is the URL's sub, cut to what the tracker keeps (whole
     characters, so the request stays small whatever the URL carries). */
  function campaign() {
    var sub = param("sub");
    if (!sub) return "";
    try { return Array.from(sub).slice(0, SUB).join(""); } catch (e) { return sub.slice(0, SUB); }
  }

  /* register records a direct link's visit with the tracker and offers the
     referral it answers with; an unknown code changes nothing. The caller
     armed ready. */
  function register(code, where) {
    var base = home;
    if (!base || typeof w.fetch !== "function") { finish(); return; }
    var sub = campaign();
    /* t.js included twice on a page (a theme and a tag manager) registers
       each visit once: the second copy takes the first one's answer. */
    var key = base + " " + code + " " + sub + " " + where, sent = null, answer = null;
    try {
      sent = w[VISIT];
      if (!sent || typeof sent !== "object" || sent.key !== undefined) {
        sent = {};
        Object.defineProperty(w, VISIT, { value: sent, configurable: true, writable: true });
      }
      if (Object.prototype.hasOwnProperty.call(sent, key)) answer = sent[key];
    } catch (e) { sent = null; /* a second copy will register again */ }
    if (!answer) {
      var paid = false;
      for (var i = 0; i < PAID.length; i++) if (param(PAID[i])) paid = true;
      var body = { code: code, paid_ads: paid };
      if (sub) body.sub = sub;
      answer = w.fetch(base + "/api/v1/visits", {
        method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify(body)
      }).then(function (res) {
        return res.ok ? res.json() : null;
      });
      try { if (sent) sent[key] = answer; } catch (e) { /* registered; not shared */ }
    }
    answer.then(function (v) {
      if (v && typeof v.ref === "string" && typeof v.expires === "string") {
        offer({ ref: v.ref, click: typeof v.click_id === "string" ? v.click_id : "",
                exp: Math.floor(Date.parse(v.expires) / 1000) }, v.attribution === "first-click");
        publish();
      }
    })["catch"](function () { /* the tracker is unreachable: nothing changes */ })
      .then(finish, finish);
  }

  /* check reads the page's URL: on load, and after each navigation of a
     single-page shop. A URL (path and query) already read is left alone,
     so a router that replaces its state again and again, or the back
     button, counts no visit twice. */
  function check() {
    var where = w.location.pathname + w.location.search;
    if (Object.prototype.hasOwnProperty.call(read, where)) return;
    read[where] = true;
    var ref = param("ref") || param("via");
    var click = param("aff_click");
    /* A direct link's code: via first, which only partners' links carry,
       so a merchant's own ?ref=campaign beside it does not hide it. */
    var code = param("via") || param("ref");
    if (CODE.test(ref) && ID.test(click)) {
      /* The tracker says until when (aff_exp); an older tracker did not. */
      var exp = param("aff_exp") ? parseInt(param("aff_exp"), 10) : now() + 86400;
      offer({ ref: ref, click: click, exp: exp }, param("aff_first") === "1");
      publish();
    } else if (CODE.test(code) && !(cur && cur.click && cur.ref === code)) {
      publish();
      arm();
      try { register(code, where); } catch (e) { finish(); }
    } else {
      publish();
    }
  }

  function navigated() {
    try { check(); } catch (e) { /* never in the shop's way */ }
  }

  /* follow wraps history.pushState and replaceState so that the URL is
     read once the shop's router has changed it; what the original returns
     or throws is the caller's, as before. */
  function follow(name) {
    try {
      var h = w.history, orig = h && h[name];
      if (typeof orig !== "function") return;
      h[name] = function () {
        var r = orig.apply(this, arguments);
        navigated();
        return r;
      };
    } catch (e) { /* a history that cannot be wrapped: page loads only */ }
  }

  try {
    home = tracker(); /* now: currentScript is this script only while it runs */
    cur = load();
    check();
  } catch (e) { /* nothing read: referral stays null */ }
  follow("pushState");
  follow("replaceState");
  try { w.addEventListener("popstate", navigated); } catch (e) { /* page loads only */ }
  finish();
})(window);
