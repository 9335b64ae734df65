// The actor network view: cytoscape (served from /static/vendor) draws the graph the
// server computed; clicking a node or a link opens its quotes in the side panel.
/* global cytoscape */
import { spelledBidiControls, withBidiMarks } from "./bidi_marks.js";

const data = JSON.parse(document.getElementById("network-data").textContent);
const projectId = data.project_id;
const storeKey = `kundstig.network.${projectId}.positions`;

const KIND_LABELS = {
  actor: "Actor", goal: "Goal", sub_goal: "Sub-goal", touchpoint: "Touchpoint", channel: "Channel",
  phase: "Phase", participant: "Customer",
};
const OWNERSHIP_LABELS = {
  company: "The company's own", partner: "Partner", third_party: "Third party",
  customer_sphere: "Customer's own sphere",
};
const RELATION_LABELS = { co_occurs: "coded together", part_of: "sub-goal of", mentions: "mentions" };
const COLOURS = {
  actor: "#7a4ea3", goal: "#1f6f78", sub_goal: "#4c9aa2", touchpoint: "#2e6b34", channel: "#5a7f2b",
  phase: "#b07a00", participant: "#8a857a", company: "#c2410c",
};
const SHAPES = {
  actor: "ellipse", goal: "round-rectangle", sub_goal: "round-rectangle", touchpoint: "hexagon",
  channel: "tag", phase: "rectangle", participant: "ellipse",
};

function loadStored() {
  try {
    return JSON.parse(localStorage.getItem(storeKey) || "{}");
  } catch {
    return {};
  }
}
function saveStored(positions) {
  try {
    localStorage.setItem(storeKey, JSON.stringify(positions));
  } catch {
    /* storage full or disabled: the seeded layout still holds */
  }
}

const stored = loadStored();
const maxSegments = Math.max(1, ...data.nodes.map((n) => n.segments));
const maxEdge = Math.max(1, ...data.edges.map((e) => e.segments));

function initialPosition(node) {
  if (stored[node.id]) return stored[node.id];
  const p = data.positions[node.id];
  return p ? { x: p[0], y: p[1] } : undefined;
}

const elements = [
  ...data.nodes.map((n) => ({
    group: "nodes",
    data: {
      id: n.id, label: spelledBidiControls(n.label), kind: n.kind, segments: n.segments, participants: n.participants,
      size: 18 + 42 * Math.sqrt(n.segments / maxSegments),
      colour: n.is_company ? COLOURS.company : COLOURS[n.kind] || "#777",
      shape: n.is_company ? "diamond" : SHAPES[n.kind] || "ellipse",
    },
    classes: [`k-${n.kind}`, n.is_company ? "company" : ""].join(" "),
    position: initialPosition(n),
  })),
  ...data.edges.map((e) => ({
    group: "edges",
    data: { id: e.id, source: e.source, target: e.target, relation: e.relation, segments: e.segments,
            width: 1 + 6 * (e.segments / maxEdge) },
    classes: `r-${e.relation}`,
  })),
];
// A seeded random source, so the force layout's refinement is the same on every visit.
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The page fills the screen below the header, whatever its height.
const layoutBox = document.querySelector(".nw-layout");
function fitHeight() {
  const top = layoutBox.getBoundingClientRect().top + window.scrollY;
  layoutBox.style.height = `${Math.max(480, window.innerHeight - top - 12)}px`;
}
fitHeight();
window.addEventListener("resize", fitHeight);

const nodeInfo = new Map(data.nodes.map((n) => [n.id, n]));
const edgeInfo = new Map(data.edges.map((e) => [e.id, e]));
const hasPositions = data.nodes.every((n) => stored[n.id]);

