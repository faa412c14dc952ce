/* affogato t.js: keeps the referral from the landing URL in a first-party
   cookie and exposes it as window.affogato = {referral: clickId, ref: code}.
   <script src="https://TRACKER/t.js" data-cookie-days="30"></script> */
(function (w, d) {
  "use strict";
  var NAME = "aff_ref";
  var me = d.currentScript;
  if (!me) {
    var all = d.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/t\.js(\?|$)/.test(all[i].src || "")) { me = all[i]; break; }
    }
  }
  var days = parseInt(me && me.getAttribute("data-cookie-days"), 10);
  if (!(days > 0 && days <= 3650)) days = 30;

  function param(name) {
    var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(w.location.search);
    if (!m) return "";
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }
  function readCookie() {
    var m = new RegExp("(?:^|;\\s*)" + NAME + "=([^;]*)").exec(d.cookie);
    if (!m) return "";
    try { return decodeURIComponent(m[1]); } catch (e) { return ""; }
  }

  var ref = param("ref") || param("via");
  var click = param("aff_click");
  if (/^[A-Za-z0-9_-]{1,64}$/.test(ref) && /^[0-9]{0,20}$/.test(click)) {
    d.cookie = NAME + "=" + encodeURIComponent(ref + "." + click) +
      "; Max-Age=" + days * 86400 + "; Path=/; SameSite=Lax" +
      (w.location.protocol === "https:" ? "; Secure" : "");
  }

  var value = readCookie();
  var dot = value.lastIndexOf(".");
  var code = dot >= 0 ? value.slice(0, dot) : value;
  var id = dot >= 0 ? value.slice(dot + 1) : "";
  w.affogato = {
    referral: id || null,   /* the click id: pass it as Stripe client_reference_id */
    ref: code || null       /* the partner's referral code */
  };
})(window, document);
