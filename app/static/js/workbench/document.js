// The coding view: select text (mouse or Shift+arrows), pick a code, see and change codings.
// Keyboard: the text is one tab stop (the turn last visited); j/k move between turns, Shift+arrows
// select, Enter codes the selection (or shows the turn's codings), c codes the whole turn, u undoes.
// After every action focus returns to the turn it concerned, so the next key works at once.
import { withBidiMarks } from "../bidi_marks.js";
import { call, newKey } from "./api.js";
import { offsetToPoint, quoteOf, rangeToSpan, spanToRange, textLength } from "./offsets.js";
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
let returnTo = null; // the span the open picker is for, so focus can go back to its turn
let rebound = null; // the coding whose boundaries are being changed
let focusedCode = null;
let lastBlock = null; // the turn that is the text's tab stop

function say(message, isError = false, seconds = isError ? 9 : 4) {
  status.replaceChildren(withBidiMarks(message));
  status.classList.toggle("error", isError);
  status.hidden = !message;
  clearTimeout(say.timer);
  if (message) say.timer = setTimeout(() => { status.hidden = true; }, seconds * 1000);
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

/** Re-renders the text from the server (one source of truth for the span sweep); the turn that had
 *  focus keeps it, and the text's tab stop stays on the turn last visited. */
async function refresh(...spans) {
  const url = new URL(doc.dataset.textUrl, location.href);
  if (spans.length) {  // only the turns these spans touch: a long document is not redrawn whole
    url.searchParams.set("from", String(Math.min(...spans.map((s) => s.start))));
    url.searchParams.set("to", String(Math.max(...spans.map((s) => s.end))));
  }
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) { say("The text could not be reloaded; reload the page.", true); return; }
  const active = document.activeElement;
  const focusedStart = doc.contains(active) ? active.closest(".block")?.dataset.start : undefined;
  const tabStart = lastBlock?.dataset.start;
  const html = await response.text();
  if (!spans.length) doc.innerHTML = html;
  else if (!swapBlocks(html)) { await refresh(); return; }
  lastBlock = null;
  await loadCodings();
  applyFocus();
  drawStripes();
  drawMarkLayer();
  const block = (start) => (start === undefined ? null : doc.querySelector(`.block[data-start="${start}"]`));
  if (focusedStart !== undefined && document.activeElement === document.body) focusBlock(block(focusedStart));
  else setTabStop(block(tabStart));
}

/** Puts the freshly drawn turns of `html` in place of the same turns on the page; false when
 * one of them is not on the page (the page is then redrawn whole). */
function swapBlocks(html) {
  const fresh = document.createElement("template");
  fresh.innerHTML = html;
  const sections = [...fresh.content.querySelectorAll(".block")];
  const current = sections.map((s) => doc.querySelector(`.block[data-start="${s.dataset.start}"]`));
  if (!sections.length || current.some((c) => !c)) return false;
  sections.forEach((section, i) => { section.tabIndex = -1; current[i].replaceWith(section); });
  return true;
}

// --- turns and focus ------------------------------------------------------------------------------------------

function blocks() { return doc.querySelectorAll(".block"); }

/** The turn holding code point `offset` (or the nearest one before it, for text between turns). */
function blockAt(offset) {
  const all = blocks();
  let lo = 0;
  let hi = all.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Number(all[mid].dataset.start) <= offset) lo = mid; else hi = mid - 1;
  }
  return all[lo] || null;
}

/** One tab stop for the whole text: the turn last visited (a roving tabindex). */
function setTabStop(block) {
  if (!block) return;
  if (lastBlock && lastBlock !== block && doc.contains(lastBlock)) lastBlock.tabIndex = -1;
  for (const other of doc.querySelectorAll(".block[tabindex='0']")) if (other !== block) other.tabIndex = -1;
  block.tabIndex = 0;
  lastBlock = block;
}

function focusBlock(block, { scroll = false } = {}) {
  if (!block) return;
  setTabStop(block);
  block.focus({ preventScroll: true });
  if (scroll) block.scrollIntoView({ block: "nearest" });
}

/** Focus back on the turn holding `offset`, with the caret (no selection) at `caret` when given, so
 *  Shift+arrows go on from there. */