const cy = cytoscape({
  container: document.getElementById("cy"),
  elements,
  minZoom: 0.15,
  maxZoom: 4,
  layout: { name: "preset", fit: true, padding: 30 },
  style: [
    { selector: "node", style: {
      label: "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis",
      "text-max-width": 130, color: "#1d2327", "text-outline-color": "#fbfaf7", "text-outline-width": 2,
      width: "data(size)", height: "data(size)", "background-color": "data(colour)", shape: "data(shape)",
      "border-width": 1.5, "border-color": "#ffffff",
    } },
    { selector: "node.k-goal, node.k-sub_goal", style: { width: "mapData(size, 18, 60, 30, 80)" } },
    { selector: "node.k-phase", style: { width: "mapData(size, 18, 60, 24, 56)", height: "mapData(size, 18, 60, 16, 36)" } },
    { selector: "node.k-participant", style: { "font-size": 9, color: "#4a555c" } },
    { selector: "node.company", style: {
      "border-width": 3, "border-color": "#5a2300", "font-weight": "bold", color: "#7c2d12",
    } },
    { selector: "edge", style: {
      width: "data(width)", "line-color": "#b9b3a7", opacity: 0.75, "curve-style": "haystack",
    } },
    { selector: "edge.r-part_of", style: { "line-style": "dashed", "line-color": "#4c9aa2", "curve-style": "straight" } },
    { selector: "edge.r-mentions", style: { "line-color": "#d8d3c9", opacity: 0.6 } },
    { selector: ".faded", style: { opacity: 0.12, "text-opacity": 0.2 } },
    { selector: "node.match", style: { "border-width": 4, "border-color": "#e0a526" } },
    { selector: "node:selected", style: { "border-width": 5, "border-color": "#e0a526", "z-index": 10 } },
    { selector: "edge:selected", style: { "line-color": "#e0a526", opacity: 1, "z-index": 10 } },
  ],
});
window.kundstigNetwork = cy; // for the browser tests and the console

function rememberPositions() {
  const positions = loadStored();
  cy.nodes().forEach((n) => {
    const p = n.position();
    positions[n.id()] = { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
  });
  saveStored(positions);
}
// Nodes without a stored place start at the server's seeded positions and are refined
// by cytoscape's force layout, with nodes placed on earlier visits held still.
function refine(done) {
  const held = cy.nodes().filter((n) => stored[n.id()]);
  held.lock();
  const random = Math.random;
  Math.random = seededRandom(projectId * 7919 + data.nodes.length);
  const layout = cy.layout({
    name: "cose", randomize: false, animate: false, fit: false, nodeRepulsion: () => 9000,
    idealEdgeLength: () => 70, nodeOverlap: 12, componentSpacing: 80, gravity: 0.6, numIter: 1500,
    nodeDimensionsIncludeLabels: true,
  });
  layout.one("layoutstop", () => {
    Math.random = random;
    held.unlock();
    done();
  });
  try {
    layout.run();
  } catch (error) {
    Math.random = random;
    held.unlock();
    throw error;
  }
}

cy.ready(() => {
  const finish = () => {
    rememberPositions();
    cy.fit(undefined, 30);
  };
  if (hasPositions) cy.fit(undefined, 30);
  else refine(finish);
  for (const id of ["dl-png", "dl-svg"]) document.getElementById(id).disabled = false;
});
cy.on("dragfree", "node", rememberPositions);

document.getElementById("nw-relayout").addEventListener("click", () => {
  saveStored({});
  for (const key of Object.keys(stored)) delete stored[key];
  cy.nodes().forEach((n) => {
    const p = data.positions[n.id()];
    if (p) n.position({ x: p[0], y: p[1] });
  });
  refine(() => {
    rememberPositions();
    cy.fit(undefined, 30);
  });
});

// --- Layers: hide and show without a reload (Apply recomputes the metrics) -----------
for (const box of document.querySelectorAll(".nw-layers input[type=checkbox]")) {
  box.addEventListener("change", () => {
    const nodes = cy.nodes(`.k-${box.value}`);
    if (box.checked) nodes.style("display", "element");
    else nodes.style("display", "none");
  });
}

// --- Search ---------------------------------------------------------------------------
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const search = document.getElementById("nw-search");
function matches() {
  const query = fold(search.value.trim());
  if (!query) return cy.collection();
  return cy.nodes().filter((n) => n.visible() && fold(n.data("label")).includes(query));
}
search.addEventListener("input", () => {
  cy.elements().removeClass("faded match");
  const found = matches();
  if (!search.value.trim()) return;
  cy.elements().addClass("faded");
  found.removeClass("faded").addClass("match");
});
search.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  const first = matches()[0];
  if (first) selectNode(first.id());
});

