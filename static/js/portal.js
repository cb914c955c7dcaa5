// Counterpoint's first-party behaviour: small, progressive, no inline scripts.
const navToggle = document.querySelector(".nav-toggle");
if (navToggle) {
  const nav = document.getElementById(navToggle.getAttribute("aria-controls"));
  navToggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    navToggle.setAttribute("aria-expanded", String(open));
  });
}

// The browser's time zone, for showing times to people who have not chosen one (portal/locale.py).
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  if (/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone) && !document.cookie.split("; ").includes(`portal_tz=${zone}`)) {
    document.cookie = `portal_tz=${zone}; path=/; max-age=31536000; SameSite=Lax`;
  }
} catch {
  // No Intl time zone: times stay in UTC.
}

// Elements with data-module="name" load static/js/name.js, so pages only pay for what they use.
for (const el of document.querySelectorAll("[data-module]")) {
  const name = el.dataset.module;
  if (/^[a-z-]+$/.test(name)) {
    import(new URL(`./${name}.js`, import.meta.url)).then((m) => m.default(el));
  }
}

// A table wider than its box scrolls sideways: the box becomes a keyboard stop and a region named
// by the table's caption (else the nearest heading before it), so people who cannot drag can
// scroll it too. Checked again on resize: a table that fits a desktop may not fit a phone.
function markScrollingTables() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === box.hasAttribute("data-scrolls")) continue;
    if (scrolls) {
      const headings = [...document.querySelectorAll("main h1, main h2, main h3, main h4")].filter(
        (h) => h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING,
      );
      const name = box.querySelector("caption") || headings.at(-1);
      if (name && !name.id) {
        let n = 1;
        while (document.getElementById(`table-name-${n}`)) n += 1;
        name.id = `table-name-${n}`;
      }
      // Inside a section that the same heading names already, a second region of that name
      // would be noise: the box is a group of the section instead.
      const landmark = name && box.parentElement.closest(`[aria-labelledby~="${name.id}"]`);
      box.setAttribute("data-scrolls", "");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", landmark ? "group" : "region");
      if (name) box.setAttribute("aria-labelledby", name.id);
    } else {
      for (const attribute of ["data-scrolls", "tabindex", "role", "aria-labelledby"]) box.removeAttribute(attribute);
    }
  }
}
markScrollingTables();
window.addEventListener("load", markScrollingTables);
let resizing = false;
window.addEventListener("resize", () => {
  if (resizing) return;
  resizing = true;
  requestAnimationFrame(() => {
    resizing = false;
    markScrollingTables();
  });
});
