// The code form shows only the kind-specific fields of the chosen kind, and follows the
// kind select as it changes. Without this script every field shows; the server keeps
// only the fields of the chosen kind either way.
for (const form of document.querySelectorAll("form[data-code-form]")) {
  const kind = form.querySelector("select[name=kind]");
  const fieldset = form.querySelector(".kind-fields");
  if (!kind || !fieldset) continue;
  const legend = fieldset.querySelector("legend");
  const update = () => {
    let shown = 0;
    for (const box of fieldset.querySelectorAll("[data-kinds]")) {
      const used = box.dataset.kinds.split(" ").includes(kind.value);
      box.hidden = !used;
      if (used) shown += 1;
    }
    fieldset.hidden = shown === 0;
    const label = kind.options[kind.selectedIndex]?.text || kind.value;
    legend.textContent = `${label} fields`;
  };
  kind.addEventListener("change", update);
  update();
}