// --- The side panel -------------------------------------------------------------------
const panel = {
  detail: document.getElementById("nw-detail"),
  body: document.getElementById("nw-detail-body"),
  figures: document.getElementById("nw-figures"),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.append(withBidiMarks(value));
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function showDetail(...children) {
  panel.body.replaceChildren(...children.filter(Boolean));
  panel.figures.hidden = true;
  panel.detail.hidden = false;
  panel.body.querySelector("h2")?.focus();
}
document.getElementById("nw-back").addEventListener("click", () => {
  panel.detail.hidden = true;
  panel.figures.hidden = false;
  cy.elements().unselect().removeClass("faded");
});

function facts(rows) {
  const list = el("dl", { class: "nw-facts" });
  for (const [term, value] of rows) list.append(el("dt", { text: term }), el("dd", { text: String(value) }));
  return list;
}

async function quoteList(ids, heading, known = 0) {
  const section = el("section", { class: "nw-quotes" });
  const total = Math.max(ids.length, known);
  section.append(el("h3", { text: `${heading} (${total})` }));
  if (!total) {
    section.append(el("p", { class: "muted", text: "No codings." }));
    return section;
  }
  const shown = ids.slice(0, 60);
  const status = el("p", { class: "muted", text: "Loading quotes…" });
  section.append(status);
  try {
    const response = await fetch(`/api/v1/projects/${projectId}/quotes?ids=${shown.join(",")}`, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`${response.status}`);
    const quotes = await response.json();
    const list = el("ul", { class: "quotes" });
    for (const q of quotes) {
      const who = [q.participant, q.source].filter(Boolean).join(" · ");
      list.append(el("li", {},
        el("blockquote", { text: q.text }),
        el("p", { class: "quote-meta" },
          el("span", { class: "kind-tag", text: q.code }), " ",
          el("a", { href: q.href, class: "quote-source", text: who || "Open the document" }))));
    }
    status.replaceWith(list);
    if (total > shown.length) section.append(el("p", { class: "muted", text: `The first ${shown.length} of ${total} are shown.` }));
  } catch (error) {
    status.textContent = `The quotes could not be loaded (${error.message}); reload the page.`;
  }
  return section;
}

function neighbourList(node) {
  const rows = node.connectedEdges().filter((e) => e.visible()).map((e) => {
    const other = e.source().id() === node.id() ? e.target() : e.source();
    return { other, edge: e, weight: e.data("segments") };
  }).sort((a, b) => b.weight - a.weight || a.other.data("label").localeCompare(b.other.data("label")));
  if (!rows.length) return null;
  const list = el("ul", { class: "nw-neighbours" });
  for (const row of rows.slice(0, 12)) {
    const button = el("button", { type: "button", class: "link-like", text: row.other.data("label") });
    button.addEventListener("click", () => selectEdge(row.edge.id()));
    list.append(el("li", {}, button, ` ${RELATION_LABELS[row.edge.data("relation")] || ""} · ${row.weight}`));
  }
  return el("section", {}, el("h3", { text: "Linked to" }), list);
}

function focusOn(collection) {
  cy.elements().addClass("faded");
  collection.removeClass("faded");
  const limit = cy.maxZoom();
  cy.maxZoom(Math.max(cy.zoom(), 1.3));
  cy.fit(collection, 60);
  cy.maxZoom(limit);
}

async function selectNode(id) {
  const node = cy.getElementById(id);
  const info = nodeInfo.get(id);
  if (!node.length || !info) return;
  cy.elements().unselect();
  node.select();
  focusOn(node.closedNeighborhood());
  const m = info.metrics;
  const badge = info.is_company ? el("span", { class: "badge-company", text: `◆ ${data.company || "Company"}'s own` }) : null;
  const title = el("h2", { tabindex: "-1", text: info.label });
  const kind = [KIND_LABELS[info.kind] || info.kind, OWNERSHIP_LABELS[info.ownership] || info.persona || ""]
    .filter(Boolean).join(" · ");
  showDetail(title, el("p", { class: "muted", text: kind }), badge,
    facts([["Segments", info.segments], ["Participants", info.participants], ["Degree", m.degree],
           ["Weighted degree", m.weighted_degree], ["Betweenness", m.betweenness.toFixed(3)],
           ["PageRank", m.pagerank.toFixed(3)], ["Community", m.community + 1]]),
    neighbourList(node));
  panel.body.append(await quoteList(info.evidence, "Quotes"));
}

async function selectEdge(id) {
  const edge = cy.getElementById(id);
  const info = edgeInfo.get(id);
  if (!edge.length || !info) return;
  cy.elements().unselect();
  edge.select();
  focusOn(edge.union(edge.connectedNodes()));
  const a = nodeInfo.get(info.source);
  const b = nodeInfo.get(info.target);
  showDetail(el("h2", { tabindex: "-1", text: `${a.label} — ${b.label}` }),
    el("p", { class: "muted", text: RELATION_LABELS[info.relation] || info.relation }),
    facts([["Segments", info.segments], ["Participants", info.participants]]));
  panel.body.append(await quoteList(info.evidence, "Quotes"));
}

cy.on("tap", "node", (event) => selectNode(event.target.id()));
cy.on("tap", "edge", (event) => selectEdge(event.target.id()));

for (const button of document.querySelectorAll("[data-node]")) {
  button.addEventListener("click", () => selectNode(button.dataset.node));
}
for (const link of document.querySelectorAll("a.quotes-link")) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const ids = (link.dataset.ids || "").split(",").filter(Boolean).map(Number);
    showDetail(el("h2", { tabindex: "-1", text: link.dataset.title || "Quotes" }));
    panel.body.append(await quoteList(ids, "Quotes", Number(link.dataset.total || 0)));
  });
}

