/* SOP directory (sop_plugin/pages/directory.py): builds the table from the JSON inlined in the
   page, once; filtering toggles `hidden` on the rows, sorting moves them. No fetch (works from
   file://), no framework. The filter and sort live in the address
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
  var columns = data.columns, col = {};
  columns.forEach(function (name, i) { col[name] = i; });
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  /* one <tr> per SOP, built once; `key` is what the text filter searches */
  var rows = data.rows.map(function (r) {
    var tr = document.createElement("tr"), url = r[columns.length];
    var roleNames = r[col.roles].map(function (id) { return data.roles[id] || id; });
    var siteNames = r[col.sites].length ? r[col.sites].join(", ") : data.everywhere;
    var department = data.departments[r[col.department]] || r[col.department];
    tr.setAttribute("data-sop-ref", r[col.id]);
    var id = text("a", r[col.id]); id.href = url; id.setAttribute("data-sop-ref", r[col.id]);
    var title = text("a", r[col.title]); title.href = url;
    [id, title].forEach(function (a) { var td = document.createElement("td"); td.appendChild(a); tr.appendChild(td); });
    tr.appendChild(text("td", r[col.version]));
    tr.appendChild(text("td", department));
    tr.appendChild(text("td", roleNames.join(", ")));
    tr.appendChild(text("td", siteNames));
    var status = document.createElement("td");
    status.appendChild(text("span", data.status[r[col.status]] || r[col.status], "sop-badge sop-badge--" + r[col.status]));
    tr.appendChild(status);
    tr.appendChild(text("td", r[col.next_review] || "—"));
    var shortId = r[col.id].slice(r[col.id].indexOf("-") + 1);
    return {
      r: r, tr: tr,
      key: [r[col.id], shortId, r[col.title], department, r[col.department], roleNames.join(" "),
            r[col.roles].join(" "), siteNames].join("\u0001").toLowerCase(),
      sortValue: { department: department, roles: roleNames.join(", "), sites: siteNames,
                   status: data.status[r[col.status]] || r[col.status] }
    };
  });

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
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row.tr); });
    tbody.appendChild(fragment);
    buttons.forEach(function (button) {
      var th = button.parentNode, key = button.getAttribute("data-sort");
      if (key === name) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }

  function apply(write) {
    var state = {}, shown = 0;
    inputs.forEach(function (input) { state[input.getAttribute("data-filter")] = input.value.trim(); });
    var words = (state.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var r = row.r, ok = (!state.department || r[col.department] === state.department) &&
        (!state.status || r[col.status] === state.status) &&
        (!state.site || !r[col.sites].length || r[col.sites].indexOf(state.site) >= 0);
      for (var w = 0; ok && w < words.length; w++) ok = row.key.indexOf(words[w]) >= 0;
      if (row.tr.hidden === ok) row.tr.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = data.count.replace("{shown}", shown).replace("{total}", rows.length);
    empty.hidden = shown > 0;
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
  applySort();
  apply(false);
  box.setAttribute("data-directory-ready", "");
})();
