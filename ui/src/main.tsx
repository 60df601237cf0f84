/**
 * Entry point: the stylesheet, the theme, and the app mounted into #app.
 *
 * @module
 */
import "./style.css";
import { render } from "hono/jsx/dom";
import { App } from "./app";
import { applyStoredTheme } from "./theme";

applyStoredTheme();
const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
