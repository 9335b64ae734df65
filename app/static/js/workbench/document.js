// The coding view: select text (mouse or Shift+arrows), pick a code, see and change codings.
import { withBidiMarks } from "../bidi_marks.js";
import { call, newKey } from "./api.js";
import { offsetToPoint, rangeToSpan } from "./offsets.js";
import { Picker } from "./picker.js";

const doc = document.getElementById("doc");
const wrap = doc.parentElement;
const stripes = document.getElementById("stripes");
const details = document.getElementById("details");
const status = document.getElementById("status");
const canCode = doc.dataset.canCode === "true";
const blind = doc.dataset.blind === "true";
const sourceId = Number(doc.dataset.source);
const userId = Number(doc.dataset.user);
const recentKey = `kundstig.recent.${doc.dataset.project}`;

let codes = [];
let codesById = new Map();
let codings = new Map();
let pending = null; // the span waiting for a code: {start, end, text}
let rebound = null; // the coding whose boundaries are being changed
let focusedCode = null;

function say(message, isError = false) {
  status.replaceChildren(withBidiMarks(message));
  status.classList.toggle("error", isError);
  status.hidden = !message;
  clearTimeout(say.timer);
  if (message) say.timer = setTimeout(() => { status.hidden = true; }, isError ? 9000 : 4000);
}

function recent() {
  try { return JSON.parse(localStorage.getItem(recentKey) || "[]"); } catch { return []; }
}

function remember(codeId) {
  const ids = [codeId, ...recent().filter((id) => id !== codeId)].slice(0, 8);
  localStorage.setItem(recentKey, JSON.stringify(ids));
}

async function loadCodes() {
  codes = await call("GET", doc.dataset.codesApi);
  codesById = new Map(codes.map((c) => [c.id, c]));
}

async function loadCodings() {
  const params = new URLSearchParams({ source_id: sourceId });
  if (blind) params.set("coder_id", userId);
  const list = await call("GET", `${doc.dataset.api}?${params}`);
  codings = new Map(list.map((c) => [c.id, c]));
  const total = document.getElementById("coding-count");
  if (total) total.textContent = `${list.length} coding${list.length === 1 ? "" : "s"}${blind ? " of yours" : ""}`;
  const counts = new Map();
  for (const c of list) counts.set(c.code_id, (counts.get(c.code_id) || 0) + 1);
  for (const button of document.querySelectorAll(".code-button")) {
    let count = button.querySelector(".count");
    const n = counts.get(Number(button.dataset.code)) || 0;
    if (!count && n) { count = document.createElement("span"); count.className = "count"; button.append(count); }
    if (count) count.textContent = n ? String(n) : "";
  }
}

/** Re-renders the text from the server (one source of truth for the span sweep). */
async function refresh() {
  const response = await fetch(doc.dataset.textUrl, { credentials: "same-origin" });
  if (!response.ok) { say("The text could not be reloaded; reload the page.", true); return; }
  const focusedStart = document.activeElement?.closest?.(".block")?.dataset.start;
  doc.innerHTML = await response.text();
  await loadCodings();
  applyFocus();
  drawStripes();
  if (focusedStart) doc.querySelector(`.block[data-start="${focusedStart}"]`)?.focus({ preventScroll: true });
}

// --- margin stripes ---------------------------------------------------------------------------------------