function returnFocus(offset, caret) {
  const block = blockAt(offset);
  focusBlock(block);
  const selection = window.getSelection();
  selection.removeAllRanges();
  if (caret === undefined || !block) return;
  const point = offsetToPoint(doc, caret, true);
  if (point && block.contains(point.node)) selection.collapse(point.node, point.offset);
}

// --- temporary marks: the passage being coded, the old extent being changed, a passage jumped to ---------

// The CSS Custom Highlight API paints ranges without touching the DOM; where it is missing, boxes are
// drawn over the line rectangles of the range in a layer that takes no clicks.
const HIGHLIGHTS = typeof Highlight === "function" && globalThis.CSS?.highlights ? CSS.highlights : null;
const marks = new Map();
let markLayer = null;

function mark(name, range) {
  if (range) marks.set(name, range); else marks.delete(name);
  if (HIGHLIGHTS) {
    if (range) HIGHLIGHTS.set(`ks-${name}`, new Highlight(range)); else HIGHLIGHTS.delete(`ks-${name}`);
  } else {
    drawMarkLayer();
  }
}

function drawMarkLayer() {
  if (HIGHLIGHTS) return;
  if (!markLayer) {
    markLayer = document.createElement("div");
    markLayer.className = "marks";
    markLayer.setAttribute("aria-hidden", "true");
    wrap.append(markLayer);
  }
  const origin = wrap.getBoundingClientRect();
  const fragment = document.createDocumentFragment();
  for (const [name, range] of marks) {
    for (const rect of range.getClientRects()) {
      const box = document.createElement("div");
      box.className = `mark mark-${name}`;
      box.style.setProperty("left", `${rect.left - origin.left}px`);
      box.style.setProperty("top", `${rect.top - origin.top}px`);
      box.style.setProperty("width", `${rect.width}px`);
      box.style.setProperty("height", `${rect.height}px`);
      fragment.append(box);
    }
  }
  markLayer.replaceChildren(fragment);
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
    stripe.title = `${code ? code.path : ""} (click for details)`;
    stripe.dataset.coding = bar.coding.id;
    stripe.style.setProperty("top", `${bar.top}px`);
    stripe.style.setProperty("height", `${Math.max(4, bar.bottom - bar.top)}px`);
    stripe.style.setProperty("right", `${lane * 7}px`);
    fragment.append(stripe);
  }
  stripes.replaceChildren(fragment);
}

stripes.addEventListener("click", (event) => {
  const stripe = event.target.closest(".stripe");
  if (!stripe) return;
  showDetails([Number(stripe.dataset.coding)], [new DOMRect(event.clientX, event.clientY, 0, 0)]);
});

// --- selection ----------------------------------------------------------------------------------------------

function currentSpan() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!doc.contains(range.startContainer) && !doc.contains(range.endContainer)) return null;
  return rangeToSpan(doc, range);
}

/**
 * Shows a floating box (the picker, the details) next to a passage without covering it: under the
 * passage's last line, or above its first line when there is no room below in the window.
 */
function placeAround(element, rects) {
  element.hidden = false;
  const list = Array.from(rects).filter((r) => r.width || r.height);
  if (!list.length && rects[0]) list.push(rects[0]);
  if (!list.length) return;
  // The passage's top and bottom lines (a range's rectangles need not come in reading order).
  const first = list.reduce((a, b) => (b.top < a.top ? b : a));
  const last = list.reduce((a, b) => (b.bottom > a.bottom ? b : a));
  const width = element.offsetWidth;
  const height = element.offsetHeight;
  const gap = 6;
  const roomBelow = window.innerHeight - last.bottom - gap;
  const above = first.top - gap - height;
  const top = roomBelow < height && above >= 0 ? above : last.bottom + gap;
  const left = Math.min(last.left, document.documentElement.clientWidth - width - 12);
  element.style.setProperty("left", `${window.scrollX + Math.max(8, left)}px`);
  element.style.setProperty("top", `${window.scrollY + top}px`);
  if (top + height > window.innerHeight) element.scrollIntoView({ block: "nearest" });
}

