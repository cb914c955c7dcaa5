// Choosing a template fills in the form it belongs to (SPEC §15): each option carries the values
// it gives in `data-fill` (JSON, its statement already filled for the referral), and the filled
// text stays editable. Without this script the form's "Fill in from the template" button asks
// the server for the same, and fields left empty are taken from the template on submit.
export default function (select) {
  const form = select.form;
  if (!form) return;
  for (const button of form.querySelectorAll("[data-template-apply]")) button.hidden = true;

  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    if (!option || !option.dataset.fill) return;
    let fill;
    try {
      fill = JSON.parse(option.dataset.fill);
    } catch {
      return;
    }
    for (const [name, value] of Object.entries(fill)) {
      // A template that leaves a field empty leaves the reviewer's choice alone.
      if (value === "" || value === null) continue;
      const fields = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      for (const field of fields) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === value;
        else field.value = value;
      }
      // The decision form's own script shows the fields that go with the outcome.
      if (fields.length) fields[0].dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
}
