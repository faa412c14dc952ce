/* affogato t.js: keeps the referral a visitor arrived with in a first-party
   cookie (affogato_ref; the tracker's own HttpOnly cookie is aff_ref) and
   exposes it on window.affogato:
     referral  the click id: pass it to your server with the order (for
               example as Stripe client_reference_id); null when unknown
     ref       the partner's referral code, or null
     expires   when the referral stops attributing (ISO 8601), or null
     ready     a Promise resolved with window.affogato once a direct link
               (?via=CODE) has been registered with the tracker
   <script src="https://TRACKER/t.js"></script>
   A referral link's redirect brings ref, aff_click and aff_exp (and
   aff_first=1 for first-click programs); a direct link ?via=CODE (or
   ?ref=CODE) is registered with the tracker as a click. A referral is only
   replaced by another tracked one, and never under first-click. Without
   cookies the referral still comes from the page's own URL. */
(function (w) {
  "use strict";
  var NAME = "affogato_ref";
  var VISIT = "__affogatoVisit"; /* hidden window key: the visit registered on this page */
  var CODE = /^[A-Za-z0-9_-]{1,64}$/;
  var ID = /^[0-9]{1,20}$/;
  var PAID = ["gclid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id"];
  var a = null, done = null, cur = null;

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
  try {
    if (typeof Promise === "function") a.ready = new Promise(function (res) { done = res; });
  } catch (e) { done = null; }

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
    if (done) { done(a); done = null; }
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

  /* register records a direct link's visit with the tracker and offers the
     referral it answers with; an unknown code changes nothing. */
  function register(code) {
    var base = tracker();
    if (!base || typeof w.fetch !== "function") { finish(); return; }
    /* t.js included twice on a page (a theme and a tag manager) registers
       the visit once: the second copy waits for the first one's answer. */
    var key = base + " " + code + " " + w.location.href, sent = null, answer;
    try { sent = w[VISIT]; } catch (e) { sent = null; }
    if (sent && sent.key === key && sent.answer) {
      answer = sent.answer;
    } else {
      var paid = false;
      for (var i = 0; i < PAID.length; i++) if (param(PAID[i])) paid = true;
      answer = w.fetch(base + "/api/v1/visits", {
        method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ code: code, paid_ads: paid })
      }).then(function (res) {
        return res.ok ? res.json() : null;
      });
      try {
        Object.defineProperty(w, VISIT, { value: { key: key, answer: answer }, configurable: true, writable: true });
      } catch (e) { /* a second copy will register again */ }
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

  try {
    cur = load();
    var ref = param("ref") || param("via");
    var click = param("aff_click");
    if (CODE.test(ref) && ID.test(click)) {
      /* The tracker says until when (aff_exp); an older tracker did not. */
      var exp = param("aff_exp") ? parseInt(param("aff_exp"), 10) : now() + 86400;
      offer({ ref: ref, click: click, exp: exp }, param("aff_first") === "1");
      publish();
      finish();
    } else if (CODE.test(ref) && !(cur && cur.click && cur.ref === ref)) {
      publish();
      register(ref);
    } else {
      publish();
      finish();
    }
  } catch (e) {
    finish();
  }
})(window);
