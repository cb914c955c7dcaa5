// Counterpoint's first-party behaviour: small, progressive, no inline scripts.
const navToggle = document.querySelector(".nav-toggle");
if (navToggle) {
  const nav = document.getElementById(navToggle.getAttribute("aria-controls"));
  navToggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    navToggle.setAttribute("aria-expanded", String(open));
  });
}

// Elements with data-module="name" load static/js/name.js, so pages only pay for what they use.
for (const el of document.querySelectorAll("[data-module]")) {
  const name = el.dataset.module;
  if (/^[a-z-]+$/.test(name)) {
    import(new URL(`./${name}.js`, import.meta.url)).then((m) => m.default(el));
  }
}
