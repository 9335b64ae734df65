// Hidden bidirectional controls in user text (U+202E and kin reorder the rest of their paragraph):
// shown as the same visible marks the server puts on its pages (app/bidi_marks.py), for text that
// scripts put on the page. The stored text is never changed.

const CONTROLS = {
  "\u061c": ["ALM", "arabic letter mark"], "\u200e": ["LRM", "left-to-right mark"],
  "\u200f": ["RLM", "right-to-left mark"], "\u202a": ["LRE", "left-to-right embedding"],
  "\u202b": ["RLE", "right-to-left embedding"], "\u202c": ["PDF", "pop directional formatting"],
  "\u202d": ["LRO", "left-to-right override"], "\u202e": ["RLO", "right-to-left override"],
  "\u2066": ["LRI", "left-to-right isolate"], "\u2067": ["RLI", "right-to-left isolate"],
  "\u2068": ["FSI", "first strong isolate"], "\u2069": ["PDI", "pop directional isolate"],
};
const CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function mark(control) {
  const [name, long] = CONTROLS[control];
  const span = document.createElement("span");
  span.className = "bidi-mark";
  span.dataset.bidi = name;
  span.title = `Hidden direction control U+${control.codePointAt(0).toString(16).toUpperCase()} (${long}) `
    + "in the text; shown here so that it cannot reorder the text around it";
  span.textContent = control;
  return span;
}

/** `text` as nodes to append instead of setting textContent: each bidi control in a visible mark. */
export function withBidiMarks(value) {
  const text = String(value);
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(CONTROL)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    fragment.append(mark(match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

/** `text` for places that hold plain text only (canvas labels): each bidi control spelled "⟨RLO⟩". */
export function spelledBidiControls(text) {
  return String(text).replace(CONTROL, (control) => `\u27e8${CONTROLS[control][0]}\u27e9`);
}