const picker = new Picker(document.getElementById("picker"), {
  items: () => codes,
  recent,
  onPick: (choice) => applyChoice(choice, pending),
  onClose: (reason) => {
    const span = returnTo;
    pending = null;
    returnTo = null;
    mark("pending", null);
    if (!span) return;
    if (reason === "escape") {
      // Back where the researcher was, with the same passage selected, to adjust it or code it again.
      returnFocus(span.start);
      const range = spanToRange(doc, span.start, span.end);
      if (range && !span.wholeTurn) window.getSelection().addRange(range);
    } else if (reason === "pick" || document.activeElement === document.body || !document.activeElement) {
      returnFocus(span.start);
    }
  },
});

function openPicker(span, label) {
  if (!canCode || !span) return;
  pending = span;
  returnTo = span;
  hideDetails();
  const range = spanToRange(doc, span.start, span.end);
  mark("pending", range);
  const rects = range ? range.getClientRects() : [blockAt(span.start).getBoundingClientRect()];
  picker.open({ quote: quoteOf(doc, span.start, span.end, 140), selectionText: span.text, label },
              (element) => placeAround(element, rects));
}

async function applyChoice(choice, span) {
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
    const stillHere = blockAt(span.start) === document.activeElement || !doc.contains(document.activeElement);
    await refresh(span);
    if (stillHere) returnFocus(span.start, span.end);
    say(`Coded with “${codesById.get(coding.code_id)?.name ?? "code"}”. Press u to undo.`);
  } catch (error) {
    say(error.message, true);
  }
}

/** After a 404 or 409 on a coding someone else removed or changed: show the codings as they are now. */
async function showCurrentCodings(error, coding, notDone) {
  if (error.status !== 404 && error.status !== 409) return false;
  hideDetails();
  await refresh();
  returnFocus(coding.start);
  say(error.status === 404
    ? "Someone else removed this coding; the page now shows the current codings."
    : `Someone else changed this coding, so ${notDone}; the page now shows the current codings.`, true);
  return true;
}

function startRebound(coding) {
  rebound = coding;
  hideDetails();
  doc.classList.add("rebounding");
  const range = spanToRange(doc, coding.start, coding.end);
  mark("extent", range); // the old extent stays visible however the selection changes
  returnFocus(coding.start);
  // A copy: the selection would otherwise move the highlighted range along with it.
  if (range) window.getSelection().addRange(range.cloneRange());
  say("Changing boundaries: Shift+arrows move the end (o switches to the start), Enter saves, Esc cancels. "
    + "Or select the new extent with the mouse.", false, 15);
}

function endRebound() {
  rebound = null;
  doc.classList.remove("rebounding");
  mark("extent", null);
}

async function changeBoundaries(span) {
  const coding = rebound;
  endRebound();
  if (span.start === coding.start && span.end === coding.end) {
    returnFocus(coding.start);
    say("Boundaries left as they were.");
    return;
  }
  try {
    await call("PATCH", `${doc.dataset.api}/${coding.id}`, { version: coding.version, start: span.start, end: span.end }, { retries: 0 });
    returnFocus(span.start);
    await refresh(coding, span);
    returnFocus(span.start, span.end);
    say("Boundaries changed. Press u to undo.");
  } catch (error) {
    if (!(await showCurrentCodings(error, coding, "your new boundaries were not saved"))) say(error.message, true);
  }
}

function cancelRebound() {
  const coding = rebound;
  endRebound();
  returnFocus(coding.start);
  say("Boundaries left as they were.");
}

function spanChosen(span) {
  if (rebound) changeBoundaries(span); else openPicker(span);
}

// A press inside a selection would drag the selected text; nothing here is meant to be dragged, so a
// press always starts a new selection (also inside the old extent while changing boundaries).
doc.addEventListener("mousedown", (event) => {
  if (event.button !== 0 || event.shiftKey) return;
  const selection = window.getSelection();
  if (selection.rangeCount && !selection.isCollapsed && doc.contains(selection.anchorNode)) selection.removeAllRanges();
});
doc.addEventListener("dragstart", (event) => event.preventDefault());

