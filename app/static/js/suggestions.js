// The review queue: keyboard-driven decisions on the NLP helper's suggestions.
// j/k move, a accepts, r rejects, c changes the code, e adjusts the span,
// Shift+A prepares "accept all of this code from this score up".
import { withBidiMarks } from "./bidi_marks.js";

const queue = document.getElementById("queue");
const api = queue.dataset.api;
const canDecide = queue.dataset.canDecide === "true";
const sourceId = queue.dataset.source ? Number(queue.dataset.source) : null;
const token = document.querySelector('meta[name="csrf-token"]').content;
const statusBox = document.getElementById("sugg-status");
let current = null;
let statusTimer = null;

function say(message, isError = false) {
  statusBox.replaceChildren(withBidiMarks(message));
  statusBox.classList.toggle("error", isError);
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { statusBox.textContent = ""; }, isError ? 8000 : 3000);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body || {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || `Error ${response.status}`);
  return data;
}

const items = () => Array.from(queue.querySelectorAll(".sugg:not(.decided)"));

function focusItem(item) {
  if (!item) return;
  current = item;
  item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
}

function move(step) {
  const list = items();
  if (!list.length) return;
  const index = list.indexOf(current);
  focusItem(list[Math.min(list.length - 1, Math.max(0, index < 0 ? 0 : index + step))]);
}

function label(item) {
  return item.querySelector(".sugg-code").textContent.trim();
}

function markDecided(item) {
  const list = items();
  const index = list.indexOf(item);
  item.classList.add("decided");
  item.classList.remove("busy");
  const group = item.closest(".sugg-group");
  const left = group.querySelectorAll(".sugg:not(.decided)").length;
  group.querySelector(".group-count").textContent = String(left);
  if (!left) group.hidden = true;
  const pending = document.getElementById("pending-count");
  pending.textContent = String(Math.max(0, Number(pending.textContent) - 1));
  if (current === item) {
    const rest = items();
    if (rest.length) focusItem(rest[Math.min(index, rest.length - 1)]);
    else { current = null; document.getElementById("queue-done").hidden = false; }
  }
}

async function decide(item, action, body) {
  if (!canDecide || !item || item.classList.contains("busy")) return;
  item.classList.add("busy");
  try {
    await post(`${api}/${item.dataset.id}/${action}`, body);
    say(action === "accept" ? `Accepted: ${label(item)}` : `Rejected: ${label(item)}`);
    markDecided(item);
  } catch (error) {
    item.classList.remove("busy");
    say(error.message, true);
  }
}

// ---- accept all of one code
const acceptAll = document.getElementById("accept-all");
if (acceptAll) {
  acceptAll.addEventListener("submit", async (event) => {
    event.preventDefault();
    const target = document.getElementById("accept-all-target").value;
    const minScore = Number(document.getElementById("accept-all-score").value || 0);
    const body = { min_score: minScore };
    if (target.startsWith("code:")) body.code_id = Number(target.slice(5));
    else {
      const [, kind, ...name] = target.split(":");
      body.proposed_kind = kind;
      body.proposed_name = name.join(":");
    }
    if (sourceId !== null) body.source_id = sourceId;
    try {
      const result = await post(`${api}/accept-all`, body);
      const accepted = new Set(result.suggestion_ids);
      for (const item of items()) if (accepted.has(Number(item.dataset.id))) markDecided(item);
      say(`Accepted ${result.accepted} suggestion${result.accepted === 1 ? "" : "s"}.`);
      if (current) focusItem(current); else move(0);
    } catch (error) {
      say(error.message, true);
    }
  });
}

function prepareAcceptAll(item) {
  if (!acceptAll || !item) return;
  document.getElementById("accept-all-target").value = item.dataset.target;
  document.getElementById("accept-all-score").value = Number(item.dataset.score).toFixed(2);
  document.getElementById("accept-all-button").focus();
  say("Press Enter to accept all of this code from this score up, or Esc to go back.");
}
if (acceptAll) {
  acceptAll.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); focusItem(current || items()[0]); }
  });
}

// ---- change the code
const picker = document.getElementById("picker");
const pickerInput = document.getElementById("picker-input");
const options = picker ? Array.from(picker.querySelectorAll("[role=option]")) : [];
let pickerItem = null;

