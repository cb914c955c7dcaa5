// The decision form shows only the fields that apply to the chosen outcome (an end date for a
// restricting one, a reason for "unable to comply"...). Without this script every field shows,
// each one's help text says when it applies, and the server ignores those that do not.
export default function (form) {
  const fieldsByAction = JSON.parse(form.dataset.fieldsByAction || "{}");
  const action = form.querySelector("[name=action]");
  if (!action) return;

  const update = () => {
    for (const [name, actions] of Object.entries(fieldsByAction)) {
      const wrapper = form.querySelector(`[name="${name}"]`)?.closest(".field");
      if (!wrapper) continue;
      // A field with an error stays visible so the message is never hidden.
      wrapper.hidden = !actions.includes(action.value) && !wrapper.classList.contains("field-error");
    }
  };

  action.addEventListener("change", update);
  update();
}
