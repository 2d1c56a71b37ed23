/* SOP search engine for Material for MkDocs (sop_plugin/adapter/search.py and
 * sop_plugin/pages/search_index.py explain the design).
 *
 * A Web Worker speaking Material's search worker protocol: SETUP {config, docs, options} ->
 * READY; QUERY "text" -> RESULT {items: [[item, ...] per page]}. Under the iframe-worker shim
 * (file://) the same code runs in a hidden iframe and loads its pieces with script tags; in a real
 * Worker (http) with fetch. No fetch() from file://.
 *
 * What Material hands over in SETUP is only the manifest: a few columns of one value per page
 * (title, folder and name (both decoded; folder -1: name is the whole URL as it is), id length,
 * text length, boost, language, translation group; see rows()) and config.sop_pieces (number of
 * pages and key shards, folders, languages, synonyms). For a query the engine loads the key shards of its
 * words (pieces/k/<n>.js: key -> pages), ranks the pages, then loads the text pieces of the best
 * pages only (pieces/p/<n>.js) for their sections, snippets and highlighting.
 *
 * As a person types (Material sends every keystroke): a burst of keys searches only the last one
 * (QUIET_MS); a growing Latin word stays in the shard of its first three letters (insp, inspe,
 * inspection: one shard); a piece on its way is shared by every keystroke that needs it and a
 * loaded one is kept for the page view; over http the pieces only older keystrokes wanted are
 * cancelled, so they do not take the browser's few connections from the last one; a keystroke
 * whose query is no longer the latest loads no text and sends no result. When the text pieces are
 * slow (DETAIL_WAIT_MS), the results go out with their titles first and again with their sections.
 *
 * Keys (the same rules as search_index.py): a Latin word (letters, digits), or two adjacent CJK
 * characters; a Latin query word matches keys it begins (insp -> inspection), a Chinese one pages
 * that hold all its character pairs. Title keys (title, aliases, pinyin of Chinese titles) weigh
 * TITLE_WEIGHT; text keys by BM25. Query syntax: words, "quoted phrases", +required, -excluded;
 * full-width characters fold to ASCII; a word (or the whole query) in a synonym group also finds
 * the other words of its group. An exact SOP id (any case, with or without its prefix) puts that
 * SOP first, an exact page title (a role name) that page. An SOP and its translations are one
 * result, which opens the page in the language of the query (Chinese characters or not).
 * Index text is raw (not HTML); everything sent back is escaped here.
 */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var TITLE_WEIGHT = 4, K1 = 1.2, B = 0.75, SNIPPET = 240, DETAILED_PAGES = 10, MAX_COUNT = 8;
var LOAD_TIMEOUT_MS = 10000, FORMAT = 2, QUIET_MS = 10, DETAIL_WAIT_MS = 120;
var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
var TOKEN = new RegExp("([a-z0-9\u00c0-\u024f]+)|([" + CJK + "]+)", "g");
var HAS_CJK = new RegExp("[" + CJK + "]");
var CJK_LANG = /^(zh|ja|ko)/;

/* The site root: this file is assets/sop/search-worker.js */
var ROOT = (function () {
  var src = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) || self.location.href;
  return new URL("../../", src).href;
})();

var pages = [], info = null, pieces = Object.create(null), keyLists = Object.create(null);
var idPages = Object.create(null), titlePages = Object.create(null), members = Object.create(null);
var synonyms = Object.create(null), withSuggest = false, avgLength = 1, latest = 0;

self.__sopPiece = function (name, data) { pieces[name] = data; };