// --- Downloads ------------------------------------------------------------------------
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

document.getElementById("dl-png").addEventListener("click", () => {
  const blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
  download(blob, `project-${projectId}-network.png`);
});

const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => ({
  "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;",
})[c]);

function shapeSvg(shape, x, y, w, h, fill, stroke, strokeWidth) {
  const paint = `fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"`;
  const pts = (list) => list.map(([px, py]) => `${(x + px * w / 2).toFixed(1)},${(y + py * h / 2).toFixed(1)}`).join(" ");
  switch (shape) {
    case "diamond": return `<polygon points="${pts([[0, -1], [1, 0], [0, 1], [-1, 0]])}" ${paint}/>`;
    case "hexagon": return `<polygon points="${pts([[-0.5, -1], [0.5, -1], [1, 0], [0.5, 1], [-0.5, 1], [-1, 0]])}" ${paint}/>`;
    case "tag": return `<polygon points="${pts([[-1, -1], [0.5, -1], [1, 0], [0.5, 1], [-1, 1]])}" ${paint}/>`;
    case "rectangle": return `<rect x="${(x - w / 2).toFixed(1)}" y="${(y - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" ${paint}/>`;
    case "round-rectangle": return `<rect x="${(x - w / 2).toFixed(1)}" y="${(y - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" rx="${(Math.min(w, h) / 4).toFixed(1)}" ${paint}/>`;
    default: return `<ellipse cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" rx="${(w / 2).toFixed(1)}" ry="${(h / 2).toFixed(1)}" ${paint}/>`;
  }
}

// A small SVG writer of what is on screen: visible nodes at their positions, links,
// labels and the legend's meaning of the company's diamond.
function networkSvg() {
  const visible = cy.elements(":visible");
  const box = visible.boundingBox({ includeLabels: true });
  const pad = 20;
  const width = Math.ceil(box.w + 2 * pad);
  const height = Math.ceil(box.h + 2 * pad + 24);
  const dx = pad - box.x1;
  const dy = pad - box.y1;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  visible.edges().forEach((e) => {
    const s = e.source().position();
    const t = e.target().position();
    const dash = e.data("relation") === "part_of" ? ' stroke-dasharray="6 4"' : "";
    const colour = e.data("relation") === "part_of" ? "#4c9aa2" : e.data("relation") === "mentions" ? "#d8d3c9" : "#b9b3a7";
    parts.push(`<line x1="${(s.x + dx).toFixed(1)}" y1="${(s.y + dy).toFixed(1)}" x2="${(t.x + dx).toFixed(1)}" y2="${(t.y + dy).toFixed(1)}" stroke="${colour}" stroke-opacity="0.8" stroke-width="${e.data("width").toFixed(1)}"${dash}/>`);
  });
  visible.nodes().forEach((n) => {
    const p = n.position();
    const w = n.width();
    const h = n.height();
    const company = n.hasClass("company");
    parts.push(shapeSvg(n.data("shape"), p.x + dx, p.y + dy, w, h, n.data("colour"),
      company ? "#5a2300" : "#ffffff", company ? 3 : 1.5));
    parts.push(`<text x="${(p.x + dx).toFixed(1)}" y="${(p.y + dy + h / 2 + 12).toFixed(1)}" font-size="11" text-anchor="middle" fill="${company ? "#7c2d12" : "#1d2327"}"${company ? ' font-weight="bold"' : ""}>${escapeXml(n.data("label"))}</text>`);
  });
  parts.push(`<text x="${pad}" y="${height - 8}" font-size="12" fill="#4a555c">◆ ${escapeXml(data.company || "The company")}'s own (diamond) · size: segments · line width: shared segments</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}

document.getElementById("dl-svg").addEventListener("click", () => {
  download(new Blob([networkSvg()], { type: "image/svg+xml" }), `project-${projectId}-network.svg`);
});
