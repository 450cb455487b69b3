(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var chart = document.getElementById("chart-scroll");
  var body = document.getElementById("details-body");
  var hint = document.getElementById("details-hint");
  var heading = document.getElementById("details-heading");
  var changed = {};
  data.changed.forEach(function (id) { changed[id] = true; });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function list(title, items, render) {
    if (!items || !items.length) { return null; }
    var box = el("div");
    box.appendChild(el("h4", title));
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(render(item)); });
    box.appendChild(ul);
    return box;
  }

  function describe(entry, into) {
    if (entry.when) { into.appendChild(el("p", "When: " + entry.when)); }
    entry.quotes.forEach(function (quote) { into.appendChild(el("blockquote", quote)); });
    [list("Citations", entry.citations, function (c) { return el("li", c); }),
     list("Notes", entry.notes, function (n) { return el("li", n); }),
     list("Choices made in encoding", entry.choices, function (n) { return el("li", n, "choice"); })
    ].forEach(function (part) { if (part) { into.appendChild(part); } });
  }

  function show(kind, id) {
    var entry = (kind === "node" ? data.nodes : data.edges)[id];
    if (!entry) { return; }
    body.textContent = "";
    hint.textContent = (kind === "node" ? "Node " : "Arrow ") + id + (entry.line ? " (line " + entry.line + ")" : "");
    heading.textContent = entry.title;
    if (changed[id]) { body.appendChild(el("p", "Changed since the previous version.", "changed-note")); }
    describe(entry, body);
    entry.parts.forEach(function (part) {
      var box = el("div", null, "part");
      box.appendChild(el("h4", part.title));
      describe(part, box);
      body.appendChild(box);
    });
    var proofs = list("Safety proofs", entry.proofs, function (p) { return el("li", p); });
    if (proofs) { body.appendChild(proofs); }
    var patients = list("Test patients passing here (" + entry.patients.length + ")", entry.patients, function (n) {
      var p = data.patients[n];
      var li = el("li");
      li.appendChild(el("code", p.test));
      li.appendChild(document.createTextNode(" — " + p.status + (p.protects ? ": " + p.protects : "")));
      return li;
    });
    if (patients) { body.appendChild(patients); } else { body.appendChild(el("p", "No generated test patient passes here.")); }
    Array.prototype.forEach.call(chart.querySelectorAll(".selected"), function (g) { g.classList.remove("selected"); });
    var target = document.getElementById(kind + ":" + id);
    if (target) { target.classList.add("selected"); }
  }

  Array.prototype.forEach.call(chart.querySelectorAll("g.node, g.edge"), function (g) {
    var kind = g.classList.contains("node") ? "node" : "edge";
    var id = (g.id || "").replace(/^(node|edge):/, "");
    var known = kind === "node" ? data.nodes[id] : data.edges[id];
    if (!known) { return; }
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    // The button's name is its SVG title (no aria-label, so the name cannot leave out the text
    // the chart shows): the chart's own text, then what the element is.
    var visible = Array.prototype.map.call(g.querySelectorAll("text"), function (t) {
      return t.textContent.trim(); }).filter(Boolean).join(" ");
    var word = kind === "node" ? "node" : "arrow";
    var title = g.querySelector("title") || g.insertBefore(document.createElementNS(
      "http://www.w3.org/2000/svg", "title"), g.firstChild);
    title.textContent = (visible ? visible + ", " + word : word + " " + known.title) +
      (changed[id] ? ", changed" : "");
    if (kind === "node" && changed[id]) { g.classList.add("changed"); }
    g.addEventListener("click", function () { show(kind, id); });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(kind, id); }
    });
  });

  // The chart is wider than its box and its first node need not be at the left: show it.
  var first = chart.querySelector("g[id='edge:start']") || chart.querySelector("g.node");
  if (first) {
    var box = chart.getBoundingClientRect(), at = first.getBoundingClientRect();
    chart.scrollLeft += at.left + at.width / 2 - box.left - chart.clientWidth / 2;
    chart.scrollTop += at.top - box.top - 70;
  }

  var state = document.getElementById("trace-state");
  var search = document.getElementById("trace-search");
  var count = document.getElementById("trace-count");
  function filter() {
    var wanted = state.value;
    var words = search.value.toLowerCase();
    var shown = 0;
    var rows = document.querySelectorAll("#trace-table tbody tr");
    Array.prototype.forEach.call(rows, function (row) {
      var visible = (wanted === "all" || row.getAttribute("data-state") === wanted) &&
        (!words || row.textContent.toLowerCase().indexOf(words) >= 0);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " sentences shown";
  }
  state.addEventListener("change", filter);
  search.addEventListener("input", filter);
  filter();
}());