function visibleOptions() { return options.filter((o) => !o.hidden); }
function choose(option) {
  for (const o of options) o.setAttribute("aria-selected", o === option ? "true" : "false");
  if (option) { option.scrollIntoView({ block: "nearest" }); pickerInput.setAttribute("aria-activedescendant", option.id); }
}
function filterOptions() {
  const words = pickerInput.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const o of options) o.hidden = !words.every((w) => o.dataset.search.includes(w));
  choose(visibleOptions()[0] || null);
}
function openPicker(item) {
  if (!picker || !item) return;
  pickerItem = item;
  pickerInput.value = "";
  filterOptions();
  picker.showModal();
  pickerInput.focus();
}
if (picker) {
  pickerInput.addEventListener("input", filterOptions);
  pickerInput.addEventListener("keydown", (event) => {
    const list = visibleOptions();
    const index = list.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1);
      choose(list[next] || null);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (index >= 0) pick(list[index]);
    }
  });
  picker.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) pick(option);
  });
  picker.addEventListener("close", () => focusItem(pickerItem));
}
function pick(option) {
  const item = pickerItem;
  picker.close();
  decide(item, "accept", { code_id: Number(option.dataset.code) });
}

// ---- adjust the span
const spanEditor = document.getElementById("span-editor");
const spanStart = document.getElementById("span-start");
const spanEnd = document.getElementById("span-end");
let spanItem = null;

// Offsets count code points, as the server does; a JavaScript string counts UTF-16 units,
// so an emoji would shift every position after it by one.
function codePoints(text) { return Array.from(text); }

function renderPreview() {
  const context = codePoints(spanItem.dataset.context);
  const offset = Number(spanItem.dataset.contextStart);
  const start = Math.max(0, Number(spanStart.value) - offset);
  const end = Math.min(context.length, Number(spanEnd.value) - offset);
  const piece = (from, to) => withBidiMarks(context.slice(from, to).join(""));
  const preview = document.getElementById("span-preview");
  preview.replaceChildren(piece(0, start));
  const mark = document.createElement("mark");
  mark.append(piece(start, Math.max(start, end)));
  preview.append(mark, piece(Math.max(start, end)));
}
function openSpan(item) {
  if (!spanEditor || !item) return;
  spanItem = item;
  const low = Number(item.dataset.contextStart);
  const high = low + codePoints(item.dataset.context).length;
  for (const input of [spanStart, spanEnd]) { input.min = String(low); input.max = String(high); }
  spanStart.value = item.dataset.start;
  spanEnd.value = item.dataset.end;
  renderPreview();
  spanEditor.showModal();
  spanStart.focus();
}
if (spanEditor) {
  for (const input of [spanStart, spanEnd]) {
    input.addEventListener("input", renderPreview);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const start = Number(spanStart.value);
        const end = Number(spanEnd.value);
        if (!(start < end)) { say("The span must end after it starts.", true); return; }
        const item = spanItem;
        spanEditor.close();
        decide(item, "accept", { start, end });
      }
    });
  }
  spanEditor.addEventListener("close", () => focusItem(spanItem));
}

// ---- keys and clicks
queue.addEventListener("click", (event) => {
  const item = event.target.closest(".sugg");
  if (!item) return;
  current = item;
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const action = button.dataset.action;
  if (action === "accept" || action === "reject") decide(item, action);
  else if (action === "change") openPicker(item);
  else if (action === "span") openSpan(item);
});
queue.addEventListener("focusin", (event) => {
  const item = event.target.closest(".sugg");
  if (item) current = item;
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, select, textarea, dialog, form")) return;
  const key = event.key;
  if (key === "j") { event.preventDefault(); move(1); return; }
  if (key === "k") { event.preventDefault(); move(-1); return; }
  if (!canDecide || !current || current.classList.contains("decided")) return;
  if (key === "a") { event.preventDefault(); decide(current, "accept"); }
  else if (key === "r") { event.preventDefault(); decide(current, "reject"); }
  else if (key === "c") { event.preventDefault(); openPicker(current); }
  else if (key === "e") { event.preventDefault(); openSpan(current); }
  else if (key === "A") { event.preventDefault(); prepareAcceptAll(current); }
});

const first = items()[0];
if (first) focusItem(first);
