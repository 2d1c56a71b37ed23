/* SOP search engine for Material for MkDocs (sop_plugin/search.py explains the design).
 *
 * A Web Worker speaking Material's search worker protocol: SETUP {config, docs, options} ->
 * READY; QUERY "text" -> RESULT {items: [[item, ...] per page]}. Instead of building a lunr
 * index in the browser on every page load (half a minute for 3,000 SOPs), it scans the entries
 * for each query term with indexOf: nothing to build, so the first results come as soon as the
 * index is loaded, and Chinese needs no word segmentation. Under the iframe-worker shim (file://)
 * the same code runs in a hidden iframe.
 *
 * Ranking: pages matching more of the query terms first; then BM25 over the text plus a bonus for
 * a title match (an SOP's title starts with its id), front-matter search.boost.
 * A query that is exactly an SOP id (any case, with or without its prefix: SOP-QC-012, sop-qc-012,
 * QC-012) puts that SOP first, and one that is exactly a page title (a role name) that page.
 * Query syntax: words, "quoted phrases", +required, -excluded; full-width characters fold to ASCII.
 * Index text is raw (not HTML); everything sent back is escaped here.
 */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var TITLE_WEIGHT = 4, K1 = 1.2, B = 0.75, SNIPPET = 240, DETAILED_PAGES = 100, MAX_COUNT = 8;

var docs = [], titles = [], texts = [], pageOf = [], articleOf = {}, idPages = {}, titlePages = {};
var withSuggest = false, avgLength = 1;

function setup(data) {
  docs = data.docs || [];
  withSuggest = !!(data.options && data.options.suggest);
  titles = new Array(docs.length);
  texts = new Array(docs.length);
  pageOf = new Array(docs.length);
  articleOf = Object.create(null);
  idPages = Object.create(null);
  titlePages = Object.create(null);
  var shortIds = [], total = 0;
  for (var i = 0; i < docs.length; i++) {
    var doc = docs[i], location = doc.location || "", hash = location.indexOf("#");
    var page = hash < 0 ? location : location.slice(0, hash);
    titles[i] = fold((doc.title || "").toLowerCase());
    texts[i] = fold((doc.text || "").toLowerCase());
    total += texts[i].length;
    pageOf[i] = page;
    if (hash < 0 && !(page in articleOf)) {
      articleOf[page] = i;
      var plain = doc.sop ? titles[i].slice(String(doc.sop).length).trim() : titles[i];
      if (plain && !(plain in titlePages)) titlePages[plain] = page;
    }
    if (doc.sop) {
      var id = String(doc.sop).toLowerCase(), cut = id.indexOf("-");
      idPages[id] = page;
      if (cut > 0) shortIds.push([id.slice(cut + 1), page]);
    }
  }
  avgLength = Math.max(1, total / Math.max(1, docs.length));
  for (var s = 0; s < shortIds.length; s++)  // a full id wins over another SOP's id without prefix
    if (!(shortIds[s][0] in idPages)) idPages[shortIds[s][0]] = shortIds[s][1];
}

/* Full-width letters, digits and punctuation as ASCII (one character each: positions stay) */
function fold(value) {
  return value.replace(/[\uff01-\uff5e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
    .replace(/\u3000/g, " ");
}

var SPLIT = /[\s,;:!?()\[\]{}<>'。、《》“”‘’·…]+/;

/* 'a b +c -d "e f"' -> [{text, presence, wordy}]: lower case, folded, split at spaces and punctuation
   (not at "-", "." or "/": SOP-QC-012, 3.1, GB/T 2828.1 stay whole); lunr's foo* foo~1 foo^2 tolerated */
function parse(query) {
  var value = fold(query).toLowerCase(), terms = [], seen = Object.create(null);
  var re = /([+-]?)"([^"]*)"?|([^"]+)/g, m;
  function add(text, presence) {
    text = text.replace(/^\*+/, "").replace(/(\*|[~^]\d*)+$/, "");
    if (!text || seen[presence + text]) return;
    seen[presence + text] = true;
    terms.push({ text: text, presence: presence === "+" ? 1 : presence === "-" ? -1 : 0,
                 wordy: /^[a-z0-9]/.test(text) });
  }
  while ((m = re.exec(value))) {
    if (m[2] !== undefined) { add(m[2].trim(), m[1]); continue; }
    m[3].split(SPLIT).forEach(function (part) {
      var sign = /^[+-]/.test(part) && part.length > 1 ? part.charAt(0) : "";
      add(sign ? part.slice(1) : part, sign);
    });
  }
  return terms;
}

function isAlnum(code) { return (code >= 97 && code <= 122) || (code >= 48 && code <= 57); }

/* Occurrences of term in hay (lower case); a term starting with a letter or digit must start a word */
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

/* value[start:end] escaped, with every match of terms marked */
function mark(value, lower, terms, start, end) {
  if (lower.length !== value.length) return escapeHTML(value.slice(start, end));  // exotic case folding
  var ranges = [];
  for (var t = 0; t < terms.length; t++) {
    var term = terms[t], p = lower.indexOf(term.text, start);
    while (p >= 0 && p < end) {
      if (!term.wordy || p === 0 || !isAlnum(lower.charCodeAt(p - 1)))
        ranges.push([p, Math.min(end, p + term.text.length)]);
      p = lower.indexOf(term.text, p + 1);
    }
  }
  ranges.sort(function (a, b) { return a[0] - b[0]; });
  var out = "", at = start;
  for (var r = 0; r < ranges.length; r++) {
    var from = Math.max(ranges[r][0], at), to = ranges[r][1];
    if (to <= at) continue;
    out += escapeHTML(value.slice(at, from)) + "<mark>" + escapeHTML(value.slice(from, to)) + "</mark>";
    at = to;
  }
  return out + escapeHTML(value.slice(at, end));
}

