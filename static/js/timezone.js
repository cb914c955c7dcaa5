// Offers the browser's own time zone for a time-zone setting (preferences, training settings).
export default function (form) {
  const select = form.querySelector("select[name=time_zone]");
  const hint = form.querySelector("[data-browser-zone]");
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!select || !hint || !zone || select.value === zone) return;
  if (![...select.options].some((option) => option.value === zone)) return;
  hint.querySelector("[data-browser-zone-name]").textContent = zone;
  hint.hidden = false;
  hint.querySelector("[data-use-browser-zone]").addEventListener("click", () => {
    select.value = zone;
    select.focus();
  });
}
