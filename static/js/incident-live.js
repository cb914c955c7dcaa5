// Live counts of an incident's page: asks the incident's API address (with the session) every
// `data-interval` seconds and writes the numbers into the [data-count] elements; the
// [data-live-status] region (aria-live) says when they changed, and only then, so a screen
// reader is not interrupted every few seconds. Polling pauses while the tab is hidden and stops
// once the incident is closed (the page is reloaded to show its report). Without this script the
// page shows the counts as they were when it opened.
// Strings come from the page's catalogue (/jsi18n/); English if it did not load.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));
const FIELDS = ["referrals", "decided", "actioned", "median_minutes_to_decision"];
const MIN_INTERVAL = 5;

export default function (element) {
  const url = element.dataset.url;
  if (!url) return;
  const seconds = Math.max(Number(element.dataset.interval) || 15, MIN_INTERVAL);
  const status = element.querySelector("[data-live-status]");
  const language = document.documentElement.lang || undefined;
  const whole = new Intl.NumberFormat(language);
  const decimal = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const time = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const shown = (field, value) => {
    if (value === null || value === undefined) return "—";
    return field === "median_minutes_to_decision" ? decimal.format(value) : whole.format(value);
  };
  // The numbers the page opened with (data-value; empty for none), so the first change is told too.
  const opened = (field) => {
    const value = element.querySelector(`[data-count="${field}"]`)?.dataset.value ?? "";
    return value === "" ? null : Number(value);
  };
  let last = JSON.stringify(FIELDS.map(opened));
  let timer = null;
  let busy = false;

  const update = (counts) => {
    const key = JSON.stringify(FIELDS.map((field) => counts[field]));
    for (const field of FIELDS) {
      const target = element.querySelector(`[data-count="${field}"]`);
      if (target) target.textContent = shown(field, counts[field]);
    }
    if (!status) return;
    if (key !== last) {
      status.textContent = interpolate(
        gettext(
          "Updated at %(time)s: %(referrals)s referrals, %(decided)s decided, %(actioned)s actioned; median %(median)s minutes.",
        ),
        {
          time: time.format(new Date()),
          referrals: shown("referrals", counts.referrals),
          decided: shown("decided", counts.decided),
          actioned: shown("actioned", counts.actioned),
          median: shown("median_minutes_to_decision", counts.median_minutes_to_decision),
        },
        true,
      );
    }
    last = key;
  };

  const poll = async () => {
    timer = null;
    if (document.hidden || busy) return; // resumed by visibilitychange
    busy = true;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const incident = await response.json();
      if (incident.counts) update(incident.counts);
      if (incident.status !== "active") {
        window.location.reload();
        return;
      }
    } catch (error) {
      if (status) status.textContent = gettext("Could not refresh the counts; retrying…");
    } finally {
      busy = false;
    }
    timer = window.setTimeout(poll, seconds * 1000);
  };

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null && !busy) poll();
  });
  timer = window.setTimeout(poll, seconds * 1000);
}