function setup(data) {
  var config = (data.config && data.config.sop_pieces) || {};
  if (config.version !== FORMAT) console.warn("search: index format " + config.version + ", engine " + FORMAT);
  info = config;
  withSuggest = !!(data.options && data.options.suggest);
  pages = rows(data.docs || [], config);
  idPages = Object.create(null); titlePages = Object.create(null); members = Object.create(null);
  var shortIds = [], total = 0;
  pages.forEach(function (p) {
    total += p.length;
    (members[p.group] = members[p.group] || []).push(p.i);
    var plain = p.idLength ? p.lower.slice(p.idLength).trim() : p.lower;
    if (plain && !(plain in titlePages)) titlePages[plain] = p.i;
    if (p.idLength) {
      var id = p.lower.slice(0, p.idLength), cut = id.indexOf("-");
      idPages[id] = p.i;
      if (cut > 0) shortIds.push([id.slice(cut + 1), p.i]);
    }
  });
  avgLength = Math.max(1, total / Math.max(1, pages.length));
  shortIds.forEach(function (s) { if (!(s[0] in idPages)) idPages[s[0]] = s[1]; });  // a full id wins
  synonyms = Object.create(null);
  (config.synonyms || []).forEach(function (group) {
    group.forEach(function (word) { synonyms[word] = group; });
  });
}

/* The manifest's pages from its columns (search_index.py, manifest_columns): titles and names one
   a line, numbers in base 36 one a space (nothing is 0), the group as a distance; a name starting
   with "*" starts with the SOP's id in lower case instead */
function rows(docs, config) {
  var count = config.pages || 0, folders = config.folders || [], langs = config.langs || [];
  var column = function (k, sep) { return String(docs[k] || "").split(sep); };
  var number = function (v) { return v ? parseInt(v, 36) : 0; };
  var titles = column(0, "\n"), names = column(1, "\n"), folder = column(2, " "), idLength = column(3, " ");
  var length = column(4, " "), boost = column(5, " "), lang = column(6, " "), group = column(7, " ");
  var stem = function (i) {
    var n = number(idLength[i]);
    return n && /^[\x00-\x7f]*$/.test(titles[i].slice(0, n)) ? titles[i].slice(0, n).toLowerCase() : "";
  };
  var out = [];
  for (var i = 0; i < count; i++) {
    var title = titles[i] || "", f = folder[i] ? parseInt(folder[i], 36) : 0, g = i + number(group[i]), name = names[i] || "";
    if (f >= 0 && name.charAt(0) === "*") name = (stem(i) || stem(g)) + name.slice(1);
    out.push({ i: i, location: f < 0 ? name : encodeURI((folders[f] || "") + name), title: title,
               lower: fold(title.toLowerCase()), idLength: number(idLength[i]), length: number(length[i]),
               boost: boost[i] ? parseFloat(boost[i]) || 1 : 1, lang: langs[number(lang[i])] || "", group: g });
  }
  return out;
}

/* Full-width letters, digits and punctuation as ASCII (one character each: positions stay) */
function fold(value) {
  return value.replace(/[\uff01-\uff5e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
    .replace(/\u3000/g, " ");
}

var SPLIT = /[\s,;:!?()\[\]{}<>'。、《》“”‘’·…]+/;

/* 'a b +c -d "e f"' -> [{text, presence, wordy, alts}]: lower case, folded, split at spaces and
   punctuation (not at "-", "." or "/": SOP-QC-012, 3.1, GB/T 2828.1 stay whole) */
function parse(query) {
  var value = fold(query).toLowerCase(), terms = [], seen = Object.create(null);
  var re = /([+-]?)"([^"]*)"?|([^"]+)/g, m;
  function add(text, presence) {
    text = text.replace(/^\*+/, "").replace(/(\*|[~^]\d*)+$/, "");
    if (!text || seen[presence + text]) return;
    seen[presence + text] = true;
    terms.push({ text: text, presence: presence === "+" ? 1 : presence === "-" ? -1 : 0, alts: [text] });
  }
  while ((m = re.exec(value))) {
    if (m[2] !== undefined) { add(m[2].trim(), m[1]); continue; }
    m[3].split(SPLIT).forEach(function (part) {
      var sign = /^[+-]/.test(part) && part.length > 1 ? part.charAt(0) : "";
      add(sign ? part.slice(1) : part, sign);
    });
  }
  var whole = value.trim().split(/\s+/).join(" ");
  if (terms.length > 1 && synonyms[whole]) terms = [{ text: whole, presence: 0, alts: [whole] }];
  terms.forEach(function (t) { if (synonyms[t.text]) t.alts = synonyms[t.text].slice(); });
  return terms;
}

