// A live "time left" for elements with data-module="countdown" data-due="<ISO 8601>".
// The server renders the same text first, so the page reads correctly without scripts.
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function describe(ms) {
  const abs = Math.abs(ms);
  let text;
  if (abs >= DAY) {
    text = `${Math.floor(abs / DAY)} d ${Math.floor((abs % DAY) / HOUR)} h`;
  } else if (abs >= HOUR) {
    text = `${Math.floor(abs / HOUR)} h ${Math.floor((abs % HOUR) / MINUTE)} min`;
  } else {
    const minutes = Math.floor(abs / MINUTE);
    const seconds = Math.floor((abs % MINUTE) / 1000);
    text = `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  }
  return ms >= 0 ? `${text} left` : `overdue by ${text}`;
}

export default function (element) {
  const due = Date.parse(element.dataset.due);
  if (Number.isNaN(due)) {
    return;
  }
  // Announce the state only when it changes, not every second.
  element.setAttribute("aria-live", "off");
  const tick = () => {
    const left = due - Date.now();
    element.textContent = describe(left);
    if (left < 0) {
      element.classList.add("breached");
    }
  };
  tick();
  const timer = window.setInterval(() => {
    if (!element.isConnected) {
      window.clearInterval(timer);
      return;
    }
    tick();
  }, 1000);
}
