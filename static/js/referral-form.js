// The filing form shows only the fields the chosen kind needs, and marks those it requires.
// Without this script every field shows, each one's help text says which kinds need it, and
// the marks are those of the kind the page was sent with.
export default function (form) {
  const fieldsByKind = JSON.parse(form.dataset.fieldsByKind || "{}");
  const requiredByKind = JSON.parse(form.dataset.requiredByKind || "{}");
  const kind = form.querySelector("[name=kind]");
  if (!kind) return;

  const wrapperOf = (name) => {
    const input = form.querySelector(`[name="${name}"]`);
    return input ? input.closest(".field") : null;
  };

  const markRequired = (name, required) => {
    const wrapper = wrapperOf(name);
    if (!wrapper) return;
    const caption = wrapper.querySelector("legend, label");
    let mark = caption.querySelector(".req");
    if (required && !mark) {
      mark = document.createElement("span");
      mark.className = "req";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "*";
      caption.append(" ", mark);
    }
    if (mark) mark.hidden = !required;
    // A group of checkboxes has no `required` of its own (it would require every box).
    if (wrapper.tagName === "FIELDSET") return;
    for (const input of wrapper.querySelectorAll(`[name="${name}"]`)) {
      input.required = required;
      input.setAttribute("aria-required", String(required));
    }
  };

  const update = () => {
    for (const [name, kinds] of Object.entries(fieldsByKind)) {
      const wrapper = wrapperOf(name);
      if (!wrapper) continue;
      const needed = kinds.includes(kind.value);
      // A field with an error stays visible so the message is never hidden.
      wrapper.hidden = !needed && !wrapper.classList.contains("field-error");
    }
    for (const [name, kinds] of Object.entries(requiredByKind)) {
      markRequired(name, kinds.includes(kind.value));
    }
    const severity = wrapperOf("severity");
    if (severity) severity.hidden = kind.value === "emergency_request";
  };

  kind.addEventListener("change", update);
  update();
}