/* The tokens of a text: [{latin: bool, text}] */
function tokens(text) {
  var out = [], m;
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(text))) out.push(m[1] ? { latin: true, text: m[1] } : { latin: false, text: m[2] });
  return out;
}

/* The keys a CJK token needs: its character pairs (one character: itself) */
function pairs(text) {
  if (text.length < 2) return [text];
  var out = [];
  for (var i = 0; i + 1 < text.length; i++) out.push(text.slice(i, i + 2));
  return out;
}

function shardOf(key, latin) {
  var head = latin ? key.slice(0, 3) : key.slice(0, 2), h = 0x811c9dc5;
  for (var i = 0; i < head.length; i++) { h ^= head.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h % (info.shards || 1);
}

/* Loading pieces. Each piece is requested once per page view: a piece on its way is shared by every
   query that needs it (the keystrokes of one word ask for the same key shards), a loaded one kept.
   Over http (a real Worker) with fetch, which can be cancelled: when a newer query comes in, the
   pieces only older queries wanted are dropped, so that requests from earlier keystrokes do not
   hold up the last one (a browser opens a few connections per server at a time). From file://
   (the iframe-worker shim: a hidden iframe) with script tags, since file:// allows no fetch;
   importScripts (one at a time) where neither is possible. */
var inflight = Object.create(null);  // piece name -> {promise, abort (or null), ticket}

function pieceURL(name) { return ROOT + info.pieces + name.charAt(0) + "/" + name.slice(1) + ".js"; }

function request(name) {
  var entry = { ticket: 0, abort: null, dropped: false }, done;
  if (typeof document !== "undefined") {
    done = new Promise(function (resolve) {
      var script = document.createElement("script");
      script.src = pieceURL(name);
      script.onload = script.onerror = function () { script.remove(); resolve(); };
      document.body.appendChild(script);
    });
  } else if (typeof fetch === "function" && /^https?:/.test(ROOT)) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) entry.abort = function () { controller.abort(); };
    done = fetch(pieceURL(name), controller ? { signal: controller.signal } : undefined).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (text) {
      var start = text.indexOf(","), end = text.lastIndexOf(")");
      if (start > 0 && end > start) pieces[name] = JSON.parse(text.slice(start + 1, end));
    }).catch(function (err) { if (!entry.dropped) console.warn("search: piece not loaded", name, err); });
  } else {
    try { importScripts(pieceURL(name)); } catch (err) { console.warn("search: piece not loaded", name, err); }
    done = Promise.resolve();
  }
  entry.promise = done.then(function () {
    if (inflight[name] === entry) delete inflight[name];
    if (!entry.dropped && !(name in pieces)) pieces[name] = null;  // failed: not asked for again
  });
  return entry;
}

/* Load pieces by name (k<n>, p<n>) for the query with this ticket, all at once; resolves when
   they are in, failed, or were dropped for a newer query. */
function load(names, ticket) {
  var waits = [];
  names.forEach(function (name) {
    if (name in pieces) return;
    var entry = inflight[name] || (inflight[name] = request(name));
    entry.ticket = Math.max(entry.ticket, ticket);
    if (waits.indexOf(entry.promise) < 0) waits.push(entry.promise);
  });
  if (!waits.length) return Promise.resolve();
  var timeout = new Promise(function (done) { setTimeout(done, LOAD_TIMEOUT_MS); });
  return Promise.race([Promise.all(waits), timeout]);
}

/* Cancel the pieces of one kind ("k" key shards, "p" text pieces) on their way that only queries
   older than `ticket` wanted, except those in `keep` (the ones this query needs) */
function dropOlder(ticket, kind, keep) {
  Object.keys(inflight).forEach(function (name) {
    var entry = inflight[name];
    if (entry.abort && entry.ticket < ticket && name.charAt(0) === kind && keep.indexOf(name) < 0) {
      entry.dropped = true;
      delete inflight[name];
      entry.abort();
    }
  });
}

/* Page -> [title flag, count] for the postings of one key */
function decode(values) {
  var map = new Map(), page = -1;
  if (!values) return map;
  for (var i = 0; i < values.length; i++) {
    var v = values[i];
    page += Math.floor(v / 16);
    map.set(page, [(v & 8) ? 1 : 0, v & 7]);
  }
  return map;
}

