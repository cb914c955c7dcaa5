// A live "time left" for elements with data-module="countdown" data-due="<ISO 8601>".
// The server renders the same text first, so the page reads correctly without scripts.
// Strings come from the page's catalogue (/jsi18n/); English if it did not load.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function describe(ms) {
  const abs = Math.abs(ms);
  let text;
  if (abs >= DAY) {
    text = interpolate(gettext("%(days)s d %(hours)s h"), { days: Math.floor(abs / DAY), hours: Math.floor((abs % DAY) / HOUR) }, true);
  } else if (abs >= HOUR) {
    text = interpolate(gettext("%(hours)s h %(minutes)s min"), { hours: Math.floor(abs / HOUR), minutes: Math.floor((abs % HOUR) / MINUTE) }, true);
  } else {
    const minutes = Math.floor(abs / MINUTE);
    const seconds = String(Math.floor((abs % MINUTE) / 1000)).padStart(2, "0");
    text = interpolate(gettext("%(minutes)s min %(seconds)s s"), { minutes, seconds }, true);
  }
  return interpolate(ms >= 0 ? gettext("%(time)s left") : gettext("overdue by %(time)s"), { time: text }, true);
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