doc.addEventListener("mouseup", (event) => {
  if (event.button !== 0) return;
  setTimeout(() => {
    const span = currentSpan();
    if (span && canCode) { spanChosen(span); return; }
    const piece = event.target.closest?.("[data-c]");
    if (piece && !span && !rebound) showDetails(piece.dataset.c.split(" ").map(Number), piece.getClientRects());
  }, 0);
});

// --- keyboard -----------------------------------------------------------------------------------------------

function moveFocus(step) {
  const all = Array.from(blocks());
  const current = document.activeElement?.closest?.(".block");
  let index = current ? all.indexOf(current) + step : 0;
  index = Math.max(0, Math.min(all.length - 1, index));
  if (!rebound) window.getSelection().removeAllRanges(); // a fresh start in the new turn
  focusBlock(all[index], { scroll: true });
}

const EXTEND = {
  ArrowRight: ["forward", "character"], ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"], ArrowUp: ["backward", "line"],
};

function extendSelection(event) {
  const selection = window.getSelection();
  const block = document.activeElement?.closest?.(".block") || blocks()[0];
  // Go on with a selection being made, or from a caret in this turn; otherwise start at the turn.
  const inside = selection.rangeCount && doc.contains(selection.anchorNode)
    && (!selection.isCollapsed || block?.contains(selection.anchorNode));
  if (!inside) {
    if (!block) return;
    const point = offsetToPoint(doc, Number(block.dataset.start));
    if (!point) return;
    selection.collapse(point.node, point.offset);
  }
  const [direction, unit] = EXTEND[event.key];
  selection.modify("extend", direction, event.ctrlKey || event.altKey ? "word" : unit);
}

/** Swaps the ends of the selection, so Shift+arrows move its start instead of its end. */
function switchEnds() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed || !doc.contains(selection.anchorNode)) return false;
  selection.setBaseAndExtent(selection.focusNode, selection.focusOffset, selection.anchorNode, selection.anchorOffset);
  return true;
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
    if (rebound) return;
    const piece = window.getSelection().anchorNode?.parentElement?.closest?.("[data-c]")
      || document.activeElement?.closest?.(".block")?.querySelector("[data-c]");
    if (piece) { event.preventDefault(); showDetails(piece.dataset.c.split(" ").map(Number), piece.getClientRects()); }
  } else if (event.key === "o") {
    if (switchEnds()) event.preventDefault();
  } else if (event.key === "c" && canCode && !rebound) {
    const block = document.activeElement?.closest?.(".block");
    if (!block) return;
    event.preventDefault();
    openPicker({ start: Number(block.dataset.start), end: Number(block.dataset.end), text: "", wholeTurn: true },
               "Code for the whole turn");
  } else if (event.key === "Escape" && rebound) {
    event.preventDefault();
    cancelRebound();
  }
});

doc.addEventListener("focusin", (event) => {
  const block = event.target.closest(".block");
  if (block) setTabStop(block);
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !details.hidden) {
    const back = details.dataset.at;
    hideDetails();
    if (back !== undefined) returnFocus(Number(back)); else focusBlock(lastBlock);
    return;
  }
  if (event.key !== "u" || !canCode || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest?.("input, textarea, select") || !picker.element.hidden) return;
  event.preventDefault();
  undo();
});

/** Undoes the researcher's last coding action in this source (the server says what it was). */
async function undo() {
  if (rebound) endRebound();
  try {
    const result = await call("POST", doc.dataset.undoApi, { source_id: sourceId }, { retries: 0 });
    const before = codings.get(result.coding_id);
    await refresh();
    const coding = codings.get(result.coding_id) || before;
    if (coding) returnFocus(coding.start);
    if (coding) blockAt(coding.start)?.scrollIntoView({ block: "nearest" });
    say(result.message);
  } catch (error) {
    say(error.message, true);
  }
}

document.getElementById("undo")?.addEventListener("click", undo);

// --- details of coded text ---------------------------------------------------------------------------------

function hideDetails() {
  details.hidden = true;
  details.replaceChildren();
  delete details.dataset.at;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.append(withBidiMarks(text));
  return node;
}

