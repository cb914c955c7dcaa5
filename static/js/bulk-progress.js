// Live progress of a bulk upload: polls the job endpoint with the session and updates the
// <progress> bar and its aria-live text; reloads once the job ends to list refused rows.
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
      bar.textContent = `${job.processed} of ${job.total}`;
      text.textContent = `${job.processed} of ${job.total} rows processed (${job.status}): ${job.created} filed, ${job.failed} refused.`;
      status = job.status;
      if (status === "done" || status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      text.textContent = "Could not read the progress; retrying…";
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
}
