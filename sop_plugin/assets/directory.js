/* SOP directory (sop_plugin/pages/directory.py): the table comes from the JSON inlined in the page.
   Filtering and sorting run over the data; the table body holds only the first LIMIT matching rows
   (a row element is built the first time it is shown, then kept), plus a "show all" button, so a
   keystroke costs the same at 30 and at 3,000 SOPs: the browser lays out at most LIMIT rows.
   No fetch (works from file://), no framework. The filter and sort live in the address
   (#q=...&department=QC&status=effective&site=suzhou&sort=-next_review), so a link can open a
   filtered directory and Back keeps it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-sop-directory]");
  var source = document.querySelector("script[data-sop-directory-data]");
  if (!box || !source) return;
  var data = JSON.parse(source.textContent);
  var form = box.querySelector("[data-directory-filter]");
  var tbody = box.querySelector("[data-directory-table] tbody");
  var count = box.querySelector("[data-directory-count]");
  var empty = box.querySelector("[data-directory-empty]");
  var inputs = [].slice.call(form.querySelectorAll("[data-filter]"));
  var buttons = [].slice.call(box.querySelectorAll("button[data-sort]"));
  var LIMIT = 200, showAll = false, more = box.querySelector("[data-directory-more]");
  var columns = data.columns, col = {};
  columns.forEach(function (name, i) { col[name] = i; });
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function buildRow(row) {
    var r = row.r, tr = document.createElement("tr"), url = r[columns.length];
    tr.setAttribute("data-sop-ref", r[col.id]);
    var id = text("a", r[col.id]); id.href = url; id.setAttribute("data-sop-ref", r[col.id]);
    var title = text("a", r[col.title]); title.href = url;
    [id, title].forEach(function (a) { var td = document.createElement("td"); td.appendChild(a); tr.appendChild(td); });
    tr.appendChild(text("td", r[col.version]));
    tr.appendChild(text("td", row.sortValue.department));
    tr.appendChild(text("td", row.sortValue.roles));
    tr.appendChild(text("td", row.sortValue.sites));
    var status = document.createElement("td");
    status.appendChild(text("span", row.sortValue.status, "sop-badge sop-badge--" + r[col.status]));
    tr.appendChild(status);
    tr.appendChild(text("td", r[col.next_review] || "—"));
    return tr;
  }

  /* one entry per SOP; `key` is what the text filter searches, `tr` is built when first shown */
  var rows = data.rows.map(function (r) {
    var roleNames = r[col.roles].map(function (id) { return data.roles[id] || id; });
    var siteNames = r[col.sites].length ? r[col.sites].join(", ") : data.everywhere;
    var department = data.departments[r[col.department]] || r[col.department];
    var shortId = r[col.id].slice(r[col.id].indexOf("-") + 1);
    return {
      r: r, tr: null,
      key: [r[col.id], shortId, r[col.title], department, r[col.department], roleNames.join(" "),
            r[col.roles].join(" "), siteNames].join("\u0001").toLowerCase(),
      sortValue: { department: department, roles: roleNames.join(", "), sites: siteNames,
                   status: data.status[r[col.status]] || r[col.status] }
    };
  });
  var matched = rows;

  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i > 0) try { out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1)); } catch (e) { /* ignore */ }
    });
    return out;
  }

  var sort = "id";
  function sortKey(row, name) {
    return name in row.sortValue ? row.sortValue[name] : row.r[col[name]];
  }
  function applySort() {
    var desc = sort.charAt(0) === "-", name = desc ? sort.slice(1) : sort;
    if (!(name in col)) { name = "id"; desc = false; }
    rows.sort(function (a, b) {
      var x = sortKey(a, name), y = sortKey(b, name);
      if (name === "next_review") { x = x || "9999"; y = y || "9999"; }  // no date: last
      var c = collator.compare(String(x), String(y)) || collator.compare(a.r[col.id], b.r[col.id]);
      return desc ? -c : c;
    });
    buttons.forEach(function (button) {
      var th = button.parentNode, key = button.getAttribute("data-sort");
      if (key === name) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }

  /* the table body: the first LIMIT matching rows (all of them after "show all") */
  function render() {
    var shown = showAll ? matched : matched.slice(0, LIMIT), fragment = document.createDocumentFragment();
    shown.forEach(function (row) { fragment.appendChild(row.tr || (row.tr = buildRow(row))); });
    tbody.textContent = "";
    tbody.appendChild(fragment);
    count.textContent = data.count.replace("{shown}", matched.length).replace("{total}", rows.length);
    empty.hidden = matched.length > 0;
    more.hidden = shown.length === matched.length;
    more.textContent = data.more.replace("{n}", matched.length);
  }

  function apply(write) {
    var state = {};
    inputs.forEach(function (input) { state[input.getAttribute("data-filter")] = input.value.trim(); });
    var words = (state.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    matched = rows.filter(function (row) {
      var r = row.r, ok = (!state.department || r[col.department] === state.department) &&
        (!state.status || r[col.status] === state.status) &&
        (!state.site || !r[col.sites].length || r[col.sites].indexOf(state.site) >= 0);
      for (var w = 0; ok && w < words.length; w++) ok = row.key.indexOf(words[w]) >= 0;
      return ok;
    });
    render();
    if (write && history.replaceState) {
      var parts = [];
      Object.keys(state).forEach(function (k) { if (state[k]) parts.push(k + "=" + encodeURIComponent(state[k])); });
      if (sort !== "id") parts.push("sort=" + encodeURIComponent(sort));
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    }
  }

  var initial = readHash();
  inputs.forEach(function (input) {
    var name = input.getAttribute("data-filter");
    if (initial[name]) input.value = initial[name];
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () { apply(true); });
  });
  if (initial.sort) sort = initial.sort;
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-sort");
      sort = sort === key ? "-" + key : key;
      applySort();
      apply(true);
    });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  more.addEventListener("click", function () { showAll = true; render(); });
  applySort();
  apply(false);
  box.setAttribute("data-directory-ready", "");
})();
