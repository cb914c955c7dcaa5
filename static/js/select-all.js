// "Select all" on a work list chosen for a bulk decision: the box above the table (hidden
// without scripts) ticks or clears every row's box and shows "some" when only some are ticked;
// a line under the list says how many are chosen. Without scripts the form works one box at a time.
// Strings come from the page's catalogue (/jsi18n/); English if it did not load.
const ngettext = window.ngettext || ((singular, plural, count) => (count === 1 ? singular : plural));
const interpolate = window.interpolate || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));

export default function (form) {
  const all = form.querySelector("[data-select-all]");
  const allBox = form.querySelector("[data-select-all-box]");
  const boxes = [...form.querySelectorAll("input[type=checkbox][name=referrals]")];
  const count = form.querySelector("[data-selected-count]");
  if (!all || !boxes.length) return;

  const update = () => {
    const chosen = boxes.filter((box) => box.checked).length;
    all.checked = chosen === boxes.length;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
    if (count) {
      count.textContent = chosen
        ? interpolate(ngettext("%(count)s referral selected", "%(count)s referrals selected", chosen), { count: chosen }, true)
        : "";
    }
  };

  if (allBox) allBox.hidden = false;
  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
    update();
  });
  form.addEventListener("change", (event) => {
    if (event.target !== all) update();
  });
  update();
}
