/* SOP knowledge base: training quizzes, learners and records, all in the browser.
 *
 * Finds on the page:
 *   .sop-quiz[data-quiz]             a quiz container (sop_plugin/quiz_render.py), questions encoded
 *   [data-training-quiz][data-sop-major]   an item of a training list: gets a state badge
 *   [data-training-progress]         overall progress of the [data-training-quiz] items of the
 *                                    nearest [data-training-list] (or of the whole page)
 *   [data-sop-learner], [data-sop-records]   where to put the learner bar and the records area
 *   script.sop-quiz-i18n             the UI strings (zh or en)
 * Stores results in localStorage "sopkb:v1:results" by learner, quiz id and SOP MAJOR version
 * (never page path or question position). Exposes window.sopQuiz for other pages.
 * No framework, no network, no crypto.subtle: works over plain http and from file://.
 * Data from quiz files is only ever put in the DOM with textContent / attributes, never innerHTML.
 */
(function () {
  "use strict";
  var KEY = "sopkb:v1:results";
  var ADL = "http://adlnet.gov/expapi/verbs/";
  var T = {};                                         // UI strings
  var db = blank(), persistent = true, notice = "";  // results, whether they reach localStorage
  var quizzes = [], bars = [], recs = [], listeners = [], seq = 0;

  // --- small helpers ------------------------------------------------------------------------
  // Maps keyed by stored names have no prototype, and are read by own properties only: a learner
  // or quiz called "toString" or "__proto__" finds nothing inherited.
  function dict() { return Object.create(null); }
  function has(o, k) { return isObj(o) && Object.prototype.hasOwnProperty.call(o, k); }
  function blank() { return { v: 1, current: null, learners: dict() }; }
  function isObj(o) { return o !== null && typeof o === "object" && !Array.isArray(o); }
  function own(o) { return Object.keys(o).filter(function (k) { return k !== "__proto__"; }); }
  function t(key, vars) {
    return String(T[key] || key).replace(/\{(\w+)\}/g, function (m, k) {
      return vars && k in vars ? vars[k] : m;
    });
  }
  // Build an element: attributes (on* = listeners, text = textContent) and child nodes/strings.
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k === "text") e.textContent = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (c) { if (c != null && c !== false) e.append(c); });
    return e;
  }
  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1)), x = a[i]; a[i] = a[j]; a[j] = x;
    }
    return a;
  }
  function range(n) { var a = []; for (var i = 0; i < n; i++) a.push(i); return a; }
  function same(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }
  function today() { return new Date().toISOString(); }

  // --- the encoded quiz data: base64 -> XOR xorshift32 keystream (FNV-1a seed) -> UTF-8 JSON ---
  function decode(box) {
    var script = box.querySelector('script[type="application/x-sop-quiz"]');
    var bin = atob(script.textContent.trim()), bytes = new Uint8Array(bin.length);
    var key = new TextEncoder().encode(box.getAttribute("data-quiz") + "|" + box.getAttribute("data-sop-id"));
    var x = 0x811c9dc5;
    key.forEach(function (b) { x = Math.imul(x ^ b, 0x01000193) >>> 0; });
    x = x || 1;
    for (var i = 0; i < bin.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bytes[i] = bin.charCodeAt(i) ^ (x & 255);
    }
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  // --- storage: localStorage when allowed, else memory; foreign or broken data is ignored ------
  function load() {
    var raw = null;
    try { raw = window.localStorage.getItem(KEY); } catch (e) {
      persistent = false; notice = "storeOff"; return;
    }
    try { db = clean(JSON.parse(raw)); } catch (e) { db = blank(); }
  }
  function validRecord(r, major) {
    return isObj(r) && r.major === major && typeof r.sop === "string" && typeof r.version === "string" &&
      typeof r.passed === "boolean" && typeof r.date === "string" &&
      [r.attempts, r.best, r.last].every(function (n) { return typeof n === "number" && n >= 0 && isFinite(n); });
  }
  function clean(d) {
    var out = blank();
    if (!isObj(d) || d.v !== 1 || !isObj(d.learners)) return out;
    own(d.learners).forEach(function (key) {
      var l = d.learners[key], quizMap = dict();
      if (!isObj(l) || typeof l.name !== "string" || !l.name) return;
      if (isObj(l.quizzes)) own(l.quizzes).forEach(function (id) {
        var byMajor = l.quizzes[id];
        if (isObj(byMajor)) own(byMajor).forEach(function (m) {
          if (validRecord(byMajor[m], +m)) (quizMap[id] = quizMap[id] || dict())[m] = byMajor[m];
        });
      });
      out.learners[key] = { name: l.name, emp: typeof l.emp === "string" ? l.emp : "", quizzes: quizMap };
    });
    if (typeof d.current === "string" && has(out.learners, d.current)) out.current = d.current;
    return out;
  }
  // Returns "" when saved (or memory-only already announced), else the message to announce.
  function save() {
    if (!persistent) return "";
    try { window.localStorage.setItem(KEY, JSON.stringify(db)); return ""; } catch (e) {
      if (e && (e.name === "QuotaExceededError" || e.code === 22 || e.name === "NS_ERROR_DOM_QUOTA_REACHED")) {
        return t("storeFull");
      }
      persistent = false; notice = "storeOff"; return t("storeOff");
    }
  }

  // --- learners and results ----------------------------------------------------------------
  function learner(key) { return typeof key === "string" && has(db.learners, key) ? db.learners[key] : null; }
  function me() { return learner(db.current); }
  function setLearner(name, emp) {
    name = String(name || "").trim(); emp = String(emp || "").trim();
    if (!name) return false;
    var key = emp ? "emp:" + emp : "name:" + name.toLowerCase();
    var l = learner(key) || (db.learners[key] = { name: name, emp: emp, quizzes: dict() });
    l.name = name;
    db.current = key;
    var problem = save();
    changed(true);
    if (problem) announceAll(problem);
    return true;
  }
  function switchTo(key) { if (learner(key)) { db.current = key; save(); changed(true); } }
  function stateFor(quizId, major, who) {
    var l = who ? learner(who) : me(), byMajor = l && has(l.quizzes, quizId) ? l.quizzes[quizId] : null;
    if (!byMajor) return "new";
    if (has(byMajor, major)) return byMajor[major].passed ? "passed" : "failed";
    var older = own(byMajor).filter(function (m) { return byMajor[m].passed; });
    if (older.some(function (m) { return +m > major; })) return "passed";  // an archived version
    return older.length ? "retrain" : "new";
  }
  function rows(who) {
    var l = who ? learner(who) : me(), out = [];
    if (!l) return out;
    own(l.quizzes).sort().forEach(function (id) {
      own(l.quizzes[id]).sort(function (a, b) { return a - b; }).forEach(function (m) {
        var r = l.quizzes[id][m];
        out.push({
          learner: l.name, employee_no: l.emp, quiz: id, title: r.title || id, sop_id: r.sop,
          sop_version: r.version, major: r.major, score: r.best, last_score: r.last, passed: r.passed,
          date: r.passed && r.passedOn ? r.passedOn : r.date, attempts: r.attempts, kind: kindOf(id),
          questions: Array.isArray(r.questions) ? r.questions.slice() : []
        });
      });
    });
    return out;
  }
  function record(data, score, passed, ids) {
    var l = me(), byMajor = has(l.quizzes, data.id) ? l.quizzes[data.id] : (l.quizzes[data.id] = dict());
    var r = has(byMajor, data.major) ? byMajor[data.major] : { sop: data.sop, major: data.major, version: data.version,
      attempts: 0, best: 0, last: 0, passed: false, date: "" };
    var now = today();
    r.title = data.title; r.attempts += 1; r.last = score; r.best = Math.max(r.best, score);
    r.date = now; r.questions = ids;
    if (passed) { r.passed = true; r.passedOn = now; r.version = data.version; }
    else if (!r.passed) r.version = data.version;
    byMajor[data.major] = r;
    var problem = save();
    changed(false);
    return problem;
  }

  // --- one quiz ------------------------------------------------------------------------------
  function mount(box) {
    if (box.sopq) return;
    var data;
    try { data = decode(box); } catch (e) { return; }  // keep the no-JS message
    var q = box.sopq = { box: box, data: data, uid: "sopq" + (++seq) };
    var nojs = box.querySelector(".sop-quiz__nojs");
    if (nojs) nojs.hidden = true;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", data.title);
    q.status = el("p", { "class": "sopq-status" });
    q.body = el("div", { "class": "sopq-body" });
    q.live = el("div", { "class": "sopq-live", role: "status", "aria-live": "polite" });
    box.append(el("p", { "class": "sopq-title", text: data.title }), bar(), q.status, q.body, q.live, records());
    quizzes.push(q);
    start(q);
    update(q);
  }

  // A fresh attempt: draw, shuffle, build one fieldset per question.
  function start(q) {
    var d = q.data, pool = d.questions.slice();
    if (d.draw && d.draw < pool.length) pool = shuffled(pool).slice(0, d.draw);
    else if (d.shuffle) pool = shuffled(pool);
    q.items = pool.map(function (question, i) { return item(q, question, i, pool.length); });
    q.submit = el("button", { type: "button", "class": "sopq-submit md-button md-button--primary",
      text: t("submit"), onclick: function () { submit(q); } });
    q.body.textContent = "";
    q.items.forEach(function (it) { q.body.append(it.fs); });
    q.body.append(el("p", { "class": "sopq-actions" }, [q.submit]));
  }

  function item(q, question, i, n) {
    var it = { q: question, inputs: [] }, name = q.uid + "-" + i;
    var count = (question.options || []).length;
    // tabindex -1: the script moves focus here (start, restart); Tab still goes to its inputs.
    it.fs = el("fieldset", { "class": "sopq-q", tabindex: "-1" }, [el("legend", {}, [
      el("span", { "class": "sopq-n", text: t("question", { i: i + 1, n: n }) }), " ", question.prompt])]);
    if (question.type === "order") {
      var order = shuffled(range(count));
      while (count > 1 && same(order, question.answer)) order = shuffled(order);
      it.order = order;
      it.list = el("ol", { "class": "sopq-order" });
      it.fs.append(it.list);
      drawOrder(q, it);
    } else {
      var choices = question.type === "true_false" ? [[true, t("true")], [false, t("false")]] :
        (q.data.shuffle ? shuffled(range(count)) : range(count)).map(function (k) { return [k, question.options[k]]; });
      choices.forEach(function (c) {
        var input = el("input", { type: question.type === "multiple" ? "checkbox" : "radio", name: name });
        it.inputs.push([input, c[0]]);
        it.fs.append(el("label", { "class": "sopq-opt" }, [input, " ", el("span", { text: c[1] })]));
      });
    }
    it.feedback = el("div", { "class": "sopq-fb", hidden: true });
    it.fs.append(it.feedback);
    return it;
  }

  // The order question: a list with move up / move down buttons (keyboard, mouse and touch alike).
  function drawOrder(q, it, focus) {
    var opts = it.q.options, n = it.order.length;
    it.list.textContent = "";
    it.order.forEach(function (k, pos) {
      var text = opts[k];
      function mover(delta, label, sign) {
        return el("button", { type: "button", "class": "sopq-move", "aria-label": label + ": " + text,
          title: label, text: sign, disabled: it.locked || pos + delta < 0 || pos + delta >= n,
          onclick: function () {
            var to = pos + delta;
            it.order.splice(pos, 1); it.order.splice(to, 0, k);
            drawOrder(q, it, [k, delta]);
            q.live.textContent = t("moved", { text: text, p: to + 1, n: n });
          } });
      }
      var up = mover(-1, t("moveUp"), "\u2191"), down = mover(1, t("moveDown"), "\u2193");
      it.list.append(el("li", {}, [el("span", { text: text }), el("span", { "class": "sopq-movers" }, [up, down])]));
      if (focus && focus[0] === k) {  // keep focus on the moved item, on a button that still works
        var target = focus[1] < 0 ? (up.disabled ? down : up) : (down.disabled ? up : down);
        target.focus();
      }
    });
  }

  function given(it) {
    if (it.order) return it.order.slice();
    var on = it.inputs.filter(function (p) { return p[0].checked; }).map(function (p) { return p[1]; });
    if (it.q.type === "multiple") return on.length ? on.sort(function (a, b) { return a - b; }) : null;
    return on.length ? on[0] : null;
  }
  function isRight(it, answer) {
    var want = it.q.answer;
    if (it.q.type === "multiple") return same(answer, want.slice().sort(function (a, b) { return a - b; }));
    if (it.q.type === "order") return same(answer, want);
    return answer === want;
  }

  // Submitting is only ever this explicit button: arrow keys, Space and Enter on inputs never get here.
  function submit(q) {
    if (!me()) { q.live.textContent = t("needName"); focusName(q.box); return; }
    var open = q.items.filter(function (it) { return given(it) === null; });
    if (open.length) {
      q.live.textContent = t("unanswered", { n: open.length });
      open[0].inputs[0][0].focus();
      return;
    }
    var right = 0, d = q.data;
    q.items.forEach(function (it) {
      var ok = isRight(it, given(it)), ref = it.q.ref, fb = it.feedback;
      if (ok) right += 1;
      it.locked = true;
      it.inputs.forEach(function (p) { p[0].disabled = true; });
      if (it.order) drawOrder(q, it);
      it.fs.setAttribute("data-result", ok ? "correct" : "wrong");
      fb.textContent = "";
      fb.append(el("strong", { text: t(ok ? "correct" : "wrong") }));
      if (it.q.explain) fb.append(" ", it.q.explain);
      if (ref) {
        var hash = ref.step != null ? "#step-" + ref.step : "#cp-" + ref.cp;
        fb.append(" ", el("a", { href: (d.base || "") + hash,
          text: t("see") + " " + (ref.step != null ? t("step", { n: ref.step }) : t("cp", { id: ref.cp })) }));
      }
      fb.hidden = false;
    });
    var score = Math.round(100 * right / q.items.length), passed = score >= d.passMark;
    var problem = record(d, score, passed, q.items.map(function (it) { return it.q.id; }));
    q.submit.remove();
    var retry = el("button", { type: "button", "class": "sopq-retry md-button",
      text: t("retry"), onclick: function () { start(q); q.live.textContent = ""; focusFirst(q); } });
    var summary = t("result", { score: score, pass: d.passMark, state: t(passed ? "state_passed" : "state_failed") });
    // The result gets the focus (tabindex -1), not "Try again": a second Enter never wipes the answers.
    var result = el("p", { "class": "sopq-result", tabindex: "-1", "data-result": passed ? "passed" : "failed",
      text: summary });
    q.body.append(result, el("p", { "class": "sopq-actions" }, [retry]));
    q.box.setAttribute("data-attempt", passed ? "passed" : "failed");
    q.live.textContent = summary + (problem ? " " + problem : "");
    result.focus();
  }
  // Focus the first question (its fieldset, named by its legend): never a disabled "move up" button.
  function focusFirst(q) { var f = q.body.querySelector("fieldset.sopq-q"); if (f) f.focus(); }
  function focusName(scope) {
    var input = scope.querySelector(".sopq-learner input") || document.querySelector(".sopq-learner input");
    if (input) input.focus();
  }

  // The container's state and the status line under the title.
  function update(q) {
    var d = q.data, state = stateFor(d.id, d.major), l = me();
    var r = l && l.quizzes[d.id] && l.quizzes[d.id][d.major];
    q.box.setAttribute("data-quiz-state", state);
    q.status.textContent = "";
    q.status.append(badge(state));
    if (state === "retrain") {
      var old = own(l.quizzes[d.id]).filter(function (m) { return l.quizzes[d.id][m].passed; })
        .map(function (m) { return l.quizzes[d.id][m].version; }).pop();
      q.status.append(" ", t("retrainInfo", { old: old, now: d.version }));
    } else if (r) {
      if (r.passed) q.status.append(" ", t("passedInfo", { date: (r.passedOn || r.date).slice(0, 10), version: r.version }));
      q.status.append(" ", t("best", { score: r.best, attempts: r.attempts }));
    }
  }
  function badge(state, ack) {
    return el("span", { "class": "sopq-badge", "data-state": state,
      text: t(ack && state === "passed" ? "state_acked" : "state_" + state) });
  }

  // --- the learner bar: who is taking the quiz; other learners one click away -----------------
  function bar(host) {
    var b = host || el("div");
    b.classList.add("sopq-learner");
    bars.push(b);
    drawBar(b);
    return b;
  }
  function drawBar(b) {
    var l = me(), askEmp = !!document.querySelector('[data-ask-employee="true"]'), uid = "sopql" + (++seq);
    b.textContent = "";
    if (l) b.append(el("span", { "class": "sopq-me" }, [t("learner") + ": ", el("strong", { text: l.name }),
      l.emp ? " (" + l.emp + ")" : ""]));
    own(db.learners).forEach(function (key) {
      if (key === db.current) return;
      var other = db.learners[key];
      b.append(" ", el("button", { type: "button", "class": "sopq-switch", "data-learner": key,
        text: t("switchTo", { name: other.name + (other.emp ? " (" + other.emp + ")" : "") }),
        onclick: function () { switchTo(key); focusAfterLearner(b); } }));
    });
    var name = el("input", { id: uid + "n", name: "name", autocomplete: "name", required: true });
    var emp = askEmp ? el("input", { id: uid + "e", name: "employee", required: true }) : null;
    var form = el("form", { "class": "sopq-form", hidden: !!l, onsubmit: function (e) {
      e.preventDefault();
      if (setLearner(name.value, emp ? emp.value : "")) focusAfterLearner(b);
    } }, [
      el("label", { "for": name.id, text: t("name") }), name,
      emp && el("label", { "for": emp.id, text: t("emp") }), emp,
      el("button", { type: "submit", "class": "md-button", text: t("start") })]);
    if (l) b.append(" ", el("button", { type: "button", "class": "sopq-new",
      "aria-expanded": "false", text: t("newLearner"), onclick: function () {
        form.hidden = !form.hidden; this.setAttribute("aria-expanded", String(!form.hidden));
        if (!form.hidden) name.focus();
      } }));
    else b.append(el("p", { text: t("needName") }));
    b.append(form);
    if (notice) b.append(el("p", { "class": "sopq-note", text: t(notice) }));
  }
  // After a learner is set or switched the bar is redrawn and its button is gone: focus goes to the
  // "read and understood" button of that bar, or to the quiz of that bar, else the first quiz of the
  // page, else the bar's "Learner: name" line.
  function focusAfterLearner(b) {
    var box = b.closest(".sop-quiz"), q = box && box.sopq && box.sopq.body ? box.sopq : quizzes[0];
    var ack = b.closest("[data-sop-ack]");
    if (ack && ack.sopAck && !ack.sopAck.button.hidden) { ack.sopAck.button.focus(); return; }
    if (q && q.box.isConnected) { focusFirst(q); return; }
    var line = b.querySelector(".sopq-me");
    if (line) { line.setAttribute("tabindex", "-1"); line.focus(); }
  }

  // --- records: table, downloads (CSV, JSON, xAPI) and a printable completion record ----------
  function records(host) {
    var r = host || el("details");
    r.classList.add("sopq-records");
    recs.push(r);
    drawRecords(r);
    return r;
  }
  function table(list) {
    if (!list.length) return el("p", { text: t("noRecords") });
    var cols = t("cols").split("|");
    return el("table", { "class": "sopq-table" }, [
      el("thead", {}, [el("tr", {}, cols.map(function (c) { return el("th", { text: c }); }))]),
      el("tbody", {}, list.map(function (x) {
        return el("tr", { "data-quiz": x.quiz }, [x.title, x.sop_id, x.sop_version, x.score + "%",
          t(x.passed ? "state_passed" : "state_failed"), x.date.slice(0, 10), String(x.attempts)]
          .map(function (c) { return el("td", { text: c }); }));
      }))]);
  }
  function drawRecords(r) {
    var open = r.open;
    r.textContent = "";
    var kids = [el("p", { "class": "sopq-disclaimer", text: t("disclaimer") }), table(rows()),
      el("p", { "class": "sopq-downloads" }, ["csv", "json", "xapi", "print"].map(function (kind) {
        return el("button", { type: "button", "class": "md-button", "data-download": kind, text: t(kind),
          disabled: !me(), onclick: function () { kind === "print" ? printRecord() : download(kind); } });
      }))];
    if (r.tagName === "DETAILS") kids.unshift(el("summary", { text: t("records") }));
    kids.forEach(function (k) { r.append(k); });
    r.open = open;
  }
  var FIELDS = ["learner", "employee_no", "quiz", "sop_id", "sop_version", "score", "passed", "date", "attempts", "kind"];
  function csvCell(v) {
    v = String(v);
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;  // no formulas when opened in a spreadsheet
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function statements(list) {
    var home = /^https?:/.test(location.protocol) ? location.origin : "urn:sopkb", lang = T.xapiLang || "en-US";
    return list.map(function (x) {
      var name = {}; name[lang] = x.title;
      if (x.kind === "ack") return ackStatement(x, home, name);
      return {
        actor: { objectType: "Agent", name: x.learner, account: { homePage: home, name: x.employee_no || x.learner } },
        verb: { id: ADL + (x.passed ? "passed" : "failed"), display: { "en-US": x.passed ? "passed" : "failed" } },
        object: { objectType: "Activity", id: "urn:sopkb:quiz:" + x.quiz,
          definition: { name: name, type: "http://adlnet.gov/expapi/activities/assessment" } },
        result: { score: { scaled: x.score / 100, raw: x.score, min: 0, max: 100 }, success: x.passed },
        context: { extensions: { "urn:sopkb:sop-id": x.sop_id, "urn:sopkb:sop-version": x.sop_version } },
        timestamp: x.date
      };
    });
  }
  function download(kind) {
    var l = me(), list = rows(), text, type;
    if (!l) return false;
    if (kind === "csv") {
      text = "\ufeff" + [FIELDS.join(",")].concat(list.map(function (x) {
        return FIELDS.map(function (f) { return csvCell(x[f]); }).join(",");
      })).join("\r\n") + "\r\n";
      type = "text/csv";
    } else {
      text = JSON.stringify(kind === "xapi" ? statements(list) : {
        format: "sopkb-training-records", version: 1, generated: today(), disclaimer: t("disclaimer"),
        records: list.map(function (x) { var o = {}; FIELDS.concat(["title", "questions"]).forEach(function (f) { o[f] = x[f]; }); return o; })
      }, null, 2);
      type = "application/json";
    }
    var file = "training-" + (kind === "xapi" ? "xapi" : "records") + "-" +
      (l.emp || l.name).replace(/[^\w\u4e00-\u9fff-]+/g, "_") + "." + (kind === "csv" ? "csv" : "json");
    try {
      var url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
      var a = el("a", { href: url, download: file, hidden: true });
      document.body.append(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
      return true;
    } catch (e) { announceAll(t("fileOff")); return false; }
  }
  function printRecord() {
    var l = me(), old = document.querySelector(".sopq-print");
    if (!l) return;
    if (old) old.remove();
    document.body.append(el("section", { "class": "sopq-print" }, [
      el("h1", { text: t("printTitle") }),
      el("p", { text: t("learner") + ": " + l.name + (l.emp ? " (" + l.emp + ")" : "") }),
      table(rows().filter(function (x) { return x.passed; })),
      signatures(),
      el("p", { "class": "sopq-disclaimer", text: t("disclaimer") }),
      el("p", { "class": "sopq-uncontrolled", text: t("uncontrolled", { date: today().slice(0, 10) }) })]));
    document.documentElement.classList.add("sopq-printing");
    window.addEventListener("afterprint", function () {
      document.documentElement.classList.remove("sopq-printing");
    }, { once: true });
    window.print();
  }

  // --- training lists: a state badge per required SOP, and overall progress -------------------
  function training() {
    document.querySelectorAll("[data-training-quiz]").forEach(function (li) {
      var state = stateFor(li.getAttribute("data-training-quiz"), +li.getAttribute("data-sop-major"));
      var old = li.querySelector(":scope > .sopq-badge");
      li.setAttribute("data-quiz-state", state);
      var b = badge(state, li.hasAttribute("data-training-ack"));
      if (old) old.replaceWith(b); else li.append(" ", b);
    });
    document.querySelectorAll("[data-training-progress]").forEach(function (p) {
      var scope = p.closest("[data-training-list]") || document, seen = {}, done = 0, total = 0;
      scope.querySelectorAll("[data-training-quiz]").forEach(function (li) {
        var id = li.getAttribute("data-training-quiz");
        if (seen[id]) return;
        seen[id] = 1; total += 1;
        if (li.getAttribute("data-quiz-state") === "passed") done += 1;
      });
      p.setAttribute("data-done", done); p.setAttribute("data-total", total);
      p.textContent = "";
      p.append(el("progress", { max: total || 1, value: done }), " ", t("progress", { done: done, total: total }));
    });
  }

  // The signature block of the printed completion record: learner, supervisor, date.
  function signatures() {
    return el("div", { "class": "sopq-sign" }, ["signLearner", "signSupervisor", "signDate"].map(function (k) {
      return el("p", { "class": "sopq-sign__line" }, [el("span", { text: t(k) })]);
    }));
  }

  // --- "read and understood": an SOP without a quiz, recorded like a quiz result --------------
  // Key "ack:<SOP-ID>" (sop_plugin/pages/progress.py), bound to the SOP's MAJOR version, score 100,
  // kind "ack" in the records; xAPI verb "completed". Self-reported, like every result here.
  function kindOf(id) { return String(id).indexOf("ack:") === 0 ? "ack" : "quiz"; }
  function ackStatement(x, home, name) {
    return {
      actor: { objectType: "Agent", name: x.learner, account: { homePage: home, name: x.employee_no || x.learner } },
      verb: { id: ADL + "completed", display: { "en-US": "read and understood" } },
      object: { objectType: "Activity", id: "urn:sopkb:sop:" + x.sop_id,
        definition: { name: name, type: "http://adlnet.gov/expapi/activities/lesson" } },
      result: { completion: true, success: true },
      context: { extensions: { "urn:sopkb:sop-id": x.sop_id, "urn:sopkb:sop-version": x.sop_version } },
      timestamp: x.date
    };
  }
  function ackData(box) {
    return { id: box.getAttribute("data-training-quiz"), major: +box.getAttribute("data-sop-major"),
      sop: box.getAttribute("data-sop-id"), version: box.getAttribute("data-sop-version"),
      title: box.getAttribute("data-sop-title") || box.getAttribute("data-sop-id") };
  }
  function mountAck(box) {
    if (box.sopAck) return;
    var live = el("p", { "class": "sopq-live", role: "status", "aria-live": "polite" });
    var button = el("button", { type: "button", "class": "md-button md-button--primary sopq-ack", text: t("ack"),
      onclick: function () {
        if (!me()) { live.textContent = t("needName"); focusName(box); return; }
        var d = ackData(box), problem = record(d, 100, true, []);
        live.textContent = t("ackDone", { version: d.version }) + (problem ? " " + problem : "");
        live.setAttribute("tabindex", "-1");
        live.focus();  // the button is hidden now: the focus goes to what it did, not to <body>
      } });
    box.sopAck = { button: button };
    box.append(el("p", { "class": "sopq-actions" }, [button]), live);
    drawAck(box);
  }
  function drawAck(box) {
    var state = stateFor(box.getAttribute("data-training-quiz"), +box.getAttribute("data-sop-major"));
    if (box.sopAck) box.sopAck.button.hidden = state === "passed";
  }

  // "My training": the learner picks their role; the choice is remembered in this browser (its own
  // key, apart from the results) and only that role's list is shown ("All roles" shows them all).
  var ROLE_KEY = "sopkb:v1:role";
  function rolePicker() {
    var lists = [].slice.call(document.querySelectorAll("details.sop-training-role[data-role]"));
    if (lists.length < 2 || document.querySelector(".sopq-role-picker")) return;
    var saved = "";
    try { saved = window.localStorage.getItem(ROLE_KEY) || ""; } catch (e) { /* memory only */ }
    var id = "sopq-role" + (++seq);
    var select = el("select", { id: id, "data-training-role-select": true }, [el("option", { value: "", text: t("allRoles") })]
      .concat(lists.map(function (d) {
        var name = d.querySelector("summary strong");
        return el("option", { value: d.getAttribute("data-role"), text: name ? name.textContent : d.getAttribute("data-role") });
      })));
    function apply() {
      var role = select.value;
      lists.forEach(function (d) {
        d.hidden = !!role && d.getAttribute("data-role") !== role;
        if (role && !d.hidden) d.open = true;
      });
    }
    if (lists.some(function (d) { return d.getAttribute("data-role") === saved; })) select.value = saved;
    select.addEventListener("change", function () {
      try { window.localStorage.setItem(ROLE_KEY, select.value); } catch (e) { /* memory only */ }
      apply();
    });
    lists[0].parentNode.insertBefore(el("p", { "class": "sopq-role-picker" }, [
      el("label", { "for": id, text: t("myRole") }), " ", select]), lists[0]);
    apply();
  }

  // --- everything that shows a learner's state is redrawn on change ---------------------------
  function changed(newLearner) {
    quizzes = quizzes.filter(function (q) { return q.box.isConnected; });
    bars = bars.filter(function (b) { return b.isConnected; });
    recs = recs.filter(function (r) { return r.isConnected; });
    quizzes.forEach(function (q) { if (newLearner) { start(q); q.live.textContent = ""; } update(q); });
    bars.forEach(drawBar);
    recs.forEach(drawRecords);
    document.querySelectorAll("[data-sop-ack]").forEach(drawAck);
    training();
    listeners.forEach(function (cb) { try { cb(api); } catch (e) { /* a listener's bug is its own */ } });
  }
  function announceAll(message) { quizzes.forEach(function (q) { q.live.textContent = message; }); }

  function scan() {
    var strings = document.querySelector("script.sop-quiz-i18n");
    if (strings) { try { T = JSON.parse(strings.textContent); } catch (e) { /* keep the keys */ } }
    document.querySelectorAll(".sop-quiz[data-quiz]").forEach(mount);
    document.querySelectorAll("[data-sop-learner]").forEach(function (h) { if (!h.sopq) { h.sopq = 1; bar(h); } });
    document.querySelectorAll("[data-sop-records]").forEach(function (h) { if (!h.sopq) { h.sopq = 1; records(h); } });
    document.querySelectorAll("[data-sop-ack]").forEach(mountAck);
    rolePicker();
    training();
  }

  function copy(o) { return o && JSON.parse(JSON.stringify(o)); }
  var api = window.sopQuiz = {
    /** [{key, name, employee}] of every learner known to this browser. */
    learners: function () {
      return own(db.learners).map(function (k) { return { key: k, name: db.learners[k].name, employee: db.learners[k].emp }; });
    },
    /** {key, name, employee} of the current learner, or null. */
    currentLearner: function () {
      var l = me();
      return l && { key: db.current, name: l.name, employee: l.emp };
    },
    /** Result rows of a learner (key; default the current one). */
    results: function (learner) { return copy(rows(learner)); },
    /** "new" | "passed" | "failed" | "retrain" of the current learner for a quiz at an SOP MAJOR version. */
    stateFor: function (quizId, major) { return stateFor(quizId, +major); },
    /** Call cb(sopQuiz) whenever learner or results change; returns an unsubscribe function. */
    onChange: function (cb) {
      listeners.push(cb);
      return function () { listeners = listeners.filter(function (x) { return x !== cb; }); };
    },
    setLearner: setLearner,
    switchLearner: switchTo,
    download: download,
    persistent: function () { return persistent; },
    refresh: scan
  };

  load();
  window.addEventListener("storage", function (e) { if (e.key === KEY) { load(); changed(false); } });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan); else scan();
  // Material's instant navigation swaps the page without reloading scripts.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(scan);
})();