function shardKeys(name) {
  if (!keyLists[name]) keyLists[name] = Object.keys(pieces[name] || {}).sort();
  return keyLists[name];
}

/* Hits of one token: a Latin word matches the keys it begins (exactly when shorter than 3), a
   CJK token the pages holding all its pairs */
function tokenHits(token) {
  if (token.latin) {
    var name = "k" + shardOf(token.text, true), shard = pieces[name] || {}, merged = new Map();
    var keys = token.text.length < 3 ? (token.text in shard ? [token.text] : []) :
      shardKeys(name).filter(function (k) { return k.lastIndexOf(token.text, 0) === 0; });
    keys.forEach(function (key) {
      decode(shard[key]).forEach(function (w, page) {
        var old = merged.get(page);
        merged.set(page, old ? [old[0] | w[0], Math.min(MAX_COUNT, old[1] + w[1])] : w);
      });
    });
    return merged;
  }
  return intersect(pairs(token.text).map(function (key) {
    var shard = pieces["k" + shardOf(key, false)] || {};
    return decode(shard[key]);
  }));
}

/* Pages in every map: title flag if in every title, the smallest count */
function intersect(maps) {
  if (!maps.length) return new Map();
  maps.sort(function (a, b) { return a.size - b.size; });
  var out = new Map();
  maps[0].forEach(function (w, page) {
    var title = w[0], n = w[1];
    for (var m = 1; m < maps.length; m++) {
      var other = maps[m].get(page);
      if (!other) return;
      title &= other[0]; n = Math.min(n, other[1]);
    }
    out.set(page, [title, n]);
  });
  return out;
}

function shardsOf(terms) {
  var names = [];
  terms.forEach(function (term) {
    term.alts.forEach(function (alt) {
      tokens(alt).forEach(function (token) {
        (token.latin ? [token.text] : pairs(token.text)).forEach(function (key) {
          names.push("k" + shardOf(key, token.latin));
        });
      });
    });
  });
  return names;
}

/* Page -> [title flag, count] for a term: any of its alternatives, all tokens of one */
function termHits(term) {
  var out = new Map();
  term.alts.forEach(function (alt) {
    var list = tokens(alt);
    if (!list.length) return;
    intersect(list.map(tokenHits)).forEach(function (w, page) {
      var old = out.get(page);
      out.set(page, old ? [old[0] | w[0], Math.max(old[1], w[1])] : w);
    });
  });
  return out;
}

function isAlnum(code) { return (code >= 97 && code <= 122) || (code >= 48 && code <= 57); }

/* Occurrences of a mark term in hay (lower case); a term starting with a letter or digit must start a word */
function count(hay, term) {
  var n = 0, p = hay.indexOf(term.text);
  while (p >= 0) {
    if (!term.wordy || p === 0 || !isAlnum(hay.charCodeAt(p - 1)))
      if (++n >= MAX_COUNT) break;
    p = hay.indexOf(term.text, p + 1);
  }
  return n;
}

