// The summary at the top of a form with errors takes the focus, so a screen reader announces
// it and the keyboard starts there; each of its links moves the focus into the field it names,
// keeping the field's label (or legend) in view above it.
export default function (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const input = document.getElementById(link.hash.slice(1));
    if (!input) return;
    event.preventDefault();
    const caption = input.closest("fieldset")?.querySelector("legend") || document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    (caption || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
}
