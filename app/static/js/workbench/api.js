// fetch() for the JSON API with the page's CSRF token, retries and readable errors.

const token = document.querySelector('meta[name="csrf-token"]').content;

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** A random idempotency key (crypto.randomUUID needs a secure context; this does not). */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sends a request; network failures and 5xx answers are retried (safe with a client_key). */
export async function call(method, url, body, { retries = 2 } = {}) {
  const options = { method, headers: { Accept: "application/json", "X-CSRFToken": token }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      if (attempt < retries) { await new Promise((r) => setTimeout(r, 300 * (attempt + 1))); continue; }
      throw new ApiError(0, "The server could not be reached; your change was not saved. Try again.");
    }
    if (response.status >= 500 && attempt < retries) { await new Promise((r) => setTimeout(r, 300 * (attempt + 1))); continue; }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.detail || data.error || `Error ${response.status}`);
    return data;
  }
}