function escapeHTML(value) {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/* value[start:end] escaped, with every match of the mark terms marked */
function mark(value, lower, marks, start, end) {
  if (lower.length !== value.length) return escapeHTML(value.slice(start, end));  // exotic case folding
  var ranges = [];
  for (var t = 0; t < marks.length; t++) {
    var term = marks[t], p = lower.indexOf(term.text, start);
    while (p >= 0 && p < end) {
      if (!term.wordy || p === 0 || !isAlnum(lower.charCodeAt(p - 1)))
        ranges.push([p, Math.min(end, p + term.text.length)]);
      p = lower.indexOf(term.text, p + 1);
    }
  }
  ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
  var merged = [];  // overlapping matches (a word and its synonym 来料检 / 来料检验) as one mark
  for (var r = 0; r < ranges.length; r++) {
    var last = merged[merged.length - 1];
    if (last && ranges[r][0] <= last[1]) last[1] = Math.max(last[1], ranges[r][1]);
    else merged.push(ranges[r].slice());
  }
  var out = "", at = start;
  for (var k = 0; k < merged.length; k++) {
    out += escapeHTML(value.slice(at, merged[k][0])) + "<mark>" + escapeHTML(value.slice(merged[k][0], merged[k][1])) + "</mark>";
    at = merged[k][1];
  }
  return out + escapeHTML(value.slice(at, end));
}

/* A window of the text around its first match, marked */
function snippet(text, lower, marks) {
  var first = -1;
  if (!text) return "";
  for (var t = 0; t < marks.length; t++) {
    var p = lower.indexOf(marks[t].text);
    if (p >= 0 && (first < 0 || p < first)) first = p;
  }
  var start = first > 60 ? first - 40 : 0, end = Math.min(text.length, start + SNIPPET);
  if (start > 0) {  // start at a word or character boundary
    var space = text.lastIndexOf(" ", start);
    if (space > start - 20 && space >= 0) start = space + 1;
  }
  return "<p>" + (start > 0 ? "… " : "") + mark(text, lower, marks, start, end) + (end < text.length ? " …" : "") + "</p>";
}

function found(terms, matched) {
  var out = {};
  for (var t = 0; t < terms.length; t++) out[terms[t].text] = !!matched[t];
  return out;
}

/* Material's result items of one page: its matching sections (from its text piece) or its title */
function pageItems(p, terms, marks, matched, score, detailed) {
  var piece = detailed ? pieces["p" + p.i] : null;
  var article = { location: p.location, title: mark(p.title, p.lower, marks, 0, p.title.length), text: "",
                  score: score, terms: found(terms, matched) };
  if (!piece) return [article];
  var sections = [], head = null;
  piece.forEach(function (s, index) {
    var title = s[1] || "", text = s[2] || "", lowTitle = fold(title.toLowerCase()), lowText = fold(text.toLowerCase());
    var hit = [], points = 0;
    for (var t = 0; t < terms.length; t++) {
      var inTitle = 0, inText = 0;
      for (var m = 0; m < marks.length; m++) if (marks[m].term === t) {
        inTitle += count(lowTitle, marks[m]); inText += count(lowText, marks[m]);
      }
      if (inTitle || inText) { hit[t] = true; points += (inTitle ? TITLE_WEIGHT : 0) + Math.min(inText, MAX_COUNT); }
    }
    var entry = { location: p.location + s[0], title: index ? mark(title, lowTitle, marks, 0, title.length) : article.title,
                  text: snippet(text, lowText, marks), score: index ? score * points / 100 : score,
                  terms: found(terms, index ? hit : matched) };
    if (s[3]) entry.tags = s[3].map(function (tag) { return escapeHTML(String(tag)); });
    if (!index) head = entry;
    else if (points) sections.push(entry);
  });
  sections.sort(function (x, y) { return y.score - x.score; });
  return [head || article].concat(sections);
}

/* The result of a query; null when a newer query came in while its pieces loaded */
function search(query, ticket) {
  var all = parse(query), terms = [], banned = [];
  for (var a = 0; a < all.length; a++) (all[a].presence < 0 ? banned : terms).push(all[a]);
  if (!terms.length || !info) return Promise.resolve({ items: [] });
  var shards = shardsOf(all);
  dropOlder(ticket, "k", shards);  // the text pieces of the last query may be this one's too: kept until it ranks
  return load(shards, ticket).then(function () { return ticket === latest ? rank(query, all, terms, banned, ticket) : null; });
}

function rank(query, all, terms, banned, ticket) {
  var n = pages.length, hits = terms.map(termHits), excluded = new Set();
  banned.forEach(function (term) { termHits(term).forEach(function (w, page) { excluded.add(page); }); });
  var whole = all.map(function (x) { return x.text; }).join(" ");
  var exact = idPages[whole], exactTitle = titlePages[whole];
  var scored = new Map();
  hits.forEach(function (map, t) {
    var idf = Math.log(1 + n / (1 + map.size));
    map.forEach(function (w, page) {
      var s = scored.get(page);
      if (!s) scored.set(page, s = { page: page, score: 0, matched: [], covered: 0 });
      var norm = K1 * (1 - B + B * pages[page].length / avgLength);
      s.score += idf * ((w[0] ? TITLE_WEIGHT : 0) + w[1] * (K1 + 1) / (w[1] + norm));
      if (!s.matched[t]) { s.matched[t] = true; s.covered++; }
    });
  });
  [exact, exactTitle].forEach(function (page) {
    if (page !== undefined && !scored.has(page)) scored.set(page, { page: page, score: 0, matched: [], covered: terms.length });
  });
  var groups = new Map();
  scored.forEach(function (s) {
    if (excluded.has(s.page)) return;
    for (var k = 0; k < terms.length; k++) if (terms[k].presence > 0 && !s.matched[k]) return;
    s.score *= pages[s.page].boost;
    s.rank = (s.page === exact ? 1e9 : s.page === exactTitle ? 1e8 : 0) + s.score;
    var group = pages[s.page].group, g = groups.get(group);
    if (!g || s.covered > g.covered || (s.covered === g.covered && s.rank > g.rank)) groups.set(group, s);
  });
  // The page in the searcher's language when the SOP has one: a query in Chinese characters opens
  // the SOP's Chinese page; any other query (English words, pinyin) the best page that matched it
  // in a non-CJK language, else the best that matched (pinyin finds the Chinese title).
  var cjkQuery = HAS_CJK.test(query), ranked = [];
  var fits = function (i) { var lang = pages[i].lang; return !lang || CJK_LANG.test(lang) === cjkQuery; };
  groups.forEach(function (s, group) {
    var shown = s.page;
    if (s.page !== exact && !fits(shown)) {
      var list = members[group] || [], matched = list.filter(function (i) { return scored.has(i) && fits(i); });
      var other = matched.length ? matched : cjkQuery ? list.filter(fits) : [];
      if (other.length) shown = other[0];
    }
    ranked.push({ page: shown, score: s.score, rank: s.rank, covered: s.covered, matched: s.matched });
  });
  ranked.sort(function (x, y) { return (y.covered - x.covered) || (y.rank - x.rank) || (x.page - y.page); });
  var marks = [];
  terms.forEach(function (term, t) {
    term.alts.forEach(function (alt) { marks.push({ text: alt, wordy: /^[a-z0-9]/.test(alt), term: t }); });
  });
  var best = ranked.slice(0, DETAILED_PAGES).map(function (r) { return "p" + r.page; });
  function result() {
    var items = ranked.map(function (r, index) {
      var list = pageItems(pages[r.page], terms, marks, r.matched, r.rank, index < DETAILED_PAGES);
      if (r.page === exact) list[0].score = Math.max(list[0].score, 1e9);
      return list;
    });
    var out = { items: items };
    if (withSuggest) out.suggest = [];
    return out;
  }
  // The text pieces of the best pages give their sections and snippets. When they are not in after
  // DETAIL_WAIT_MS (a slow share, a busy server), the results go out first with their titles (and
  // whatever text is in), and again with the sections once the pieces are in.
  dropOlder(ticket, "p", best);
  var detailed = load(best, ticket).then(function () { return true; });
  var wait = new Promise(function (done) { setTimeout(function () { done(false); }, DETAIL_WAIT_MS); });
  return Promise.race([detailed, wait]).then(function (complete) {
    if (ticket !== latest) return null;
    if (complete) return result();
    postMessage({ type: RESULT, data: result() });
    return detailed.then(function () { return ticket === latest ? result() : null; });
  });
}

addEventListener("message", function (event) {
  var message = event.data;
  switch (message.type) {
    case SETUP:
      setup(message.data);
      postMessage({ type: READY });
      return;
    case QUERY:
      var ticket = ++latest, query = String(message.data || "");
      setTimeout(function () {  // keystrokes that come in a burst: only the last one is searched
        if (ticket !== latest) return;
        search(query, ticket).catch(function (err) {
          console.warn("search failed", err);
          return { items: [] };
        }).then(function (data) {
          if (data && ticket === latest) postMessage({ type: RESULT, data: data });  // else a newer query answers
        });
      }, QUIET_MS);
      return;
    default:
      throw new TypeError("Invalid message type");
  }
});
