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

/** The DOM point of code point `offset` (the start of the piece holding it). */
export function offsetToPoint(root, offset) {
  const pieces = root.querySelectorAll("[data-s]");
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Number(pieces[mid].dataset.s) <= offset) lo = mid; else hi = mid - 1;
  }
  const piece = pieces[lo];
  if (!piece) return null;
  const node = piece.firstChild || piece;
  if (node.nodeType !== Node.TEXT_NODE) return { node, offset: 0 };
  return { node, offset: unitIndex(node.data, Math.max(0, offset - Number(piece.dataset.s))) };
}