function drawStripes() {
  const ends = new Map();
  for (const piece of doc.querySelectorAll("[data-c]")) {
    for (const id of piece.dataset.c.split(" ")) {
      const entry = ends.get(id);
      if (entry) entry[1] = piece; else ends.set(id, [piece, piece]);
    }
  }
  const origin = wrap.getBoundingClientRect().top;
  const bars = [];
  for (const [id, [first, last]] of ends) {
    const coding = codings.get(Number(id));
    if (!coding) continue;
    const top = first.getClientRects()[0]?.top;
    const lastRects = last.getClientRects();
    const bottom = lastRects[lastRects.length - 1]?.bottom;
    if (top === undefined || bottom === undefined) continue;
    bars.push({ coding, top: top - origin, bottom: bottom - origin });
  }
  bars.sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  const lanes = [];
  const fragment = document.createDocumentFragment();
  for (const bar of bars) {
    let lane = lanes.findIndex((bottom) => bottom < bar.top - 2);
    if (lane === -1) { lane = lanes.length; lanes.push(0); }
    lanes[lane] = bar.bottom;
    const code = codesById.get(bar.coding.code_id);
    const stripe = document.createElement("div");
    stripe.className = `stripe code-${bar.coding.code_id}`;
    stripe.title = code ? code.path : "";
    stripe.dataset.coding = bar.coding.id;
    stripe.style.setProperty("top", `${bar.top}px`);
    stripe.style.setProperty("height", `${Math.max(4, bar.bottom - bar.top)}px`);
    stripe.style.setProperty("right", `${lane * 7}px`);
    fragment.append(stripe);
  }
  stripes.replaceChildren(fragment);
}

// --- selection ----------------------------------------------------------------------------------------------

function currentSpan() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!doc.contains(range.startContainer) && !doc.contains(range.endContainer)) return null;
  return rangeToSpan(doc, range);
}

function anchorRect() {
  const selection = window.getSelection();
  if (selection.rangeCount && !selection.isCollapsed) {
    const rects = selection.getRangeAt(0).getClientRects();
    if (rects.length) return rects[rects.length - 1];
  }
  return (document.activeElement?.closest?.(".block") || doc).getBoundingClientRect();
}

function placeNear(element, rect) {
  element.hidden = false;
  const width = element.offsetWidth;
  const left = Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - width - 12);
  element.style.setProperty("left", `${Math.max(8, left)}px`);
  element.style.setProperty("top", `${window.scrollY + rect.bottom + 6}px`);
}

const picker = new Picker(document.getElementById("picker"), {
  items: () => codes,
  recent,
  onPick: (choice) => applyChoice(choice),
  onClose: () => {
    pending = null;
    if (document.activeElement === document.body || !document.activeElement) lastBlock?.focus({ preventScroll: true });
  },
});

let lastBlock = null;

function openPicker(span) {
  if (!canCode || !span) return;
  pending = span;
  hideDetails();
  picker.open(anchorRect(), span.text, placeNear);
}

async function applyChoice(choice) {
  const span = pending;
  pending = null;
  if (!span) return;
  try {
    let codeId = choice.codeId;
    if (choice.newName) {
      const code = await call("POST", doc.dataset.codesApi, { name: choice.newName, kind: "theme" }, { retries: 0 });
      await loadCodes();
      codeId = code.id;
      say(`New code “${code.name}” created.`);
    }
    const coding = await call("POST", doc.dataset.api, {
      source_id: sourceId, code_id: codeId, start: span.start, end: span.end, client_key: newKey(),
    });
    remember(codeId);
    window.getSelection().removeAllRanges();
    await refresh();
    say(`Coded with “${codesById.get(coding.code_id)?.name ?? "code"}”. Press u to undo.`);
  } catch (error) {
    say(error.message, true);
  }
}

async function changeBoundaries(span) {
  const coding = rebound;
  rebound = null;
  doc.classList.remove("rebounding");
  try {
    await call("PATCH", `${doc.dataset.api}/${coding.id}`, { version: coding.version, start: span.start, end: span.end }, { retries: 0 });
    window.getSelection().removeAllRanges();
    await refresh();
    say("Boundaries changed.");
  } catch (error) {
    say(error.message, true);
    if (error.status === 409) await refresh();
  }
}

function spanChosen(span) {
  if (rebound) changeBoundaries(span); else openPicker(span);
}

doc.addEventListener("mouseup", (event) => {
  if (event.button !== 0) return;
  setTimeout(() => {
    const span = currentSpan();
    if (span && canCode) { spanChosen(span); return; }
    const piece = event.target.closest?.("[data-c]");
    if (piece && !span) showDetails(piece);
  }, 0);
});

