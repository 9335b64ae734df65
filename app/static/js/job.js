// Polls a job's status while it runs; reloads once it has finished so the
// server can render the outcome (download link, error).
const box = document.getElementById("job");

async function poll() {
  const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const job = await response.json();
  document.getElementById("job-status").textContent = job.status;
  document.getElementById("job-progress").value = job.percent;
  document.getElementById("job-message").textContent = job.message;
  if (["done", "failed", "cancelled"].includes(job.status)) {
    window.location.reload();
  } else {
    setTimeout(poll, 1000);
  }
}

if (box && box.dataset.finished === "false") setTimeout(poll, 500);
