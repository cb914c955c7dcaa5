// Keyboard shortcuts of the work list and the review page (SPEC §15): j/k move through the
// list's rows (on the review page: open the queue's next or previous referral), c claims the next referral (submits the queue's claim form), d goes to the
// decision form's first field, ? opens the list of them (a <dialog>: Esc or its button close it).
// A key never acts while one types (input, textarea, select, contenteditable) nor with Ctrl,
// Alt or Cmd held, so the browser's and screen readers' own shortcuts keep working.
// Strings come from the page's catalogue (/jsi18n/); English if it did not load.
const gettext = window.gettext || ((text) => text);

const TYPING = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";
const FIELDS = "input:not([type=hidden]), select, textarea";

function typing(target) {
  return target instanceof Element && (target.isContentEditable || target.closest(TYPING) !== null);
}

function visible(element) {
  return !element.disabled && element.getClientRects().length > 0;
}

export default function (root) {
  // One listener per page, however many blocks load the module.
  if (document.documentElement.hasAttribute("data-shortcuts")) return;
  document.documentElement.setAttribute("data-shortcuts", "");

  const dialog = root.querySelector("dialog");
  const opener = root.querySelector("[data-shortcuts-open]");
  const status = root.querySelector("[data-shortcuts-status]");
  let returnTo = null;

  const say = (text) => {
    if (!status) return;
    // Emptied first, so the same message twice is announced twice.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = text;
    }, 50);
  };

  const openHelp = () => {
    if (!dialog || dialog.open) return;
    returnTo = document.activeElement;
    dialog.showModal();
  };
  if (dialog) {
    dialog.addEventListener("close", () => {
      if (returnTo instanceof HTMLElement && returnTo.isConnected) returnTo.focus();
      returnTo = null;
    });
  }
  if (opener && dialog) {
    opener.hidden = false;
    opener.addEventListener("click", openHelp);
  }

  const move = (step) => {
    const rows = [...document.querySelectorAll("[data-shortcut-row]")];
    if (!rows.length) {
      // The review page: the next or previous referral of the queue's work list.
      const link = document.querySelector(step > 0 ? "a[data-shortcut-next]" : "a[data-shortcut-previous]");
      if (link) {
        window.location.assign(link.href);
        return;
      }
      say(step > 0 ? gettext("This is the last referral of the queue.") : gettext("This is the first referral of the queue."));
      return;
    }
    const current = rows.findIndex((row) => row.contains(document.activeElement));
    const next = current === -1 ? 0 : Math.max(0, Math.min(rows.length - 1, current + step));
    if (next === current) {
      say(step > 0 ? gettext("This is the last referral on this page.") : gettext("This is the first referral on this page."));
    }
    rows.forEach((row, i) => row.classList.toggle("is-current", i === next));
    const target = rows[next].querySelector("a[href]") || rows[next];
    if (target === rows[next]) target.tabIndex = -1;
    target.focus();
  };

  const claim = () => {
    const form = document.querySelector("form[data-shortcut='claim']");
    if (!form) {
      say(gettext("You cannot claim from this queue here."));
      return;
    }
    form.requestSubmit();
  };

  const decide = () => {
    const form = document.querySelector("form[data-shortcut='decide'], form[aria-labelledby='decide-h']");
    const field = form && [...form.querySelectorAll(FIELDS)].find(visible);
    if (!field) {
      say(gettext("There is no decision form on this page."));
      return;
    }
    field.focus();
  };

  const actions = { j: () => move(1), k: () => move(-1), c: claim, d: decide, "?": openHelp };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return;
    // "?" needs Shift on most keyboards; the letters are taken only without it.
    if (event.shiftKey && event.key !== "?") return;
    const action = actions[event.key];
    if (!action || typing(event.target) || (dialog && dialog.open)) return;
    if (event.repeat && event.key !== "j" && event.key !== "k") return;
    event.preventDefault();
    action();
  });
}
