// Upload page: each file is sent on its own request so every file gets its own
// progress bar and its own result; large files are followed while their job runs.
const form = document.getElementById("upload-form");
const list = document.getElementById("file-results");
const panel = document.getElementById("upload-results");
const summary = document.getElementById("upload-summary");
const mapLink = document.getElementById("map-speakers");
const observation = document.getElementById("observation-fields");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const maxBytes = Number(form.dataset.maxBytes);

function syncKind() {
  const kind = form.querySelector('input[name="kind"]:checked');
  observation.hidden = !kind || kind.value !== "observation";
}
form.addEventListener("change", syncKind);
syncKind();

function megabytes(bytes) {
  return (bytes / 1048576).toFixed(1) + " MB";
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(file) {
  const item = el("li", "file-result");
  const line = el("div", "file-line");
  line.append(el("strong", "file-name", file.name));
  const badge = el("span", "badge badge-waiting", "waiting");
  line.append(badge);
  const bar = el("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `Upload of ${file.name}`);
  const details = el("div", "file-details");
  item.append(line, bar, details);
  list.append(item);
  return { item, badge, bar, details };
}

function setStatus(view, status, label) {
  view.badge.className = `badge badge-${status}`;
  view.badge.textContent = label || status;
  view.item.className = `file-result result-${status}`;
}

function show(view, result) {
  setStatus(view, result.status);
  view.bar.hidden = result.status !== "queued";
  view.details.replaceChildren();
  if (result.reason) view.details.append(el("p", "reason", result.reason));
  if (result.status === "imported") {
    const facts = [`${result.segments} segment${result.segments === 1 ? "" : "s"}`];
    if (result.language) facts.push(`language ${result.language}`);
    if (result.speakers && result.speakers.length) facts.push(`speakers: ${result.speakers.join(", ")}`);
    view.details.append(el("p", "muted", facts.join(" · ")));
  }
  for (const warning of result.warnings || []) view.details.append(el("p", "warning", warning));
  if (result.speakers_url) {
    const p = el("p");
    const a = el("a", "", "Map speakers");
    a.href = result.speakers_url;
    p.append(a);
    view.details.append(p);
    mapLink.hidden = false;
  }
}

function upload(file, fields, view) {
  return new Promise((resolve) => {
    const data = new FormData();
    for (const [key, value] of fields) data.append(key, value);
    data.append("files", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrf);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) view.bar.value = Math.round((100 * event.loaded) / event.total);
    });
    request.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { body = null; }
      if (request.status === 200 && body && body.results) {
        resolve(body.results[0]);
      } else if (request.status === 413) {
        resolve({ name: file.name, status: "rejected",
          reason: `${file.name}: larger than this server accepts (at most ${megabytes(maxBytes)}). ` +
                  "Split it into smaller files, or ask the administrator to raise KUNDSTIG_MAX_UPLOAD_MB." });
      } else {
        const detail = body && body.detail ? body.detail : `the server answered ${request.status}`;
        resolve({ name: file.name, status: "rejected", reason: `${file.name}: ${detail}` });
      }
    });
    request.addEventListener("error", () => {
      resolve({ name: file.name, status: "rejected",
        reason: `${file.name}: the upload was interrupted; check the connection and try again.` });
    });
    view.bar.hidden = false;
    setStatus(view, "uploading");
    request.send(data);
  });
}

async function follow(result, view) {
  // A large file: poll its job until it has finished, then show the job's result.
  setStatus(view, "queued", "importing in the background");
  view.bar.removeAttribute("value");
  for (;;) {
    await new Promise((done) => setTimeout(done, 1000));
    const response = await fetch(result.job_url, { headers: { Accept: "application/json" } });
    if (!response.ok) continue;
    const job = await response.json();
    if (job.status === "done") return job.result;
    if (job.status === "failed" || job.status === "cancelled") {
      return { name: result.name, status: "rejected", reason: job.error || `${result.name}: the import job ${job.status}.` };
    }
    if (job.total) view.bar.value = job.percent;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = form.querySelector('input[type="file"]');
  const files = Array.from(input.files);
  if (!files.length) return;
  const fields = new FormData(form);
  fields.delete("files");
  fields.delete("csrf_token");
  panel.hidden = false;
  list.replaceChildren();
  mapLink.hidden = true;
  const counts = { imported: 0, duplicate: 0, rejected: 0 };
  const views = files.map((file) => [file, row(file)]);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  for (const [file, view] of views) {
    let result;
    if (file.size > maxBytes) {
      result = { name: file.name, status: "rejected",
        reason: `${file.name}: ${megabytes(file.size)} is larger than this server accepts (at most ${megabytes(maxBytes)}). ` +
                "Split it into smaller files, or ask the administrator to raise KUNDSTIG_MAX_UPLOAD_MB." };
    } else {
      result = await upload(file, fields, view);
      if (result.status === "queued") {
        show(view, result);
        result = await follow(result, view);
        if (result.speakers && result.speakers.length && result.source_ids && result.source_ids.length) {
          result.speakers_url = `${form.action}/sources/${result.source_ids[0]}/speakers`;
        }
      }
    }
    show(view, result);
    counts[result.status] = (counts[result.status] || 0) + 1;
    summary.textContent = `${counts.imported} imported, ${counts.duplicate} duplicate, ${counts.rejected} rejected of ${files.length}.`;
  }
  button.disabled = false;
  input.value = "";
});