// --- keyboard -----------------------------------------------------------------------------------------------

function blocks() { return Array.from(doc.querySelectorAll(".block")); }

function moveFocus(step) {
  const all = blocks();
  const current = document.activeElement?.closest?.(".block");
  let index = current ? all.indexOf(current) + step : 0;
  index = Math.max(0, Math.min(all.length - 1, index));
  all[index]?.focus();
  all[index]?.scrollIntoView({ block: "nearest" });
  lastBlock = all[index];
}

const EXTEND = {
  ArrowRight: ["forward", "character"], ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"], ArrowUp: ["backward", "line"],
};

function extendSelection(event) {
  const selection = window.getSelection();
  const inside = selection.rangeCount && doc.contains(selection.anchorNode);
  if (!inside) {
    const block = document.activeElement?.closest?.(".block") || blocks()[0];
    if (!block) return;
    const point = offsetToPoint(doc, Number(block.dataset.start));
    if (!point) return;
    selection.collapse(point.node, point.offset);
  }
  const [direction, unit] = EXTEND[event.key];
  selection.modify("extend", direction, event.ctrlKey || event.altKey ? "word" : unit);
}

doc.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, button")) return;
  if (event.shiftKey && EXTEND[event.key]) {
    event.preventDefault();
    extendSelection(event);
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "j" || event.key === "k") {
    event.preventDefault();
    moveFocus(event.key === "j" ? 1 : -1);
  } else if (event.key === "Enter") {
    const span = currentSpan();
    if (span) { event.preventDefault(); spanChosen(span); return; }
    const piece = window.getSelection().anchorNode?.parentElement?.closest?.("[data-c]")
      || document.activeElement?.closest?.(".block")?.querySelector("[data-c]");
    if (piece) { event.preventDefault(); showDetails(piece); }
  } else if (event.key === "c" && canCode) {
    const block = document.activeElement?.closest?.(".block");
    if (!block) return;
    event.preventDefault();
    lastBlock = block;
    const head = block.querySelector(".block-head")?.textContent.trim();
    openPicker({ start: Number(block.dataset.start), end: Number(block.dataset.end), text: "", label: head });
  } else if (event.key === "Escape" && rebound) {
    rebound = null;
    doc.classList.remove("rebounding");
    say("Boundaries left as they were.");
  }
});

doc.addEventListener("focusin", (event) => { lastBlock = event.target.closest(".block") || lastBlock; });

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !details.hidden) { hideDetails(); lastBlock?.focus({ preventScroll: true }); return; }
  if (event.key !== "u" || !canCode || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest?.("input, textarea, select") || !picker.element.hidden) return;
  event.preventDefault();
  undo();
});

async function undo() {
  try {
    const result = await call("POST", doc.dataset.undoApi, {}, { retries: 0 });
    await refresh();
    say(result.source_id && result.source_id !== sourceId ? `${result.message} (in another source)` : result.message);
  } catch (error) {
    say(error.message, true);
  }
}

document.getElementById("undo")?.addEventListener("click", undo);

// --- details of coded text ---------------------------------------------------------------------------------

function hideDetails() { details.hidden = true; details.replaceChildren(); }

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.append(withBidiMarks(text));
  return node;
}

