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

// <a href="/fallback/page/" data-dialog="dialog-id">: open the <dialog> on this page instead of
// following the link. Inside it, <button type="button" data-dialog-close> closes it.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("a[data-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialog);
    if (!dialog?.showModal) return; // no dialog support: the link's page does the same
    event.preventDefault();
    dialog.showModal();
    dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button")?.focus();
    return;
  }
  const closer = event.target.closest("[data-dialog-close]");
  if (closer) closer.closest("dialog")?.close();
});

// <form data-warn-unload="message">, or any element with it: until that form is submitted,
// leaving the page asks first (the browser shows its own wording; the message is for older ones).
let leavingOnPurpose = false;
document.addEventListener("submit", (event) => {
  if (event.target.closest("[data-warn-unload]") || event.target.matches("[data-unload-ok]")) {
    leavingOnPurpose = true;
  }
});
window.addEventListener("beforeunload", (event) => {
  const warn = document.querySelector("[data-warn-unload]");
  if (!warn || leavingOnPurpose) return;
  event.preventDefault();
  event.returnValue = warn.dataset.warnUnload;
});
