// Live progress of a bulk upload: polls the job endpoint with the session and updates the
// <progress> bar and its aria-live text; reloads once the job ends to list refused rows.
// Strings come from the page's catalogue (/jsi18n/); English if it did not load.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));
const STATUS = {
  pending: gettext("pending"),
  running: gettext("running"),
  done: gettext("done"),
  failed: gettext("failed"),
};

export default function (element) {
  const url = element.dataset.url;
  const bar = element.querySelector("progress");
  const text = element.querySelector("[data-progress-text]");
  let status = element.dataset.status;
  if (!url || status === "done" || status === "failed") return;

  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const job = await response.json();
      bar.max = job.total || 1;
      bar.value = job.processed;
      const values = { ...job, status: STATUS[job.status] || job.status };
      bar.textContent = interpolate(gettext("%(processed)s of %(total)s"), values, true);
      text.textContent = interpolate(
        gettext("%(processed)s of %(total)s rows processed (%(status)s): %(created)s filed, %(failed)s refused."),
        values,
        true,
      );
      status = job.status;
      if (status === "done" || status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      text.textContent = gettext("Could not read the progress; retrying…");
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
}