/* A window of the text around its first match, marked */
function snippet(i, terms) {
  var text = docs[i].text || "", lower = texts[i], first = -1;
  if (!text) return "";
  for (var t = 0; t < terms.length; t++) {
    var p = lower.indexOf(terms[t].text);
    if (p >= 0 && (first < 0 || p < first)) first = p;
  }
  var start = first > 60 ? first - 40 : 0, end = Math.min(text.length, start + SNIPPET);
  if (start > 0) {  // start at a word or character boundary
    var space = text.lastIndexOf(" ", start);
    if (space > start - 20 && space >= 0) start = space + 1;
  }
  return "<p>" + (start > 0 ? "… " : "") + mark(text, lower, terms, start, end) + (end < text.length ? " …" : "") + "</p>";
}

function item(i, terms, matched, score, detailed) {
  var doc = docs[i], found = {};
  for (var t = 0; t < terms.length; t++) found[terms[t].text] = !!matched[t];
  var result = {
    location: doc.location,
    title: mark(doc.title || "", titles[i], terms, 0, (doc.title || "").length),
    text: detailed ? snippet(i, terms) : "",
    score: score,
    terms: found
  };
  if (doc.tags) result.tags = doc.tags.map(function (tag) { return escapeHTML(String(tag)); });
  return result;
}

function search(query) {
  var all = parse(query), terms = [], banned = [];
  for (var a = 0; a < all.length; a++) (all[a].presence < 0 ? banned : terms).push(all[a]);
  if (!terms.length) return { items: [] };
  var n = docs.length, hits = [];  // per term: {i: [inTitle, inText]}
  var idf = [];
  for (var t = 0; t < terms.length; t++) {
    var found = new Map();
    for (var i = 0; i < n; i++) {
      var inTitle = count(titles[i], terms[t]), inText = count(texts[i], terms[t]);
      if (inTitle || inText) found.set(i, [inTitle, inText]);
    }
    hits.push(found);
    idf.push(Math.log(1 + n / (1 + found.size)));
  }
  var excludedPages = Object.create(null);
  for (var b = 0; b < banned.length; b++)
    for (var j = 0; j < n; j++)
      if (count(titles[j], banned[b]) || count(texts[j], banned[b])) excludedPages[pageOf[j]] = true;

  // score the sections, then the pages
  var sections = new Map();
  for (t = 0; t < terms.length; t++)
    hits[t].forEach(function (counts, i) {
      var s = sections.get(i);
      if (!s) sections.set(i, s = { i: i, score: 0, matched: [] });
      // BM25 on the text (a long register section does not outrank the SOP), a flat bonus in the title
      var norm = K1 * (1 - B + B * texts[i].length / avgLength);
      var text = counts[1] * (K1 + 1) / (counts[1] + norm);
      s.score += idf[t] * ((counts[0] ? TITLE_WEIGHT : 0) + text);
      s.matched[t] = true;
    });
  var whole = all.map(function (x) { return x.text; }).join(" ");
  var pages = new Map(), exact = idPages[whole], exactTitle = titlePages[whole];
  sections.forEach(function (s) {
    var page = pageOf[s.i];
    if (excludedPages[page]) return;
    s.score *= docs[s.i].boost || 1;
    var p = pages.get(page);
    if (!p) pages.set(page, p = { page: page, sections: [], matched: [], score: 0, best: 0 });
    p.sections.push(s);
    for (var k = 0; k < terms.length; k++) if (s.matched[k]) p.matched[k] = true;
    p.best = Math.max(p.best, s.score);
    p.score += s.score;
  });
  var ranked = [];
  pages.forEach(function (p) {
    var covered = 0;
    for (var k = 0; k < terms.length; k++) {
      if (p.matched[k]) covered++;
      else if (terms[k].presence > 0) return;  // a +required term is missing
    }
    p.covered = covered;
    p.rank = (p.page === exact ? 1e9 : p.page === exactTitle ? 1e8 : 0) + p.best + 0.1 * (p.score - p.best);
    ranked.push(p);
  });
  ranked.sort(function (x, y) { return (y.covered - x.covered) || (y.rank - x.rank); });

  var items = ranked.map(function (p, index) {
    var detailed = index < DETAILED_PAGES;
    p.sections.sort(function (x, y) { return y.score - x.score; });
    var list = (detailed ? p.sections : p.sections.slice(0, 1)).map(function (s) {
      return item(s.i, terms, s.matched, s.score, detailed);
    });
    var article = articleOf[p.page];
    if (article !== undefined && !p.sections.some(function (s) { return s.i === article; }))
      list.push(item(article, terms, [], 0, false));
    else if (article !== undefined && !detailed && p.sections[0].i !== article)
      list.push(item(article, terms, [], 0, false));
    if (p.page === exact) list[0].score = Math.max(list[0].score, 1e9);
    return list;
  });
  var result = { items: items };
  if (withSuggest) result.suggest = [];
  return result;
}

function handle(message) {
  switch (message.type) {
    case SETUP:
      setup(message.data);
      return { type: READY };
    case QUERY:
      try {
        return { type: RESULT, data: search(String(message.data || "")) };
      } catch (err) {
        console.warn("search failed", err);
        return { type: RESULT, data: { items: [] } };
      }
    default:
      throw new TypeError("Invalid message type");
  }
}

addEventListener("message", function (event) {
  postMessage(handle(event.data));
});
