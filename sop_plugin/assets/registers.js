/* Register filter: show only the rows whose data-* attributes match the selects and whose text
   holds the words typed. No server, no framework: works from file:// and plain http.
   The filter lives in the address (#kind=CCP&department=QC&roles=line-operator&q=...), so a link
   can open a filtered register and the browser's print prints what is shown. */
(function () {
  "use strict";
  function params() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i > 0) {
        try { out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1)); } catch (e) { /* ignore */ }
      }
    });
    return out;
  }
  function setup(box) {
    var form = box.querySelector("[data-register-filter]");
    if (!form) return;
    var selects = [].slice.call(form.querySelectorAll("select[data-filter]"));
    var text = form.querySelector("[data-filter-text]");
    var count = form.querySelector("[data-filter-count]");
    var empty = box.querySelector("[data-filter-empty]");
    var rows = [].slice.call(box.querySelectorAll("table[data-register-table] > tbody > tr"));
    var words = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var template = box.getAttribute("data-count-template") || "{shown} / {total}";
    function apply(write) {
      var q = text ? text.value.trim().toLowerCase() : "", shown = 0, state = [];
      selects.forEach(function (s) { if (s.value) state.push([s.getAttribute("data-filter"), s.value]); });
      rows.forEach(function (row, i) {
        var ok = state.every(function (f) {
          return (" " + (row.getAttribute("data-" + f[0]) || "") + " ").indexOf(" " + f[1] + " ") >= 0;
        }) && (!q || words[i].indexOf(q) >= 0);
        row.hidden = !ok;
        if (ok) shown++;
      });
      if (count) {
        var said = selects.filter(function (s) { return s.value; }).map(function (s) {
          return s.parentNode.firstChild.textContent.trim() + ": " + s.options[s.selectedIndex].text;
        });
        if (q) said.push("“" + q + "”");
        count.textContent = template.replace("{shown}", shown).replace("{total}", rows.length) +
          (said.length ? " · " + said.join(" · ") : "");
      }
      if (empty) empty.hidden = shown > 0;
      if (write && history.replaceState) {
        if (q) state.push(["q", q]);
        var hash = state.map(function (f) { return encodeURIComponent(f[0]) + "=" + encodeURIComponent(f[1]); }).join("&");
        try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
      }
    }
    function read() {
      var p = params();
      selects.forEach(function (s) {
        var want = p[s.getAttribute("data-filter")] || "";
        s.value = [].some.call(s.options, function (o) { return o.value === want; }) ? want : "";
      });
      if (text) text.value = p.q || "";
      apply(false);
    }
    selects.forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
    if (text) text.addEventListener("input", function () { apply(true); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    addEventListener("hashchange", read);
    var print = box.querySelector("[data-register-print]");
    if (print) { print.hidden = false; print.addEventListener("click", function () { window.print(); }); }
    form.hidden = false;
    read();
  }
  function stamp() {  /* the printed-on date of the print footer */
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    [].forEach.call(document.querySelectorAll(".sop-register [data-sop-printed]"), function (e) {
      e.textContent = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
    });
  }
  function init() { [].forEach.call(document.querySelectorAll(".sop-register"), setup); stamp(); addEventListener("beforeprint", stamp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