/** Local date and time, e.g. 2026-11-24 09:31 (the API sends UTC with its offset). */
function when(iso) {
  const date = new Date(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

function codeName(coding) { return codesById.get(coding.code_id)?.path ?? "?"; }

/** The codings `ids` with their words, coder, date and actions, next to `rects` (without covering them). */
function showDetails(ids, rects) {
  const shown = ids.map((id) => codings.get(id)).filter(Boolean)
    .sort((a, b) => a.start - b.start || codeName(a).localeCompare(codeName(b)) || a.id - b.id);
  if (!shown.length) return;
  details.replaceChildren();
  const close = element("button", "close small", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", () => { const back = details.dataset.at; hideDetails(); returnFocus(Number(back)); });
  details.append(close, element("h2", "", shown.length === 1 ? "Coding here" : `${shown.length} codings here`));
  const list = element("ul", "coding-list");
  for (const coding of shown) {
    const item = element("li", "coding-item");
    item.dataset.coding = coding.id;
    const name = element("p", "coding-code");
    name.append(element("span", `swatch code-${coding.code_id}`), element("strong", "", codeName(coding)));
    const quote = element("blockquote", `coding-quote code-${coding.code_id}`, `“${quoteOf(doc, coding.start, coding.end, 160)}”`);
    quote.title = `Characters ${coding.start}–${coding.end} of the text`;
    const meta = element("p", "muted small-text", `${coding.coder || "unknown coder"} · ${coding.origin} · `);
    const time = element("time", "", when(coding.created_at));
    time.dateTime = coding.created_at;
    meta.append(time);
    item.append(name, quote, meta);
    if (coding.memo) item.append(element("p", "coding-memo", coding.memo));
    if (canCode) item.append(actions(coding));
    list.append(item);
  }
  details.append(list);
  details.dataset.at = String(shown[0].start);
  placeAround(details, rects);
  (details.querySelector("button.action") || close).focus({ preventScroll: true });
}

function actions(coding) {
  const row = element("div", "coding-actions");
  const quote = quoteOf(doc, coding.start, coding.end, 40);
  const remove = element("button", "action small danger", "Remove");
  remove.type = "button";
  remove.setAttribute("aria-label", `Remove the coding “${codeName(coding)}” on “${quote}”`);
  remove.addEventListener("click", async () => {
    try {
      await call("DELETE", `${doc.dataset.api}/${coding.id}?version=${coding.version}`, undefined, { retries: 0 });
      hideDetails();
      returnFocus(coding.start);
      await refresh(coding);
      say("Coding removed. Press u to undo.");
    } catch (error) {
      if (!(await showCurrentCodings(error, coding, "it was not removed"))) say(error.message, true);
    }
  });
  const bounds = element("button", "action small", "Change boundaries");
  bounds.type = "button";
  bounds.addEventListener("click", () => startRebound(coding));
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
        returnFocus(coding.start);
        await loadCodings();
        say("Memo saved.");
      } catch (error) {
        if (!(await showCurrentCodings(error, coding, "the memo was not saved"))) say(error.message, true);
      }
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

// --- jump to a passage: ?at=START-END (or #at=START-END), code points, from retrieval pages ---------------

function jumpTarget() {
  const raw = new URLSearchParams(window.location.search).get("at")
    ?? new URLSearchParams(window.location.hash.slice(1)).get("at");
  const match = /^(\d{1,10})-(\d{1,10})$/.exec(raw ?? "");
  if (!match) return null;
  const [start, end] = [Number(match[1]), Number(match[2])];
  return end > start && end <= textLength(doc) ? { start, end } : null;
}

function jump() {
  const target = jumpTarget();
  const range = target && spanToRange(doc, target.start, target.end);
  if (!range) return;
  returnFocus(target.start);
  const rect = range.getBoundingClientRect();
  window.scrollTo({ top: window.scrollY + rect.top - window.innerHeight / 3, behavior: "instant" });
  mark("jump", range);
  doc.classList.add("jumped");
  setTimeout(() => { mark("jump", null); doc.classList.remove("jumped"); }, 4000);
}

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
    applyChoice({ codeId }, span);
    picker.close("pick");
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
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { drawStripes(); drawMarkLayer(); }, 150);
});

async function start() {
  try {
    await Promise.all([loadCodes(), loadCodings()]);
    drawStripes();
    jump();
    doc.classList.add("ready");
  } catch (error) {
    say(error.message, true);
  }
}

start();
