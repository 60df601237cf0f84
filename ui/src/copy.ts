/**
 * Copy-to-clipboard buttons. The async Clipboard API needs a secure context
 * (https or localhost); a self-hosted dashboard on a LAN address is not one,
 * so a hidden-textarea fallback keeps the button working there.
 *
 * @module
 */
import { h } from "./dom";

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "offscreen", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    // execCommand is deprecated but still the only copy path outside a secure context.
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** A button that copies `text()` and says so for a moment. */
export function copyButton(text: () => string, label = "Copy"): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary small" }, label);
  button.addEventListener("click", () => {
    void writeClipboard(text()).then((ok) => {
      button.textContent = ok ? "Copied" : "Select and copy manually";
      setTimeout(() => (button.textContent = label), 2_000);
    });
  });
  return button;
}
