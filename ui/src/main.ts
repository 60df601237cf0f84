// Placeholder dashboard: shows whether the API answers.
const status = document.getElementById("status");

async function check(): Promise<void> {
  if (!status) return;
  try {
    const res = await fetch("/api/health");
    const ok = res.ok && ((await res.json()) as { ok?: boolean }).ok === true;
    status.textContent = ok ? "API is up" : `API answered ${res.status}`;
    status.className = ok ? "ok" : "down";
  } catch {
    status.textContent = "API unreachable";
    status.className = "down";
  }
}

void check();
