/** Markdown files imported as text (Vite's `?raw`), used by the docs-coverage test. */
declare module "*.md?raw" {
  const text: string;
  export default text;
}