function showDetails(piece) {
  const ids = piece.dataset.c.split(" ").map(Number);
  details.replaceChildren();
  const close = element("button", "close small", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", hideDetails);
  details.append(close, element("h2", "", ids.length === 1 ? "Coding here" : `${ids.length} codings here`));
  const list = element("ul", "coding-list");
  for (const id of ids.slice().reverse()) {
    const coding = codings.get(id);
    if (!coding) continue;
    const code = codesById.get(coding.code_id);
    const item = element("li", "coding-item");
    const name = element("p", "coding-code");
    name.append(element("span", `swatch code-${coding.code_id}`), element("strong", "", code ? code.path : "?"));
    const meta = element("p", "muted small-text",
      `${coding.coder || "unknown coder"} · ${coding.origin} · ${coding.created_at.slice(0, 10)} · ${coding.start}–${coding.end}`);
    item.append(name, meta);
    if (coding.memo) item.append(element("p", "coding-memo", coding.memo));
    if (canCode) item.append(actions(coding));
    list.append(item);
  }
  details.append(list);
  placeNear(details, piece.getBoundingClientRect());
  details.querySelector("button.action")?.focus();
}

function actions(coding) {
  const row = element("div", "coding-actions");
  const remove = element("button", "action small danger", "Remove");
  remove.type = "button";
  remove.addEventListener("click", async () => {
    try {
      await call("DELETE", `${doc.dataset.api}/${coding.id}?version=${coding.version}`, undefined, { retries: 0 });
      hideDetails();
      await refresh();
      say("Coding removed. Press u to undo.");
    } catch (error) { say(error.message, true); }
  });
  const bounds = element("button", "action small", "Change boundaries");
  bounds.type = "button";
  bounds.addEventListener("click", () => {
    rebound = coding;
    hideDetails();
    doc.classList.add("rebounding");
    const point = offsetToPoint(doc, coding.start);
    if (point) {
      const range = document.createRange();
      range.setStart(point.node, point.offset);
      const end = offsetToPoint(doc, coding.end);
      if (end) range.setEnd(end.node, end.offset);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    doc.querySelector(`.block[data-start="${coding.start}"]`)?.focus({ preventScroll: true });
    say("Select the new extent with the mouse, or adjust it with Shift+arrows and press Enter. Esc cancels.");
  });
  const memo = element("button", "action small", coding.memo ? "Add to memo" : "Memo");
  memo.type = "button";
  memo.addEventListener("click", () => {
    const form = element("form", "memo-form");
    const area = element("textarea");
    area.rows = 3;
    area.setAttribute("aria-label", "Memo on this coding");
    const save = element("button", "small primary", "Save memo");
    save.type = "submit";
    form.append(area, save);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await call("POST", doc.dataset.memosApi, { target_type: "coding", target_id: coding.id, text: area.value }, { retries: 0 });
        hideDetails();
        await loadCodings();
        say("Memo saved.");
      } catch (error) { say(error.message, true); }
    });
    row.replaceWith(form);
    area.focus();
  });
  row.append(remove, bounds, memo);
  return row;
}

document.addEventListener("mousedown", (event) => {
  if (!details.hidden && !details.contains(event.target)) hideDetails();
});

// --- side panel -----------------------------------------------------------------------------------------------

function applyFocus() {
  doc.classList.toggle("focusing", focusedCode !== null);
  for (const piece of doc.querySelectorAll("[data-c]")) {
    const hit = focusedCode !== null && piece.dataset.c.split(" ").some((id) => codings.get(Number(id))?.code_id === focusedCode);
    piece.classList.toggle("focus", hit);
  }
  for (const button of document.querySelectorAll(".code-button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.code) === focusedCode));
  }
}

document.getElementById("code-list").addEventListener("click", (event) => {
  const button = event.target.closest(".code-button");
  if (!button) return;
  const codeId = Number(button.dataset.code);
  if (pending && canCode) {
    const span = pending;
    picker.close();
    pending = span;
    applyChoice({ codeId });
    return;
  }
  focusedCode = focusedCode === codeId ? null : codeId;
  applyFocus();
});

// Keep the selection when a side-panel button is pressed with the mouse.
document.getElementById("code-list").addEventListener("mousedown", (event) => {
  if (event.target.closest(".code-button")) event.preventDefault();
});

let resizeTimer;
window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawStripes, 150); });

async function start() {
  try {
    await Promise.all([loadCodes(), loadCodings()]);
    drawStripes();
    doc.classList.add("ready");
  } catch (error) {
    say(error.message, true);
  }
}

start();
