// Offsets in Kundstig are Unicode code points; JavaScript strings count UTF-16 units.
// These helpers convert between the two (an emoji is one code point, two units).

function isHigh(unit) { return unit >= 0xd800 && unit <= 0xdbff; }
function isLow(unit) { return unit >= 0xdc00 && unit <= 0xdfff; }

/** Number of code points in `text`. */
export function codePointLength(text) {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i++;
    count++;
  }
  return count;
}

/** The UTF-16 index in `text` of code point number `points` (clamped to the end). */
export function unitIndex(text, points) {
  let i = 0;
  for (let n = 0; n < points && i < text.length; n++) {
    i += isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** The piece (a span with data-s, the code point where it starts) holding a DOM node. */
function pieceOf(node) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  return element && element.closest ? element.closest("[data-s]") : null;
}

function pieceEnd(piece) {
  return Number(piece.dataset.s) + codePointLength(piece.textContent);
}

/** Index of the first piece at or after a DOM point (pieces.length if none). */
function firstPieceFrom(pieces, node, offset) {
  const point = document.createRange();
  point.setStart(node, offset);
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (point.comparePoint(pieces[mid], 0) >= 0) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** The code point offset of a DOM boundary point inside the text `root`. */
export function pointToOffset(root, node, offset, isEnd) {
  const piece = pieceOf(node);
  if (piece && root.contains(piece)) {
    if (node.nodeType === Node.TEXT_NODE) return Number(piece.dataset.s) + codePointLength(node.data.slice(0, offset));
    return offset === 0 ? Number(piece.dataset.s) : pieceEnd(piece);
  }
  const pieces = root.querySelectorAll("[data-s]");
  if (!pieces.length) return 0;
  const index = firstPieceFrom(pieces, node, offset);
  if (isEnd) return index === 0 ? Number(pieces[0].dataset.s) : pieceEnd(pieces[index - 1]);
  return index === pieces.length ? pieceEnd(pieces[pieces.length - 1]) : Number(pieces[index].dataset.s);
}

/** {start, end} in code points of a DOM range over the text, or null if it is empty. */
export function rangeToSpan(root, range) {
  if (!root.contains(range.commonAncestorContainer) && !range.intersectsNode(root)) return null;
  let start = pointToOffset(root, range.startContainer, range.startOffset, false);
  let end = pointToOffset(root, range.endContainer, range.endOffset, true);
  // Leave out whitespace at either edge (a double-click often takes the space after a word).
  const text = range.toString();
  start += codePointLength(text.slice(0, text.length - text.trimStart().length));
  end -= codePointLength(text.slice(text.trimEnd().length));
  return end > start ? { start, end, text: text.trim() } : null;
}

/** Index of the last piece starting at or before code point `offset` (0 if none does). */
function pieceIndexAt(pieces, offset) {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Number(pieces[mid].dataset.s) <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** The one text node of a piece (a bidi mark is the whole of its piece: piece > mark > text). */
function textNodeOf(piece) {
  let node = piece.firstChild;
  while (node && node.nodeType !== Node.TEXT_NODE) node = node.firstChild;
  return node;
}

/**
 * The DOM point of code point `offset`. With `atEnd`, an offset where a piece ends stays at the
 * end of that piece instead of moving to the start of the next one (which may be in the next
 * turn, after its speaker line), so a range ending there holds only the text up to `offset`.
 */
export function offsetToPoint(root, offset, atEnd = false) {
  const pieces = root.querySelectorAll("[data-s]");
  if (!pieces.length) return null;
  const piece = pieces[pieceIndexAt(pieces, atEnd ? offset - 1 : offset)];
  const node = textNodeOf(piece);
  if (!node) return { node: piece, offset: 0 };
  return { node, offset: unitIndex(node.data, Math.max(0, offset - Number(piece.dataset.s))) };
}

/** A DOM range over code points start..end of the text, or null. */
export function spanToRange(root, start, end) {
  const from = offsetToPoint(root, start);
  const to = offsetToPoint(root, end, true);
  if (!from || !to) return null;
  const range = document.createRange();
  range.setStart(from.node, from.offset);
  range.setEnd(to.node, to.offset);
  return range.collapsed ? null : range;
}

/** Code point length of the whole text as drawn (where the last piece ends). */
export function textLength(root) {
  const pieces = root.querySelectorAll("[data-s]");
  return pieces.length ? pieceEnd(pieces[pieces.length - 1]) : 0;
}

/**
 * The words of code points start..end as drawn, for showing (a quote), not for offsets: parts in
 * different turns are joined by a space, and a long passage keeps its beginning and end around
 * an ellipsis. Touches only the pieces at either end, never every character of a long passage.
 */
export function quoteOf(root, start, end, limit = 160) {
  const pieces = root.querySelectorAll("[data-s]");
  if (!pieces.length || end <= start) return "";
  const part = (piece) => {
    const s = Number(piece.dataset.s);
    const text = piece.textContent;
    const from = unitIndex(text, Math.max(0, start - s));
    const to = unitIndex(text, Math.max(0, end - s));
    return text.slice(from, to);
  };
  const gap = (a, b) => (a.closest(".block") !== b.closest(".block") ? " " : "");
  const first = pieceIndexAt(pieces, start);
  const last = pieceIndexAt(pieces, end - 1);
  let head = "";
  let i = first;
  for (; i <= last && head.length <= limit; i++) head += (i > first ? gap(pieces[i - 1], pieces[i]) : "") + part(pieces[i]);
  let quote;
  if (i > last) {
    quote = head;
  } else {
    let tail = "";
    for (let j = last; j >= i && tail.length <= limit; j--) tail = part(pieces[j]) + (j < last ? gap(pieces[j], pieces[j + 1]) : "") + tail;
    quote = `${head} ${tail}`;
  }
  return shorten(quote.replace(/\s+/g, " ").trim(), limit);
}

/** `text` cut to about `limit` UTF-16 units: its beginning and end around "…", never inside a surrogate pair. */
export function shorten(text, limit = 160) {
  if (text.length <= limit) return text;
  const cut = (index) => (isLow(text.charCodeAt(index)) ? index - 1 : index);
  const headEnd = cut(Math.round(limit * 0.65));
  const tailStart = cut(text.length - Math.round(limit * 0.3));
  return `${text.slice(0, headEnd).trimEnd()} … ${text.slice(tailStart).trimStart()}`;
}
