// The filing form shows only the fields the chosen kind needs. Without this script every
// field shows, and each one's help text says which kinds need it.
export default function (form) {
  const fieldsByKind = JSON.parse(form.dataset.fieldsByKind || "{}");
  const kind = form.querySelector("[name=kind]");
  if (!kind) return;

  const wrapperOf = (name) => {
    const input = form.querySelector(`[name="${name}"]`);
    return input ? input.closest(".field") : null;
  };

  const update = () => {
    for (const [name, kinds] of Object.entries(fieldsByKind)) {
      const wrapper = wrapperOf(name);
      if (!wrapper) continue;
      const needed = kinds.includes(kind.value);
      // A field with an error stays visible so the message is never hidden.
      wrapper.hidden = !needed && !wrapper.classList.contains("field-error");
    }
    const severity = wrapperOf("severity");
    if (severity) severity.hidden = kind.value === "emergency_request";
  };

  kind.addEventListener("change", update);
  update();
}
