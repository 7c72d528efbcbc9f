// Conveniences only: every page works without this file.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  try {
    await navigator.clipboard.writeText(source.value ?? source.textContent);
    if (status) status.textContent = "Copied to clipboard.";
  } catch {
    source.select?.();
    if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy.";
  }
});
