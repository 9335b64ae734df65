// The code picker: type to filter, ↑/↓ to move, Enter to apply, Esc to close. Recent codes first;
// the last options create a new code from the typed name or from the selected words (in vivo).
import { withBidiMarks } from "../bidi_marks.js";

function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export class Picker {
  constructor(element, { items, recent, onPick, onClose }) {
    this.element = element;
    this.input = element.querySelector("input");
    this.list = element.querySelector("[role=listbox]");
    this.quote = element.querySelector(".picker-quote");
    this.label = element.querySelector("label");
    this.items = items;
    this.recent = recent;
    this.onPick = onPick;
    this.onClose = onClose;
    this.options = [];
    this.active = 0;
    this.selectionText = "";
    this.input.addEventListener("input", () => { this.active = 0; this.render(); });
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
    this.input.addEventListener("blur", () => setTimeout(() => {
      if (!this.element.contains(document.activeElement)) this.close();
    }, 150));
  }

  /**
   * Opens for a passage: `quote` is shown at the top (what is about to be coded), `selectionText`
   * offers an in-vivo code, and `place(element)` puts the picker where it covers nothing selected.
   */
  open({ quote = "", selectionText = "", label = "Code for the selected text" }, place) {
    this.selectionText = (selectionText || "").replace(/\s+/g, " ").trim();
    this.quote.replaceChildren(withBidiMarks(quote ? `“${quote}”` : ""));
    this.quote.hidden = !quote;
    this.label.textContent = quote ? `${label}: ${quote}` : label;
    this.input.value = "";
    this.active = 0;
    this.render();
    this.element.hidden = false;
    place(this.element);
    this.input.focus({ preventScroll: true });
  }

  /** Hides the picker; `reason` ("pick", "escape" or "away") tells the page where focus should go. */
  close(reason = "away") {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.onClose(reason);
  }

  matches() {
    const query = fold(this.input.value.trim());
    const codes = this.items().filter((c) => !c.is_folder);
    const recentIds = this.recent();
    const rank = (c) => { const i = recentIds.indexOf(c.id); return i === -1 ? recentIds.length : i; };
    let found = codes;
    if (query) {
      found = codes.filter((c) => fold(c.path).includes(query) || c.aliases.some((a) => fold(a).includes(query)));
      const starts = (c) => (fold(c.name).startsWith(query) ? 0 : 1);
      found.sort((a, b) => starts(a) - starts(b) || rank(a) - rank(b));
    } else {
      found = codes.slice().sort((a, b) => rank(a) - rank(b));
    }
    return found.slice(0, 60);
  }

  render() {
    const typed = this.input.value.trim();
    this.options = this.matches().map((code) => ({ codeId: code.id, code }));
    const names = new Set(this.items().map((c) => fold(c.name)));
    if (typed && !names.has(fold(typed))) this.options.push({ newName: typed.slice(0, 200), label: `New code “${typed}”` });
    if (this.selectionText && !names.has(fold(this.selectionText))) {
      const name = this.selectionText.slice(0, 200);
      this.options.push({ newName: name, label: `New in-vivo code “${name.length > 60 ? `${name.slice(0, 60)}…` : name}”`, inVivo: true });
    }
    const recentIds = new Set(this.recent());
    this.active = Math.min(this.active, Math.max(0, this.options.length - 1));
    this.list.replaceChildren(...this.options.map((option, index) => {
      const li = document.createElement("li");
      li.id = `picker-option-${index}`;
      li.setAttribute("role", "option");
      li.dataset.index = index;
      li.setAttribute("aria-selected", String(index === this.active));
      if (option.code) {
        const swatch = document.createElement("span");
        swatch.className = `swatch code-${option.code.id}`;
        const name = document.createElement("span");
        name.className = "option-name";
        name.append(withBidiMarks(option.code.path));
        const kind = document.createElement("span");
        kind.className = `kind kind-${option.code.kind}`;
        kind.textContent = option.code.kind.replace("_", "-");
        li.append(swatch, name, kind);
        if (recentIds.has(option.code.id) && !typed) li.classList.add("recent");
      } else {
        li.className = "create";
        li.append(withBidiMarks(option.label));
      }
      return li;
    }));
    if (!this.options.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No code matches.";
      this.list.append(li);
    }
    this.input.setAttribute("aria-activedescendant", this.options.length ? `picker-option-${this.active}` : "");
    this.list.querySelector("[aria-selected=true]")?.scrollIntoView({ block: "nearest" });
  }

  key(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const n = this.options.length;
      if (!n) return;
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (this.options.length) this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close("escape");
    }
  }

  choose(index) {
    const option = this.options[index];
    if (!option) return;
    this.onPick(option);
    this.close("pick");
  }
}
